// sysgate run: run a program under a policy (default: the built-in `default` profile).
//   sysgate run -- ls -l
//   sysgate run -p web.sgp --tsync -- ./server
//   sysgate run --profile strict --print
// Exit status: the program's, or 128 + signal (159 when the filter killed it); 125 when a
// setup step failed (the program never ran), 126/127 when it cannot be executed / found.
#include <fcntl.h>

#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <algorithm>

#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "cli_util.h"
#include "commands.h"
#include "kernel_denials.h"
#include "run_changes.h"
#include "run_report.h"
#include "supervise/access_effects.h"
#include "sysgate/landlock.h"
#include "sysgate/run.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string policy;
  std::string profile;
  std::vector<std::string> command;
  InputOptions input;
  RunChanges changes;
  std::string report_file;
  bool report_file_given = false;  // "" is not a file
  bool policy_given = false;       // nor a policy (an unset $POLICY must not mean the default)
  bool verbose = false;
  std::vector<std::string> arches;
  std::vector<int> keep_fds;
  std::vector<std::string> env;
  bool clear_env = false;
  bool print = false;
  bool log = false;
  bool tsync = false;
  bool spec_allow = false;
  bool drop_caps = false;
  bool no_new_session = false;
  bool quiet = false;
  bool json = false;
  std::string log_to = "stderr";
  bool no_report = false;
  bool report_access = false;
  bool audit = false;
  bool exec = false;
  std::string audit_log;
  bool audit_log_given = false;
};

void Say(const Options& o, const std::string& msg) {
  if (!o.quiet) std::cerr << "sysgate: " << msg << "\n";
}

// What a policy file brings besides its policy.
struct FromFile {
  formats::RuntimeSettings runtime;  // an OCI profile's flags
  std::string rules_file;            // a file of sysgate's language, whose rules the hints name
};

// The policy to run under as a policy (not a baked filter): a built-in profile parsed, or a
// policy file read, with --arch and --allow/--deny applied. Errors are printed.
std::optional<Policy> LoadPolicy(const Options& o, const std::string& profile, FromFile* from) {
  std::optional<Policy> policy;
  if (!profile.empty()) {
    ParsedPolicy parsed = ParseBuiltinProfile(profile);
    if (!parsed.ok()) {
      PrintError(UnknownProfileMessage(profile));
      return std::nullopt;
    }
    policy = std::move(*parsed.policy);
  } else {
    formats::Imported in = LoadAndReport(o.policy, o.input, /*quiet_warnings=*/true, o.arches);
    if (!in.ok()) return std::nullopt;
    policy = std::move(*in.policy);
    from->runtime = std::move(in.runtime);
    if (in.format == formats::Format::kSysgate) from->rules_file = o.policy;
  }
  if (!OverrideArches(*policy, o.arches)) return std::nullopt;
  for (const std::string& line : AllowOverrides(*policy, o.changes)) Say(o, line);
  if (!ApplyRunChanges(*policy, o.changes)) return std::nullopt;
  return policy;
}

// A file the supervisor writes (--audit-log, --report-file), or null with the error printed.
// Not through a symlink (the program may be able to plant one where the file goes), and a new
// one readable by its owner alone: reports show the program's calls and arguments. Above fd 2:
// with stdin, stdout or stderr closed it would take its place, and the supervisor
// lets go of those when the program is gone (--exec) or writes reports to fd 2. Never kept for
// the program (a --keep-fd of it is refused).
std::FILE* OpenSupervisorFile(const std::string& path, int flags, std::string_view what,
                              run::Options& ro) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | flags, 0600);
  int high = fd >= 0 ? fcntl(fd, F_DUPFD_CLOEXEC, 3) : -1;
  int err = errno;
  if (fd >= 0) close(fd);
  std::FILE* f = high >= 0 ? fdopen(high, "w") : nullptr;
  if (!f) {
    std::string why =
        err == ELOOP ? "it is a symlink, which sysgate does not follow" : strerror(err);
    PrintError(fmt::format("cannot write the {} {}: {}", what, path, why));
    return nullptr;
  }
  ro.supervisor_fds.push_back(high);
  return f;
}

