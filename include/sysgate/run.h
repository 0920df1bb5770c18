// Running a program under a filter: fork, prepare the child, install the filter last, exec.
// Fail closed: if any step before exec fails, the program never runs and the step is named.
//
//   run::SpawnOptions o;
//   o.argv = {"/bin/ls", "-l"};
//   Result<run::Outcome> r = run::Run(program, o);
//   if (!r) ...                         // a setup step failed: r.error() says which and why
//   return r->ExitStatus();             // the program's code, or 128 + signal (159: SIGSYS)
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sysgate/bpf.h"
#include "sysgate/interpreter.h"
#include "sysgate/supervisor.h"

namespace sysgate::run {

// A syscall the policy blocked, as the supervisor saw it.
struct BlockedCall {
  int pid = 0;          // the thread that made it
  SeccompData data;
  std::string call;     // decoded like strace: openat(AT_FDCWD, "/etc/shadow", 0)
  Verdict verdict;      // what the policy says, and which rule
  bool killed = false;  // the process was killed for it (else the call failed with an errno)
};

struct SpawnOptions {
  std::vector<std::string> argv;   // argv[0] is looked up in PATH unless it has a '/'
  std::vector<int> keep_fds;       // inherited fds kept open besides 0, 1 and 2
  bool clear_env = false;          // start from an empty environment
  std::vector<std::string> env;    // NAME=VALUE to set (after clear_env)
  bool new_session = true;         // setsid() (ExecInPlace: TIOCNOTTY): the program cannot
                                   // reach our terminal (TIOCSTI)
  bool drop_caps = false;          // empty the capability sets (and the bounding set)
  bool tsync = false;              // SECCOMP_FILTER_FLAG_TSYNC
  bool log = false;                // SECCOMP_FILTER_FLAG_LOG
  bool spec_allow = false;         // SECCOMP_FILTER_FLAG_SPEC_ALLOW: keep speculation as it is
  bool wait_killable_recv = false; // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (supervised only)
  bool forward_signals = true;     // pass SIGINT, SIGTERM, SIGHUP, SIGQUIT on to the program
  // Supervised only: when the program exits, go on supervising the processes it left running
  // (daemons) until none uses the filter any more, or until SIGINT or SIGTERM reaches the
  // runner. Otherwise their notified calls fail with ENOSYS once the program has exited.
  bool follow_descendants = false;

  // Supervision: when set, `program` must be compiled from
  // supervise::RouteBlockingVerdicts(*supervise_policy). Every blocked syscall then reaches
  // the runner, which answers it as the policy says (it never runs), reports it through
  // on_blocked, and lets the program's first execve (the runner's own) through, so that the
  // policy need not allow execve. If the runner dies, blocked calls fail with ENOSYS and the
  // program is killed (parent-death signal).
  const Policy* supervise_policy = nullptr;
  // Instead of supervise_policy: called once, at the first blocked call, so that a caller whose
  // program was compiled ahead of time (sysgate run's built-in profiles) parses the policy only
  // if some call needs it. It must return a policy that lives until Run returns.
  std::function<const Policy&()> load_supervise_policy;
  std::function<void(const BlockedCall&)> on_blocked;
  // ExecInPlace only, called in the supervisor process: when the program has exited (an audit
  // summary; reports stop there), and when no process uses the filter any more (files to
  // close). Run's caller simply continues after Run.
  std::function<void()> on_program_exit;
  std::function<void()> on_finished;
  // ExecInPlace only: fds of the caller's that the supervisor process uses (an audit log).
  // They stay open for it and are closed for the program; every other fd is closed.
  std::vector<int> supervisor_fds;

  // Or any supervisor: `program` returns notify for the calls it should see, and every
  // notification but the runner's own exec goes to it (sysgate learn and run --audit).
  Supervisor* supervisor = nullptr;
};

// The setup steps of the child, in order; a failure names one.
enum class Stage : uint8_t {
  kCloseFds = 1, kSetsid, kPdeathsig, kDropCaps, kNoNewPrivs, kInstall, kExec,
  kSupervisor,     // ExecInPlace: starting the supervisor process
  kLeaveTerminal,  // ExecInPlace: giving up the controlling terminal (its new_session)
};
std::string_view StageName(Stage s);

struct Outcome {
  int pid = 0;
  bool signaled = false;
  int code = 0;    // exit code
  int signal = 0;  // terminating signal
  bool killed_by_policy = false;  // the supervisor killed it for a kill verdict
  // What a shell reports: the exit code, or 128 + signal.
  // Killed for a kill verdict: 159 (128 + SIGSYS), as if the kernel had killed it.
  int ExitStatus() const {
    if (killed_by_policy) return 128 + 31;
    return signaled ? 128 + signal : code;
  }
};

// Exit codes of the runner itself when the program could not be started.
inline constexpr int kExitSetupFailed = 125;   // a step before exec failed (or the filter)
inline constexpr int kExitCannotExecute = 126; // found but not executable
inline constexpr int kExitNotFound = 127;      // no such program

// Runs argv under `program` and waits for it. The error of a failed step carries the stage in
// its message and errno in sys_errno; `failed_stage` (if given) receives it.
Result<Outcome> Run(const bpf::Program& program, const SpawnOptions& options,
                    Stage* failed_stage = nullptr);

// Replaces the calling process with argv under `program` (exec in place, as env(1) or
// systemd's SystemCallFilter=): the same pid, the same parent, signals and exit status straight
// between the program and whoever started the caller; no process waits in between.
// The calling process must be single-threaded. Every step of Run happens here, in this
// process, but the parent-death signal (there is no runner to die); new_session gives up the
// controlling terminal instead of starting a session (the program stays a job of its shell;
// docs/run.md). Supervised (the same options as Run), blocked calls are answered and reported
// by a supervisor process started here, which is not the program's child; it reports until
// the program exits and answers calls until no process uses the filter (descendants left
// running are still answered, silently). There is no exit status to report. If the supervisor
// is killed, blocked calls fail with ENOSYS.
// Returns only if the program could not be started; the filter may then already be installed.
Result<void> ExecInPlace(const bpf::Program& program, const SpawnOptions& options,
                         Stage* failed_stage = nullptr);

}  // namespace sysgate::run
