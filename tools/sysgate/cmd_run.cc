// sysgate run: run a program under a policy (default: the built-in `default` profile).
//   sysgate run -- ls -l
//   sysgate run -p web.sgp --tsync -- ./server
//   sysgate run --profile strict --print
// Exit status: the program's, or 128 + signal (159 when the filter killed it); 125 when a
// setup step failed (the program never ran), 126/127 when it cannot be executed / found.
#include <algorithm>
#include <linux/seccomp.h>
#include <signal.h>
#include <string.h>

#include <cstdio>
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/check.h"
#include "base/strings.h"
#include "baked_profiles.h"
#include "cli_util.h"
#include "commands.h"
#include "run_report.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/interpreter.h"
#include "sysgate/kernel.h"
#include "supervise/policy_supervisor.h"
#include "sysgate/run.h"
#include "sysgate/supervisor.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string policy;
  std::string profile;
  std::vector<std::string> command;
  InputOptions input;
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
  bool no_report = false;
  bool audit = false;
  bool exec = false;
  std::string audit_log;
};

void Say(const Options& o, const std::string& msg) {
  if (!o.quiet) std::cerr << "sysgate: " << msg << "\n";
}

// The filter for a policy file, or a built-in profile that was not baked: parsed, checked
// against what the kernel supports, routed to the supervisor as the run needs, compiled and
// verified. Errors are printed; nullopt means the program must not run.
std::optional<bpf::Program> CompileForRun(const Options& o, const std::string& profile,
                                          const kernel::Features& features, bool supervise,
                                          bool audit, std::optional<ParsedPolicy>& parsed,
                                          formats::RuntimeSettings& runtime) {
  if (!profile.empty()) {
    parsed = ParseBuiltinProfile(profile);
    if (!parsed->ok()) {
      std::cerr << parsed->RenderDiagnostics(ColorStderr());
      PrintError(fmt::format("no usable built-in profile '{}' (profiles: {})", profile,
                             fmt::join(BuiltinProfileNames(), ", ")));
      return std::nullopt;
    }
  } else {
    formats::Imported in = LoadAndReport(o.policy, o.input, /*quiet_warnings=*/true, o.arches);
    if (!in.ok()) return std::nullopt;
    parsed.emplace();
    parsed->policy = std::move(in.policy);
    runtime = std::move(in.runtime);
  }
  Policy& policy = *parsed->policy;
  if (!OverrideArches(policy, o.arches)) return std::nullopt;
  auto check_action = [&](const Action& a) {
    if (features.Supports(a)) return true;
    PrintError(fmt::format("the policy uses {}, which this kernel does not support ({}); not "
                           "running {}",
                           a.ToString(), features.ToString(), o.command[0]));
    return false;
  };
  if (!check_action(policy.default_action) || !check_action(policy.unknown_action)) {
    return std::nullopt;
  }
  for (const Rule& r : policy.rules) {
    if (!check_action(r.action)) return std::nullopt;
  }
  if (!supervise) {
    // Unsupervised, starting the program is an execve under the filter: it must be allowed.
    Arch host = HostArch();
    if (auto nr = SyscallNumber(host, "execve")) {
      Verdict v = Interpreter(policy).Evaluate(SeccompData::For(host, *nr));
      ActionKind k = v.action.kind();
      if (k != ActionKind::kAllow && k != ActionKind::kLog) {
        PrintError(fmt::format("the policy does not allow execve ({}), which starting {} needs "
                               "without the supervisor (--no-report, or a kernel without "
                               "user notification)",
                               v.action.ToString(), o.command[0]));
        return std::nullopt;
      }
    }
  }
  Policy installed = audit       ? supervise::RouteForAudit(policy)
                     : supervise ? supervise::RouteBlockingVerdicts(policy)
                                 : policy;
  auto compiled = Compile(installed);
  if (!compiled) {
    PrintError(compiled.error().ToString());
    return std::nullopt;
  }
  if (auto v = analysis::VerifyTranslation(installed, *compiled); !v) {
    PrintError(v.error().ToString() + " (a sysgate bug; please report it)");
    return std::nullopt;
  }
  return std::move(*compiled);
}

