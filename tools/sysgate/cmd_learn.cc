// sysgate learn: run a program, record what it calls, and write the policy that allows it.
//   sysgate learn -o app.sgp -- ./app --serve
//   sysgate learn --args --merge app.sgp -o app.sgp -- ./app --selftest
//   sysgate learn -f oci -o app.json -- ./app
//   sysgate learn --from-log app.strace -o app.sgp        (strace -f -o app.strace ./app)
// Exit status: the program's (the policy is written either way), or 125 when the recording
// could not start; from logs, 0 or 1.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <iostream>
#include <variant>

#include <fmt/format.h>

#include "base/strings.h"
#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "supervise/access_effects.h"
#include "sysgate/learn.h"
#include "sysgate/limits.h"
#include "sysgate/policy_text.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string output;
  std::string format = "sysgate";
  bool args = false;
  std::vector<std::string> merge;
  std::string default_action = "kill-process";
  std::string counts;
  std::vector<std::string> env;
  bool quiet = false;
  bool follow = false;
  bool fs = false;
  bool net = false;
  std::vector<std::string> from_log;
  std::vector<std::string> command;
};

// The calls the logs show, with what was left out said; none (after saying why) when a log
// cannot be read or shows no call.
std::optional<learn::Recording> ReadLogs(const std::vector<std::string>& paths) {
  learn::Recording rec;
  for (const std::string& path : paths) {
    Result<learn::LogRead> r = learn::ReadCallLog(path);
    if (!r) {
      PrintError(r.error().ToString());
      return std::nullopt;
    }
    const std::string name = path == "-" ? "<stdin>" : path;
    for (const auto& [call, line] : r->unknown_names) {
      PrintError(fmt::format(
          "{}:{}: warning: '{}' is not a syscall of the log's ABI in sysgate's tables; left out",
          name, line, base::Abbreviate(call)));
    }
    if (r->long_lines > 0) {
      PrintError(fmt::format("{}: warning: {} lines longer than {} KiB: read by their first {} KiB",
                             name, r->long_lines, limits::kMaxLogLineBytes >> 10,
                             limits::kMaxLogLineBytes >> 10));
    }
    if (r->call_lines == 0) {
      PrintError(fmt::format(
          "{}: no syscall in it (read: strace's output, strace -c's tables, the kernel's "
          "seccomp audit records)",
          name));
      return std::nullopt;
    }
    rec.Merge(r->recording);
  }
  return rec;
}

std::optional<Action> ParseActionText(const std::string& text) {
  ParsedPolicy p = ParsePolicyText("default " + text, "--default");
  if (!p.ok()) return std::nullopt;
  return p.policy->default_action;
}

// A learned (or hand-written) policy read back for --merge, its fs, net and scope rules too.
std::optional<learn::Recording> LoadMerge(const std::string& path) {
  formats::Imported in = LoadAndReport(path, {}, /*quiet_warnings=*/true);
  if (!in.ok()) return std::nullopt;
  auto rec = learn::RecordingFromPolicy(*in.policy, in.sources);
  if (!rec) {
    PrintError(fmt::format("cannot merge {}: {}", path, rec.error().ToString()));
    return std::nullopt;
  }
  return std::move(*rec);
}

// Runs the program under the recorder; the exit status of a program that could not start
// (after saying why), as run gives it: 127 not found, 126 not executable, 125 another step.
std::variant<run::Outcome, int> RecordRun(const Options& o, learn::Recording& fresh) {
  learn::RecordOptions ro;
  ro.run.argv = o.command;
  ro.run.env = o.env;
  ro.run.follow_descendants = o.follow;
  ro.args = o.args;
  ro.fs = o.fs;
  ro.net = o.net;
  if (o.fs && !o.quiet) {
    if (auto why = supervise::InheritedFilesUntold()) {
      std::cerr << "sysgate: note: the files the program starts with cannot be told from those "
                   "it opens here ("
                << *why << "): rules may be learned for their ioctls and truncates\n";
    }
  }
  const bool live = !o.quiet && isatty(STDERR_FILENO);
  auto last = std::chrono::steady_clock::now();
  if (live) {
    ro.on_progress = [&](const learn::Progress& p) {
      auto now = std::chrono::steady_clock::now();
      if (p.latest_new.empty() && now - last < std::chrono::milliseconds(100)) return;
      last = now;
      std::cerr << fmt::format("\r\033[Ksysgate learn: {} syscalls, {} distinct{}", p.total,
                               p.distinct, p.latest_new.empty() ? "" : ", new: " + p.latest_new)
                << std::flush;
    };
  }
  auto outcome = learn::Record(ro, &fresh);
  if (live) std::cerr << "\r\033[K";
  if (!outcome) {
    const Error& e = outcome.error();
    PrintError(e.ToString());
    return run::StartFailureStatus(e);
  }
  return *outcome;
}