// Says once if some of what went to a file OpenSupervisorFile opened was lost (a full disk).
void SayIfLost(std::FILE* f, const std::string& path, std::string_view what) {
  if (std::fflush(f) == 0 && std::ferror(f) == 0) return;
  PrintError(fmt::format("some of the {} could not be written to {}", what, path));
  std::clearerr(f);
}

// The filter to run under: a built-in profile as baked, or a policy file (or a profile with
// other arches) read, checked and compiled by the library. Errors are printed; nullopt means
// the program must not run.
std::optional<run::Filter> MakeFilter(const Options& o, const std::string& profile,
                                      run::Supervision mode, FromFile& from) {
  auto refuse = [&](const Error& e) -> std::optional<run::Filter> {
    PrintError(fmt::format("{}; not running {}", e.ToString(), o.command[0]));
    return std::nullopt;
  };
  // A new session keeps the caller's terminal from the program, the terminal rule every other
  // terminal (docs/run.md); --no-new-session shares it on purpose.
  const run::FilterOptions options{.supervision = mode,
                                   .deny_terminal_injection = !o.no_new_session,
                                   .report_access = o.report_access};
  if (!profile.empty() && o.arches.empty() && o.changes.empty()) {
    auto f = run::Filter::Builtin(profile, options);
    if (!f) return refuse(f.error());
    return std::move(*f);
  }
  std::optional<Policy> policy = LoadPolicy(o, profile, &from);
  if (!policy) return std::nullopt;
  auto f = run::Filter::ForPolicy(*policy, options);
  if (!f) return refuse(f.error());
  return std::move(*f);
}

// The exit code for options that do not go together, with the error said; nullopt when they do.
std::optional<int> RefuseOptions(const Options& o) {
  if (!o.policy.empty() && !o.profile.empty()) {
    PrintError("give a policy file (-p) or a built-in profile (--profile), not both");
    return run::kExitSetupFailed;
  }
  if (auto ok = CheckRunChanges(o.changes); !ok) {
    PrintError(ok.error().message);
    return kExitUsage;
  }
  for (const auto& [given, path, option] :
       {std::tuple(o.policy_given, &o.policy, "--policy"),
        std::tuple(o.report_file_given, &o.report_file, "--report-file"),
        std::tuple(o.audit_log_given, &o.audit_log, "--audit-log")}) {
    if (given && path->empty()) {
      PrintError(fmt::format("{} needs a file name", option));
      return kExitUsage;
    }
  }
  // A log option must never turn enforcement off: --audit-log alone once ran the program
  // permissively.
  if (o.audit_log_given && !o.audit) {
    PrintError(
        "--audit-log is for --audit, which does not enforce the policy; add --audit for a "
        "permissive run, or use --report-file to keep an enforcing run's reports");
    return kExitUsage;
  }
  if (o.log_to == "journal" && !o.report_file.empty()) {
    PrintError(
        "reports go to the journal (--log-to journal) or to a file (--report-file), not both");
    return kExitUsage;
  }
  if (o.input.old_strict && o.policy.empty()) {
    PrintError(
        "--strict is for a policy file's names (now --strict-names); for the strict "
        "built-in profile, say --profile strict");
    return kExitUsage;
  }
  return std::nullopt;
}

// As RefuseOptions, for what only running a program needs (not --print).
std::optional<int> RefuseRunOptions(const Options& o) {
  if (o.command.empty()) {
    PrintError("no program given: sysgate run [OPTIONS] -- PROGRAM [ARG...]");
    return kExitUsage;
  }
  if (o.report_access && (o.audit || o.no_report)) {
    PrintError(
        o.no_report
            ? "--report-access needs the supervisor; it cannot be combined with --no-report"
            : "--audit reports what the fs and net rules would deny already; drop --report-access");
    return kExitUsage;
  }
  if (o.audit && o.no_report) {
    PrintError("--audit needs the supervisor; it cannot be combined with --no-report");
    return kExitUsage;
  }
  return std::nullopt;
}

// --print: the policy the program would run under, as text.
int PrintOnly(const Options& o, const std::string& profile) {
  if (!profile.empty() && o.arches.empty() && o.changes.empty()) {
    std::cout << *BuiltinProfileText(profile);  // with its comments
    return kExitOk;
  }
  FromFile from;
  std::optional<Policy> policy = LoadPolicy(o, profile, &from);
  if (!policy) return run::kExitSetupFailed;
  std::cout << PrintPolicy(*policy);
  return kExitOk;
}

