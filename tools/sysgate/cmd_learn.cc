// sysgate learn: run a program, record what it calls, and write the policy that allows it.
//   sysgate learn -o app.sgp -- ./app --serve
//   sysgate learn --args --merge app.sgp -o app.sgp -- ./app --selftest
//   sysgate learn -f oci -o app.json -- ./app
// Exit status: the program's (the policy is written either way), or 125 when the recording
// could not start.
#include <unistd.h>

#include <chrono>
#include <iostream>

#include <fmt/format.h>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/learn.h"
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
  std::vector<std::string> command;
};

std::optional<Action> ParseActionText(const std::string& text) {
  ParsedPolicy p = ParsePolicyText("default " + text, "--default");
  if (!p.ok()) return std::nullopt;
  return p.policy->default_action;
}

// A learned (or hand-written) policy read back for --merge.
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

int Run(const Options& o) {
  if (o.command.empty()) {
    PrintError("no program given: sysgate learn [OPTIONS] -- PROGRAM [ARG...]");
    return kExitUsage;
  }
  auto format = formats::FormatFromName(o.format);
  if (!format) {
    PrintError(fmt::format("unknown output format '{}' (formats: {})", o.format, formats::FormatNames(true)));
    return kExitUsage;
  }
  auto def = ParseActionText(o.default_action);
  if (!def) {
    PrintError(fmt::format("--default: '{}' is not an action (kill-process, errno(EPERM), log, ...)",
                           o.default_action));
    return kExitUsage;
  }
  learn::Recording rec;
  for (const std::string& m : o.merge) {
    auto old = LoadMerge(m);
    if (!old) return kExitInvalid;
    rec.Merge(*old);
  }

  learn::RecordOptions ro;
  ro.run.argv = o.command;
  ro.run.env = o.env;
  ro.run.follow_descendants = o.follow;
  ro.args = o.args;
  const bool live = !o.quiet && isatty(STDERR_FILENO);
  auto last = std::chrono::steady_clock::now();
  if (live) {
    ro.on_progress = [&](const learn::Progress& p) {
      auto now = std::chrono::steady_clock::now();
      if (p.latest_new.empty() && now - last < std::chrono::milliseconds(100)) return;
      last = now;
      std::cerr << fmt::format("\r\033[Ksysgate learn: {} syscalls, {} distinct{}", p.total, p.distinct,
                               p.latest_new.empty() ? "" : ", new: " + p.latest_new)
                << std::flush;
    };
  }
  learn::Recording fresh;
  auto outcome = learn::Record(ro, &fresh);
  if (live) std::cerr << "\r\033[K";
  if (!outcome) {
    PrintError(outcome.error().ToString());
    return run::kExitSetupFailed;
  }
  size_t new_calls = 0;
  for (const auto& [key, r] : fresh.calls) new_calls += rec.calls.contains(key) ? 0 : 1;
  rec.Merge(fresh);

  learn::SynthesisOptions so;
  so.default_action = *def;
  so.args = o.args;
  so.allow_start_exec = *format != formats::Format::kSysgate;
  std::string command;
  for (const std::string& a : o.command) command += (command.empty() ? "" : " ") + a;
  so.command = command;
  auto learned = learn::Synthesize(rec, so);
  if (!learned) {
    PrintError(learned.error().ToString());
    return kExitInvalid;
  }
  std::string text = learned->text;
  if (*format != formats::Format::kSysgate) {
    formats::Exported e = formats::Export(learned->policy, *format);
    for (const Diagnostic& d : e.diagnostics) {
      if (d.severity == Severity::kError) PrintError(d.message);
    }
    if (!e.text) return kExitInvalid;
    text = *e.text;
  }
  if (auto w = WriteOutput(o.output, text); !w) {
    PrintError(w.error().message);
    return kExitInvalid;
  }
  if (!o.counts.empty()) {
    if (auto w = WriteOutput(o.counts, learn::FrequencyText(rec)); !w) {
      PrintError(w.error().message);
      return kExitInvalid;
    }
  }
  if (!o.quiet) {
    std::cerr << fmt::format("sysgate learn: {} syscalls, {} distinct ({} new{}); {} rules {}\n",
                             fresh.total, fresh.Distinct(), new_calls,
                             o.merge.empty() ? "" : fmt::format(", {} after merging", rec.Distinct()),
                             learned->policy.rules.size(),
                             o.output.empty() || o.output == "-" ? "written to stdout"
                                                                 : "written to " + o.output);
    if (outcome->ExitStatus() != 0) {
      std::cerr << fmt::format("sysgate learn: {} ended with status {}; the policy covers what this "
                               "run did\n",
                               o.command[0], outcome->ExitStatus());
    }
  }
  return outcome->ExitStatus();
}

}  // namespace

void RegisterLearn(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("learn", "Run a program and write the policy it needs");
  cmd->add_option("-o,--output", opts->output, "Policy file to write (default: stdout)");
  cmd->add_option("-f,--format", opts->format,
                  "Output format: " + formats::FormatNames(true) + " (default: sysgate)");
  cmd->add_flag("--args", opts->args,
                "Record argument values (socket families, ioctl requests, clone and mmap flags, "
                "open access modes, ...) and write them as conditions");
  cmd->add_option("--merge", opts->merge, "Add the syscalls of an earlier learned policy (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--default", opts->default_action,
                  "The action for everything else (default: kill-process)");
  cmd->add_option("--counts", opts->counts,
                  "Also write \"name count\" lines, for compile --freq and stats --freq");
  cmd->add_option("--env", opts->env, "Set NAME=VALUE in the program's environment (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--follow", opts->follow,
                "Go on recording the processes the program leaves running (daemons) until they "
                "exit or Ctrl-C");
  cmd->add_flag("-q,--quiet", opts->quiet, "No progress line and no summary");
  cmd->add_option("command", opts->command, "-- PROGRAM [ARG...]");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace sysgate::cli