// Writes the policy for what was merged (`rec`) and learned now (`fresh`); the exit status.
int Write(const Options& o, formats::Format format, const Action& def, learn::Recording rec,
          const learn::Recording& fresh, const std::optional<run::Outcome>& outcome) {
  size_t new_calls = 0;
  for (const auto& [key, r] : fresh.calls) new_calls += rec.calls.contains(key) ? 0 : 1;
  rec.Merge(fresh);

  learn::SynthesisOptions so;
  so.default_action = def;
  so.args = o.args;
  so.allow_start_exec = format != formats::Format::kSysgate;
  std::string command = o.from_log.empty() ? "" : o.from_log.size() == 1 ? "the log" : "the logs";
  for (const std::string& a : o.from_log.empty() ? o.command : o.from_log)
    command += (command.empty() ? "" : " ") + a;
  // The counts cover the merged policies' runs too: the header says so.
  for (size_t i = 0; i < o.merge.size(); ++i)
    command += (i == 0 ? "; merged with " : ", ") + o.merge[i];
  so.command = command;
  auto learned = learn::Synthesize(rec, so);
  if (!learned) {
    PrintError(learned.error().ToString());
    return kExitInvalid;
  }
  std::string text = learned->text;
  if (format != formats::Format::kSysgate) {
    formats::Exported e = formats::Export(learned->policy, format);
    for (const Diagnostic& d : e.diagnostics) {
      if (d.severity == Severity::kError) PrintError(d.message);
      if (d.severity == Severity::kWarning && !learned->policy.access.empty() &&
          d.loc == learned->policy.access.loc) {
        std::cerr << "sysgate: warning: " << d.message << "\n";
      }
    }
    if (!e.text) {
      // The run cannot be made again for free: its recording is kept as sysgate's policy.
      // Beside the output; in the working directory for standard output or a device.
      const bool beside = !o.output.empty() && o.output != "-" && !o.output.starts_with("/dev/");
      const std::string kept = (beside ? o.output : std::string("learned")) + ".sgp";
      if (auto w = WriteOutput(kept, text); w) {
        PrintError(
            fmt::format("the recording is kept as sysgate's policy in {}; convert it with "
                        "sysgate convert --to {}{}",
                        kept, o.format, format == formats::Format::kSystemd ? " --widen" : ""));
      }
      return kExitInvalid;
    }
    text = *e.text;
  }
  if (auto w = WriteOutput(o.output, text); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  if (!o.counts.empty()) {
    if (auto w = WriteOutput(o.counts, learn::FrequencyText(rec)); !w) {
      PrintError(w.error().ToString());
      return kExitInvalid;
    }
  }
  if (!o.quiet) {
    std::cerr << fmt::format(
        "sysgate learn: {} syscall{}, {} distinct ({} new{}); {} rule{} {}\n", fresh.total,
        fresh.total == 1 ? "" : "s", fresh.Distinct(), new_calls,
        o.merge.empty() ? "" : fmt::format(", {} after merging", rec.Distinct()),
        learned->policy.rules.size(), learned->policy.rules.size() == 1 ? "" : "s",
        o.output.empty() || o.output == "-" ? "written to stdout" : "written to " + o.output);
    if (outcome && outcome->left_running) {
      std::cerr << fmt::format(
          "sysgate learn: warning: {} left processes running, which were not recorded after "
          "it exited (their calls fail with ENOSYS now); add --follow to record them too\n",
          o.command[0]);
    }
    if (outcome && outcome->ExitStatus() != 0) {
      std::cerr << fmt::format(
          "sysgate learn: {} ended with status {}; the policy covers what this "
          "run did\n",
          o.command[0], outcome->ExitStatus());
    }
  }
  return outcome ? outcome->ExitStatus() : kExitOk;
}

int Run(const Options& o) {
  if (o.command.empty() == o.from_log.empty()) {
    PrintError(
        o.command.empty()
            ? "no program given: sysgate learn [OPTIONS] -- PROGRAM [ARG...], or --from-log FILE"
            : "--from-log learns from logs instead of running a program: give one or the other");
    return kExitUsage;
  }
  if (!o.from_log.empty() && (o.args || o.follow || !o.env.empty() || o.fs || o.net)) {
    PrintError(
        "--from-log: a log has no argument values or paths to learn (--args, --fs, --net) and runs "
        "nothing (--env, --follow)");
    return kExitUsage;
  }
  auto format = formats::FormatFromName(o.format);
  if (!format) {
    PrintError(fmt::format("unknown output format '{}' (formats: {})", o.format,
                           formats::FormatNames(true)));
    return kExitUsage;
  }
  if (o.args && *format == formats::Format::kSystemd) {  // said before the program runs
    PrintError(
        "systemd filters by syscall only: --args cannot be written as a unit (learn without "
        "--args, or learn a sysgate policy and convert it)");
    return kExitUsage;
  }
  auto def = ParseActionText(o.default_action);
  if (!def) {
    PrintError(
        fmt::format("--default: '{}' is not an action (kill-process, errno(EPERM), log, ...)",
                    o.default_action));
    return kExitUsage;
  }
  learn::Recording rec;
  for (const std::string& m : o.merge) {
    auto old = LoadMerge(m);
    if (!old) return kExitInvalid;
    rec.Merge(*old);
  }
  // Rules for files or ports this run does not record would leave out what it touched.
  if (!o.quiet && o.from_log.empty() &&
      ((rec.access.fs && !o.fs) || (rec.access.handled_net && !o.net))) {
    std::cerr << fmt::format(
        "sysgate: warning: the merged policies have {} rules, which are kept; "
        "this run records {}: add {} so that the rules cover it too\n",
        rec.access.fs && !o.fs ? "fs" : "net", rec.access.fs && !o.fs ? "no file" : "no port",
        rec.access.fs && !o.fs ? "--fs" : "--net");
  }

  learn::Recording fresh;
  std::optional<run::Outcome> outcome;  // none: learned from logs
  if (!o.from_log.empty()) {
    auto logged = ReadLogs(o.from_log);
    if (!logged) return kExitInvalid;
    fresh = std::move(*logged);
  } else {
    auto ran = RecordRun(o, fresh);
    if (const int* status = std::get_if<int>(&ran)) return *status;
    outcome = std::get<run::Outcome>(ran);
  }
  return Write(o, *format, *def, std::move(rec), fresh, outcome);
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("-o,--output", opts->output, "Policy file to write (default: stdout)");
  cmd->add_option("-f,--format", opts->format,
                  "Output format: " + formats::FormatNames(true) + " (default: sysgate)");
  cmd->add_flag("--args", opts->args,
                "Record argument values (socket families, ioctl requests, clone and mmap flags, "
                "open access modes, ...) and write them as conditions");
  cmd->add_option("--merge", opts->merge,
                  "Add the syscalls of an earlier learned policy (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--default", opts->default_action,
                  "The action for everything else (default: kill-process)");
  cmd->add_option("--counts", opts->counts,
                  "Also write \"name count\" lines, for compile --freq and stats --freq");
  cmd->add_option("--env", opts->env, "Set NAME=VALUE in the program's environment (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--fs", opts->fs,
                "Record the files the program opens, makes, removes and runs, and write `fs` rules "
                "for them, folded to directories (enforced by Landlock)");
  cmd->add_flag("--net", opts->net,
                "Record the TCP ports the program binds and connects to, and write `net` rules");
  cmd->add_flag("--follow", opts->follow,
                "Go on recording the processes the program leaves running (daemons) until they "
                "exit or Ctrl-C");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress line and no summary");
  cmd->add_option(
      "--from-log", opts->from_log,
      "Learn from a log instead of a run: strace's output (strace -f -o FILE), strace -c's "
      "table, seccomp audit records ('-': stdin; several: strace -ff's files)");
  cmd->add_option("command", opts->command, "-- PROGRAM [ARG...]");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "learn",
                                  .order = 130,
                                  .description = "Run a program and write the policy it needs",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