int Run(const Options& o) {
  if (!o.policy.empty() && !o.profile.empty()) {
    PrintError("give a policy file (-p) or a built-in profile (--profile), not both");
    return run::kExitSetupFailed;
  }
  std::string profile = o.profile.empty() && o.policy.empty() ? "default" : o.profile;
  if (o.print) {
    if (!profile.empty()) {
      auto text = BuiltinProfileText(profile);
      if (!text) {
        PrintError(fmt::format("no built-in profile '{}' (profiles: {})", profile,
                               fmt::join(BuiltinProfileNames(), ", ")));
        return kExitUsage;
      }
      std::cout << *text;
    } else {
      formats::Imported r = LoadAndReport(o.policy, o.input, true, o.arches);
      if (!r.ok()) return run::kExitSetupFailed;
      std::cout << PrintPolicy(*r.policy);
    }
    return kExitOk;
  }
  if (o.command.empty()) {
    PrintError("no program given: sysgate run [OPTIONS] -- PROGRAM [ARG...]");
    return kExitUsage;
  }
  // Any problem from here to exec: the program does not run.
  const kernel::Features& features = kernel::Probe();
  if (!features.filter_mode) {
    PrintError("this kernel does not support seccomp filters; not running " + o.command[0]);
    return run::kExitSetupFailed;
  }
  // Supervised (the default): blocking verdicts go to the runner, which reports each and
  // answers it as the policy says; the runner's own exec of the program is let through.
  const bool can_supervise = features.user_notif && (features.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER);
  const bool audit = o.audit || !o.audit_log.empty();
  if (audit && (!can_supervise || o.no_report)) {
    PrintError(o.no_report ? "--audit needs the supervisor; it cannot be combined with --no-report"
                           : "--audit needs seccomp user notification, which this kernel lacks");
    return run::kExitSetupFailed;
  }
  const bool supervise = !o.no_report && can_supervise;

  // A built-in profile run as usual was compiled and verified when sysgate was built
  // (baked_profiles.h); its policy is then parsed only if a blocked call needs it.
  const BakedProfile* baked = nullptr;
  if (!profile.empty() && o.arches.empty() && !audit) {
    baked = FindBakedProfile(profile);
    // Otherwise the path below says which action this kernel lacks, or that execve is needed.
    if (baked && (!std::ranges::all_of(baked->actions, [&](ActionKind k) { return features.Supports(k); }) ||
                  (!supervise && !baked->allows_execve))) {
      baked = nullptr;
    }
  }
  std::optional<ParsedPolicy> parsed;
  formats::RuntimeSettings runtime;  // an OCI profile's flags
  auto lazy_policy = [&]() -> const Policy& {
    if (!parsed) parsed = ParseBuiltinProfile(profile);
    SG_CHECK(parsed->ok(), "a built-in profile that parsed when sysgate was built must parse now");
    return *parsed->policy;
  };
  bpf::Program prog;
  if (baked) {
    std::span<const bpf::Insn> p = supervise ? baked->supervised : baked->unsupervised;
    prog.assign(p.begin(), p.end());
  } else {
    auto compiled = CompileForRun(o, profile, features, supervise, audit, parsed, runtime);
    if (!compiled) return run::kExitSetupFailed;
    prog = std::move(*compiled);
  }
  run::SpawnOptions spawn;
  spawn.argv = o.command;
  spawn.keep_fds = o.keep_fds;
  spawn.clear_env = o.clear_env;
  spawn.env = o.env;
  spawn.new_session = !o.no_new_session;
  spawn.drop_caps = o.drop_caps;
  auto has_flag = [&](std::string_view f) { return std::ranges::find(runtime.flags, f) != runtime.flags.end(); };
  spawn.tsync = o.tsync || has_flag("SECCOMP_FILTER_FLAG_TSYNC");
  spawn.log = o.log || has_flag("SECCOMP_FILTER_FLAG_LOG");
  spawn.spec_allow = o.spec_allow || has_flag("SECCOMP_FILTER_FLAG_SPEC_ALLOW");
  spawn.wait_killable_recv = has_flag("SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
  std::FILE* audit_log = nullptr;
  if (!o.audit_log.empty()) {
    audit_log = std::fopen(o.audit_log.c_str(), "we");
    if (!audit_log) {
      PrintError(fmt::format("cannot write the audit log {}: {}", o.audit_log, strerror(errno)));
      return run::kExitSetupFailed;
    }
  }
  const ReportStyle style{o.quiet, o.json};
  std::optional<Auditor> auditor;
  Supervisor audit_supervisor;
  if (audit) {
    auditor.emplace(style, *parsed->policy, audit_log);
    audit_supervisor.Otherwise([&](SyscallCall& c) { return auditor->Handle(c); });
    spawn.supervisor = &audit_supervisor;
  } else if (supervise) {
    spawn.load_supervise_policy = lazy_policy;
    spawn.on_blocked = [&](const run::BlockedCall& b) { ReportBlocked(style, lazy_policy(), b); };
  }
  run::Stage stage{};
  auto failed = [&](const Error& e) {
    PrintError(e.ToString());
    if (stage == run::Stage::kExec) {
      return e.sys_errno == ENOENT ? run::kExitNotFound : run::kExitCannotExecute;
    }
    return run::kExitSetupFailed;
  };
  if (o.exec) {
    // The supervisor process ends the audit; this process becomes the program, or fails.
    if (auditor) spawn.on_program_exit = [&] { auditor->Summary(); };
    spawn.on_finished = [&] {
      if (audit_log) std::fclose(audit_log);
    };
    if (audit_log) spawn.supervisor_fds.push_back(fileno(audit_log));
    auto r = run::ExecInPlace(prog, spawn, &stage);
    return failed(r.error());
  }
  auto outcome = run::Run(prog, spawn, &stage);
  if (auditor) auditor->Summary();
  if (audit_log) std::fclose(audit_log);
  if (!outcome) return failed(outcome.error());
  if (outcome->killed_by_policy || (outcome->signaled && outcome->signal == SIGSYS)) {
    Say(o, fmt::format("{} (pid {}) was killed by the filter (SIGSYS)", o.command[0], outcome->pid));
  }
  if (o.json) {
    nlohmann::json j = {{"program", o.command[0]},
                        {"pid", outcome->pid},
                        {"exit_status", outcome->ExitStatus()},
                        {"signal", outcome->signaled ? outcome->signal : 0},
                        {"instructions", prog.size()}};
    std::cerr << j.dump() << "\n";
  }
  return outcome->ExitStatus();
}

}  // namespace