// What the filter leaves undone that the user may expect: the notes before the program runs.
void SayFilterNotes(const Options& o, const run::Filter& filter) {
  if (o.quiet) return;
  // (In audit mode the policy is parsed already: a baked profile's is not asked for.)
  if (o.audit && !filter.policy().access.empty()) {
    std::cerr << "sysgate: note: --audit applies none of the policy's fs, net and scope rules: it "
                 "reports what the fs and net rules would deny, from the calls it sees\n";
  }
  const bool checks_access = (o.audit && !filter.policy().access.empty()) ||
                             (o.report_access && !filter.landlock().empty());
  if (checks_access) {
    if (auto why = supervise::InheritedFilesUntold()) {
      std::cerr << "sysgate: note: the files the program starts with cannot be told from those "
                   "it opens here ("
                << *why << "): their ioctls and truncates are reported too\n";
    }
  }
  for (const std::string& d : filter.landlock().dropped()) {
    std::cerr << "sysgate: note: fs best-effort: not enforced: " << d << "\n";
  }
  if (o.report_access && filter.landlock().empty()) {
    std::cerr << "sysgate: note: --report-access: no fs or net rules are enforced here; nothing to "
                 "report\n";
  }
}

// How the program is started: the options, and an OCI profile's filter flags.
run::Options RunOptionsOf(const Options& o, const formats::RuntimeSettings& runtime) {
  run::Options ro;
  ro.argv = o.command;
  ro.keep_fds = o.keep_fds;
  ro.clear_env = o.clear_env;
  ro.env = o.env;
  ro.new_session = !o.no_new_session;
  ro.drop_caps = o.drop_caps;
  const std::vector<std::string>& flags = runtime.flags;
  auto has_flag = [&](std::string_view f) { return std::ranges::find(flags, f) != flags.end(); };
  ro.tsync = o.tsync || has_flag("SECCOMP_FILTER_FLAG_TSYNC");
  ro.log = o.log || has_flag("SECCOMP_FILTER_FLAG_LOG");
  ro.spec_allow = o.spec_allow || has_flag("SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  ro.wait_killable_recv = has_flag("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  return ro;
}

// Where the supervisor writes: --audit-log, the reports (stderr, --report-file or the journal).
struct Outputs {
  std::FILE* audit_log = nullptr;
  std::FILE* reports = stderr;
  std::optional<Journal> journal;
};

// The files and the journal of Outputs, opened and kept in the supervisor (ro.supervisor_fds);
// nullopt, with the error said, when one cannot be.
std::optional<Outputs> OpenOutputs(const Options& o, run::Options& ro) {
  Outputs out;
  if (!o.audit_log.empty()) {
    out.audit_log = OpenSupervisorFile(o.audit_log, O_TRUNC, "audit log", ro);
    if (!out.audit_log) return std::nullopt;
  }
  if (!o.report_file.empty()) {
    out.reports = OpenSupervisorFile(o.report_file, O_APPEND, "report file", ro);
    if (!out.reports) return std::nullopt;
  }
  if (o.log_to == "journal") {
    auto j = Journal::Open();
    if (!j) {
      PrintError(
          fmt::format("--log-to journal: {}; not running {}", j.error().ToString(), o.command[0]));
      return std::nullopt;
    }
    out.journal.emplace(std::move(*j));
    ro.supervisor_fds.push_back(out.journal->fd());
  }
  return out;
}

// What the supervisor reports of the calls it gets: with --audit, every call the policy would
// stop (an Auditor); else the blocked ones (a BlockedReporter), and with --report-access what
// the fs and net rules deny.
class Reporters {
 public:
  // `out` must outlive this: the journal is written through a pointer to it.
  Reporters(const Options& o, const run::Filter& filter, Outputs& out,
            const std::string& rules_file) {
    // To the journal, reports are entries with fields: the reporters write JSON for it.
    const ReportStyle style{.quiet = o.quiet,
                            .json = o.json || out.journal,
                            .verbose = o.verbose,
                            .policy_file = rules_file};
    const ReportSink sink = out.journal ? ReportSink(&*out.journal) : ReportSink(out.reports);
    if (o.audit) {
      auditor_.emplace(style, sink, out.audit_log);
      const AccessRules& access = filter.policy().access;
      if (access.scoped) auditor_->SetScopeUnchecked();
      if (!access.empty())
        auditor_->CheckAccess(AccessCheck(access, fs_access::kAll, net_access::kAll));
    } else {
      blocked_.emplace(style, sink);
      const kernel::LandlockRuleset& ruleset = filter.landlock();
      if (o.report_access && !ruleset.empty()) {
        blocked_->CheckAccess(
            AccessCheck(filter.policy().access, ruleset.handled_fs(), ruleset.handled_net()));
      }
    }
  }

  // run --log: the kernel's records of the program's denials come, from another thread.
  void ReadRecords(const run::Filter& filter) {
    const kernel::LandlockRuleset& ruleset = filter.landlock();
    if (blocked_) {
      blocked_->ReadRecords(
          AccessCheck(filter.policy().access, ruleset.handled_fs(), ruleset.handled_net()));
    }
  }
  void ReportRecorded(const KernelDenial& d) {
    std::lock_guard lock(mutex_);
    if (blocked_) blocked_->ReportRecorded(d);
  }

  void Report(const Policy& policy, const run::Call& c) {
    std::lock_guard lock(mutex_);
    if (auditor_)
      auditor_->Report(policy, c);
    else
      blocked_->Report(policy, c);
  }

  // The summary at the end, and how many reports were lost on the way to the journal.
  void Summary() {
    std::lock_guard lock(mutex_);
    if (auditor_)
      auditor_->Summary();
    else
      blocked_->Summary();
    const uint64_t lost = auditor_ ? auditor_->sink().lost() : blocked_->sink().lost();
    if (lost > 0) PrintError(fmt::format("{} reports did not reach the journal", lost));
  }

  bool auditing() const { return auditor_.has_value(); }

 private:
  std::mutex mutex_;  // the supervisor's reports and the kernel's records' come in two threads
  std::optional<Auditor> auditor_;
  std::optional<BlockedReporter> blocked_;
};

// run --log with fs, net or scope rules: the program's Landlock denials from the kernel's
// records (ABI 7, audit enabled), reported as they come; a note when they cannot be.
std::unique_ptr<KernelDenialReader> ReadKernelRecords(const Options& o, const run::Filter& filter,
                                                      Reporters& reporters) {
  if (!o.log || o.audit || o.quiet || o.no_report || filter.landlock().empty()) return nullptr;
  const std::string_view unreported =
      o.report_access ? "" : "; --report-access reports those the supervisor sees";
  if (o.exec) {
    Say(o, fmt::format("note: --log --exec: the kernel's records of the program's Landlock "
                       "denials are not read here (sysgate explain reads them){}",
                       unreported));
    return nullptr;
  }
  if (const int abi = kernel::LandlockAbi(); abi < 7) {
    Say(o, fmt::format("note: --log: this kernel's Landlock (ABI {}) records no denials (ABI 7 "
                       "does){}",
                       abi, unreported));
    return nullptr;
  }
  // (The thread reports nothing before Expect(): ReadRecords below comes first.)
  auto started = KernelDenialReader::Start(
      [&reporters](const KernelDenial& d) { reporters.ReportRecorded(d); });
  if (const auto* why = std::get_if<std::string>(&started)) {
    Say(o, fmt::format("note: --log: the kernel's records of the program's Landlock denials "
                       "cannot be read here ({}){}",
                       *why, unreported));
    return nullptr;
  }
  reporters.ReadRecords(filter);
  auto reader = std::move(std::get<std::unique_ptr<KernelDenialReader>>(started));
  if (!reader->caveat().empty()) Say(o, "note: --log: " + reader->caveat());
  return reader;
}

// The exit code of a run that could not start the program, with the error said.
int Failed(const Error& e) {
  PrintError(e.ToString());
  return run::StartFailureStatus(e);
}

// --exec: this process becomes the program, or fails; a supervisor process ends the reports.
int ExecProgram(const Options& o, const run::Filter& filter, run::Options& ro, Reporters& reporters,
                Outputs& out) {
  // The last words on stderr: the supervisor lets go of it once the program has exited.
  ro.on_program_exit = [&] {
    reporters.Summary();
    if (out.audit_log) SayIfLost(out.audit_log, o.audit_log, "audit log");
    if (out.reports != stderr) SayIfLost(out.reports, o.report_file, "reports");
  };
  // A count of repeats, only after a blocked call.
  ro.program_exit_needs_calls = !reporters.auditing();
  ro.on_finished = [&] {
    if (out.audit_log) std::fclose(out.audit_log);
    if (out.reports != stderr) std::fclose(out.reports);
  };
  auto r = run::ExecInPlace(filter, ro);
  return Failed(r.error());
}

// What became of the program, said after the reports: how the filter or the supervisor ended
// it, and with --json or the journal, an exit record.
void ReportOutcome(const Options& o, const run::Filter& filter, const run::Outcome& outcome,
                   Outputs& out) {
  if (!outcome.supervisor_failure.empty()) {
    PrintError(fmt::format("the supervisor could not go on ({}); {} (pid {}) was killed",
                           outcome.supervisor_failure, o.command[0], outcome.pid));
  }
  if (outcome.killed_by_filter) {
    Say(o, fmt::format("{} (pid {}) was killed by the filter (SIGSYS)", o.command[0], outcome.pid));
  } else if (outcome.signaled && outcome.signal == SIGSYS) {
    Say(o, fmt::format("{} (pid {}) was killed by SIGSYS", o.command[0], outcome.pid));
  }
  if (!o.json && !out.journal) return;
  nlohmann::json j = {{"program", o.command[0]},
                      {"pid", outcome.pid},
                      {"exit_status", outcome.ExitStatus()},
                      {"signal", outcome.signaled ? outcome.signal : 0},
                      {"killed_by_filter", outcome.killed_by_filter},
                      {"instructions", filter.program().size()}};
  if (out.journal) {
    j["event"] = "exit";
    if (!out.journal->Send(JournalEntry(j)))
      PrintError("the exit report did not reach the journal");
  } else {
    // after the reports, where they went
    std::fputs((j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n").c_str(),
               out.reports);
  }
}

int Run(const Options& o) {
  if (std::optional<int> refused = RefuseOptions(o)) return *refused;
  const std::string profile = o.profile.empty() && o.policy.empty() ? "default" : o.profile;
  if (!profile.empty() && !BuiltinProfileText(profile)) {
    PrintError(UnknownProfileMessage(profile));
    return o.print ? kExitUsage : run::kExitSetupFailed;
  }
  if (o.print) return PrintOnly(o, profile);
  if (std::optional<int> refused = RefuseRunOptions(o)) return *refused;
  // Any problem from here to exec: the program does not run.
  const run::Supervision mode = o.audit       ? run::Supervision::kAudit
                                : o.no_report ? run::Supervision::kNone
                                              : run::Supervision::kReport;
  FromFile from;
  std::optional<run::Filter> filter = MakeFilter(o, profile, mode, from);
  if (!filter) return run::kExitSetupFailed;
  SayFilterNotes(o, *filter);
  run::Options ro = RunOptionsOf(o, from.runtime);
  std::optional<Outputs> out = OpenOutputs(o, ro);
  if (!out) return run::kExitSetupFailed;
  Reporters reporters(o, *filter, *out, from.rules_file);
  ro.on_call = [&](const run::Call& c) { reporters.Report(filter->policy(), c); };
  std::unique_ptr<KernelDenialReader> records = ReadKernelRecords(o, *filter, reporters);
  if (o.exec) return ExecProgram(o, *filter, ro, reporters, *out);
  if (records) {
    ro.on_started = [&records](pid_t pid) { records->Expect(pid); };
    ro.supervisor_fds.push_back(records->fd());  // never the program's (--keep-fd)
  }
  auto outcome = run::Run(*filter, ro);
  // The wait for the records still on their way (a second at most): a SIGINT or SIGTERM then
  // takes effect after the summary, not before it.
  sigset_t stops, before;
  sigemptyset(&stops);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&stops, sig);
  pthread_sigmask(SIG_BLOCK, &stops, &before);
  if (records) {
    if (std::string problems = records->Finish(); !problems.empty())
      Say(o, "note: the kernel's records of Landlock denials: " + problems);
  }
  reporters.Summary();
  pthread_sigmask(SIG_SETMASK, &before, nullptr);
  if (out->audit_log) {
    SayIfLost(out->audit_log, o.audit_log, "audit log");
    std::fclose(out->audit_log);
  }
  if (!outcome) return Failed(outcome.error());
  ReportOutcome(o, *filter, *outcome, *out);
  if (out->reports != stderr) {
    SayIfLost(out->reports, o.report_file, "reports");
    std::fclose(out->reports);
  }
  return outcome->ExitStatus();
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::Option* policy = cmd->add_option("-p,--policy", opts->policy, "Policy file");
  cmd->add_option("--profile", opts->profile, "Built-in profile: default, strict");
  cmd->add_flag("--print", opts->print, "Print the policy and exit");
  cmd->add_flag("--log", opts->log,
                "SECCOMP_FILTER_FLAG_LOG: the kernel logs every non-allow action, and "
                "(Landlock ABI 7) the program's denials by the fs, net and scope rules, which "
                "are then reported from the kernel's records (audit enabled, CAP_AUDIT_READ)");
  cmd->add_flag("--tsync", opts->tsync, "SECCOMP_FILTER_FLAG_TSYNC");
  cmd->add_flag("--spec-allow", opts->spec_allow,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW: do not force speculative-execution mitigations");
  cmd->add_option("--keep-fd", opts->keep_fds, "Keep this inherited fd open (repeatable)")
      ->allow_extra_args(false);
  cmd->add_option("--env", opts->env, "Set NAME=VALUE in the program's environment (repeatable)")
      ->allow_extra_args(false);
  cmd->add_flag("--clear-env", opts->clear_env, "Start from an empty environment");
  cmd->add_option("-a,--arch", opts->arches, "Target arches (replaces the policy's)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_flag("--drop-caps", opts->drop_caps, "Drop all capabilities before exec");
  cmd->add_flag("--no-new-session", opts->no_new_session,
                "Keep the terminal session (allows TIOCSTI on it)");
  AddInputOptions(cmd, opts->input);
  cmd->add_option(
         "--allow", opts->changes.allow,
         "Also allow these syscalls and @groups (NAME,@GROUP,...; before the policy's rules)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--deny", opts->changes.deny,
                  "Fail these syscalls and @groups with EPERM (NAME,@GROUP,...; before --allow and "
                  "the policy's rules)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_flag("-q,--quiet", opts->quiet, "Print only errors");
  cmd->add_flag("-v,--verbose", opts->verbose,
                "Also report the expected fallbacks (clone3 -> ENOSYS, ...)");
  cmd->add_flag(
      "--json", opts->json,
      "Print blocked calls and a summary as JSON lines (on stderr, or to the --report-file)");
  cmd->add_option(
         "--log-to", opts->log_to,
         "Where reports go: stderr (default), or journal (the systemd journal: an entry per "
         "report, with SYSGATE_* fields)")
      ->check(CLI::IsMember({"stderr", "journal"}));
  CLI::Option* report_file =
      cmd->add_option("--report-file", opts->report_file,
                      "Write reports to FILE (appended; a new one mode 0600; not through a "
                      "symlink) instead of the program's stderr");
  cmd->add_flag("--no-report", opts->no_report,
                "Do not supervise: no reports, and the policy must allow execve");
  cmd->add_flag("--report-access", opts->report_access,
                "Also report each call the policy's fs and net rules deny (such calls then pass "
                "through the supervisor: slower)");
  cmd->add_flag("--audit", opts->audit,
                "Permissive: run as if unfiltered, and report every call the policy would stop");
  CLI::Option* audit_log =
      cmd->add_option("--audit-log", opts->audit_log,
                      "With --audit: also write each such call to FILE as a JSON line");
  cmd->add_flag("--exec", opts->exec,
                "Become the program (same pid, its own exit status) instead of waiting for it; "
                "blocked calls are reported by a supervisor process that outlives it");
  cmd->add_option("command", opts->command, "-- PROGRAM [ARG...]");
  cmd->callback([opts, exit_code, report_file, audit_log, policy] {
    opts->report_file_given = report_file->count() > 0;
    opts->policy_given = policy->count() > 0;
    opts->audit_log_given = audit_log->count() > 0;
    *exit_code = Run(*opts);
  });
}

const Registration kRegistration{
    {.name = "run",
     .order = 100,
     .description = "Run a program under a policy (default: the built-in default profile)",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