void RegisterRun(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("run", "Run a program under a policy (default: the built-in default profile)");
  cmd->add_option("-p,--policy", opts->policy, "Policy file");
  cmd->add_option("--profile", opts->profile, "Built-in profile: default, strict");
  cmd->add_flag("--print", opts->print, "Print the policy and exit");
  cmd->add_flag("--log", opts->log, "SECCOMP_FILTER_FLAG_LOG: the kernel logs every non-allow action");
  cmd->add_flag("--tsync", opts->tsync, "SECCOMP_FILTER_FLAG_TSYNC");
  cmd->add_flag("--spec-allow", opts->spec_allow,
                "SECCOMP_FILTER_FLAG_SPEC_ALLOW: do not force speculative-execution mitigations");
  cmd->add_option("--keep-fd", opts->keep_fds, "Keep this inherited fd open (repeatable)")->allow_extra_args(false);
  cmd->add_option("--env", opts->env, "Set NAME=VALUE in the program's environment (repeatable)")->allow_extra_args(false);
  cmd->add_flag("--clear-env", opts->clear_env, "Start from an empty environment");
  cmd->add_option("-a,--arch", opts->arches, "Target arches (replaces the policy's)")->delimiter(',')->allow_extra_args(false);
  cmd->add_flag("--drop-caps", opts->drop_caps, "Drop all capabilities before exec");
  cmd->add_flag("--no-new-session", opts->no_new_session, "Keep the terminal session (allows TIOCSTI on it)");
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("-q,--quiet", opts->quiet, "Print only errors");
  cmd->add_flag("--json", opts->json, "Print blocked calls and a summary as JSON lines on stderr");
  cmd->add_flag("--no-report", opts->no_report,
                "Do not supervise: no reports, and the policy must allow execve");
  cmd->add_flag("--audit", opts->audit,
                "Permissive: run as if unfiltered, and report every call the policy would stop");
  cmd->add_option("--audit-log", opts->audit_log,
                  "With --audit: also write each such call to FILE as a JSON line");
  cmd->add_flag("--exec", opts->exec,
                "Become the program (same pid, its own exit status) instead of waiting for it; "
                "blocked calls are reported by a supervisor process that outlives it");
  cmd->add_option("command", opts->command, "-- PROGRAM [ARG...]");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace sysgate::cli
