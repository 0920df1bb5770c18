// Running a program under a policy: fork, prepare the child, install the filter last, exec, and
// answer and report the calls the policy blocks. Fail closed: if any step before exec fails, the
// program never runs and the step is named. What holds against a program that attacks its
// supervisor is in docs/run.md ("Safety").
//
//   auto filter = run::Filter::ForPolicy(policy);        // or run::Filter::Builtin("default")
//   if (!filter) ...                                     // an action the kernel lacks, ...
//   run::Options o;
//   o.argv = {"/bin/ls", "-l"};
//   o.on_call = [](const run::Call& c) { std::cerr << c.text << "\n"; };   // each blocked call
//   Result<run::Outcome> r = run::Run(*filter, o);
//   if (!r) ...                                          // a setup step failed: which and why
//   return r->ExitStatus();                              // the program's, or 128 + signal
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/bpf.h"
#include "sysgate/interpreter.h"
#include "sysgate/landlock.h"
#include "sysgate/policy.h"

namespace sysgate {
class SyscallCall;  // sysgate/supervisor.h
}  // namespace sysgate

namespace sysgate::run {

// Who carries out the policy's verdicts.
enum class Supervision : uint8_t {
  // The default. A call the policy fails with an errno reaches a supervisor in the runner, which
  // answers it as the policy says (it never runs) and reports it (Options::on_call). Every other
  // verdict, kill-process above all, the kernel carries out: nothing the program does to its
  // supervisor can change those. The runner's own exec of the program is let through, so the
  // policy need not allow execve.
  kReport,
  // No supervisor: the kernel carries out every verdict, and nothing is reported. The policy must
  // allow the runner's execve.
  kNone,
  // Permissive: the program runs as if unfiltered; every call the policy would stop (any verdict
  // but allow and log, and calls of ABIs it does not target) is reported and then runs.
  kAudit,
};

struct FilterOptions {
  Supervision supervision = Supervision::kReport;
  // TIOCSTI and TIOCLINUX fail with EPERM whatever the policy says, as in the built-in profiles
  // (CVE-2017-5226): a new session (Options::new_session) keeps an unprivileged program from
  // pushing keystrokes into the caller's terminal, but not a program with CAP_SYS_ADMIN, which
  // may do so on any terminal. Off only for a run that shares the caller's session on purpose.
  // (Not in audit mode, which reports the policy as written.)
  bool deny_terminal_injection = true;
  // kReport with fs or net rules: the calls that reach files and ports and that the policy
  // allows reach the supervisor too, which lets them run and reports (Options::on_call, with
  // an allow verdict and no text) so that what those rules deny can be said. Each such call
  // then waits for the supervisor: slower (docs/landlock.md).
  bool report_access = false;
};

// What a run installs: a policy checked against the running kernel (an action it lacks is an
// error, never a silent downgrade), routed for its supervision, compiled and verified against
// the policy (translation validation). Cheap to copy.
class Filter {
 public:
  // `policy` must be resolved and valid (the readers and PolicyBuilder give such policies).
  // Without user notification in the kernel, kReport becomes kNone (see supervision()).
  static Result<Filter> ForPolicy(const Policy& policy, const FilterOptions& options = {});
  // A built-in profile ("default", "strict"). For the build host's arches these were compiled
  // and verified when sysgate was built: nothing is parsed unless a call needs the policy.
  static Result<Filter> Builtin(std::string_view name, const FilterOptions& options = {});

  Supervision supervision() const;
  const bpf::Program& program() const;  // as installed
  // As written, with the terminal rule in front where it was added (a built-in profile is
  // parsed here, once).
  const Policy& policy() const;
  // The policy's fs, net and scope rules, made for this kernel when the filter was: the program
  // is restricted by them before its filter is installed (empty: none; in audit mode, which
  // lets everything run, none either).
  const kernel::LandlockRuleset& landlock() const;

 private:
  struct State;
  explicit Filter(std::shared_ptr<State> s) : s_(std::move(s)) {}
  std::shared_ptr<State> s_;
};

// A call that reached the supervisor: blocked (kReport) or let run (kAudit).
struct Call {
  pid_t pid = 0;  // the thread that made it
  SeccompData data;
  std::string text;  // decoded like strace: openat(AT_FDCWD, "/etc/shadow", 0); with decode
  Verdict verdict;   // what the policy says, and which rule (kBadArch: an ABI it does not target);
                     // allow, without a rule or text, for FilterOptions::report_access
  // kReport: the errno the call failed with: the verdict's, or ENOSYS for the policy's own
  // `notify` rules, which sysgate run has no handler for; 0 for a kill (the runner's exec
  // gate, run/exec_gate.h, asks the supervisor about one exact execve). kAudit: 0 (the call ran).
  int error = 0;
  // The call itself, while its thread still waits in it: valid during on_call only. Its memory
  // and fds can be read there (sysgate learn records paths and ports this way).
  SyscallCall* pending = nullptr;
};

struct Options {
  std::vector<std::string> argv;    // argv[0] is looked up in PATH unless it has a '/'
  std::vector<int> keep_fds;        // inherited fds kept open besides 0, 1 and 2 (must be open)
  bool clear_env = false;           // start from an empty environment
  std::vector<std::string> env;     // NAME=VALUE to set (after clear_env)
  bool new_session = true;          // setsid() (ExecInPlace: TIOCNOTTY): the program cannot
                                    // reach our terminal (TIOCSTI)
  bool drop_caps = false;           // empty the capability sets (and the bounding set)
  bool tsync = false;               // SECCOMP_FILTER_FLAG_TSYNC
  bool log = false;                 // SECCOMP_FILTER_FLAG_LOG
  bool spec_allow = false;          // SECCOMP_FILTER_FLAG_SPEC_ALLOW: keep speculation as it is
  bool wait_killable_recv = false;  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (supervised only)
  bool forward_signals = true;      // pass SIGINT, SIGTERM, SIGHUP, SIGQUIT on to the program
  // Supervised only: when the program exits, go on supervising the processes it left running
  // (daemons) until none uses the filter any more, or until SIGINT or SIGTERM reaches the
  // runner. Otherwise their notified calls fail with ENOSYS once the program has exited.
  bool follow_descendants = false;

  // Each call that reached the supervisor, in the supervisor (kReport, kAudit).
  std::function<void(const Call&)> on_call;
  // Run only: the program's pid, in the runner, once forked (before its exec). What it throws
  // is ignored.
  std::function<void(pid_t)> on_started;
  bool decode = true;  // fill Call::text (reads strings from the caller's memory)

  // ExecInPlace only, called in the supervisor process: when the program has exited (an audit
  // summary; reports stop there), and when no process uses the filter any more (files to
  // close). Run's caller simply continues after Run.
  std::function<void()> on_program_exit;
  std::function<void()> on_finished;
  // ExecInPlace: on_program_exit has something to say only after a call has reached the
  // supervisor (a count of repeated reports, not an audit's "nothing stopped"): a program that
  // makes no blocked call then costs no supervisor process at its exit either.
  bool program_exit_needs_calls = false;
  // Fds of the caller's that the supervisor uses (an audit log): never kept for the program.
  // ExecInPlace keeps them open for its supervisor process; every other fd is closed.
  std::vector<int> supervisor_fds;
};

// The setup steps, in order; a failure names one.
enum class Stage : uint8_t {
  kCloseFds = 1,
  kSetsid,
  kPdeathsig,
  kDropCaps,
  kNoNewPrivs,
  kInstall,
  kExec,
  kSupervisor,     // ExecInPlace: starting the supervisor process
  kLeaveTerminal,  // ExecInPlace: giving up the controlling terminal (its new_session)
  kLandlock,       // restricting files, ports and scopes (the policy's fs, net, scope rules)
};
std::string_view StageName(Stage s);
// The step that failed to start a program, from the error of Run, ExecInPlace or learn::Record
// (Error::stage); nothing for an error before any step (no program, a bad option).
std::optional<Stage> FailedStage(const Error& error);

struct Outcome {
  int pid = 0;
  bool signaled = false;
  int code = 0;    // exit code
  int signal = 0;  // terminating signal
  // The filter killed it: SIGSYS, and the kernel's record says seccomp did it (only the
  // calling thread is marked: a kill-process verdict in another thread than the main one
  // shows as a plain SIGSYS). A program that sends itself SIGSYS is not marked.
  bool killed_by_filter = false;
  // Not empty when the supervisor could not go on answering calls: it killed the program
  // (fail closed) and says why here.
  std::string supervisor_failure;
  // Supervised without follow_descendants: processes the program started still used the
  // filter when it exited (a daemon, a job in the background); their notified calls fail with
  // ENOSYS from then on, unseen.
  bool left_running = false;
  // What a shell reports: the exit code, or 128 + signal (159: SIGSYS).
  int ExitStatus() const { return signaled ? 128 + signal : code; }
};

// Exit codes of the runner itself when the program could not be started.
inline constexpr int kExitSetupFailed = 125;    // a step before exec failed (or the filter)
inline constexpr int kExitCannotExecute = 126;  // found but not executable
inline constexpr int kExitNotFound = 127;       // no such program
// The exit status a shell gives for a program that could not be started with `error`.
int StartFailureStatus(const Error& error);

// Runs argv under `filter` and waits for it. The error of a failed step names it in its
// message and in Error::stage (FailedStage), and errno in sys_errno.
// Supervised, the calling process becomes non-dumpable (PR_SET_DUMPABLE 0) and stays so: it
// holds the program's listener, which no process of the same user may reach through ptrace,
// /proc/PID/mem or pidfd_getfd.
Result<Outcome> Run(const Filter& filter, const Options& options);

// Replaces the calling process with argv under `filter` (exec in place, as env(1) or
// systemd's SystemCallFilter=): the same pid, the same parent, signals and exit status straight
// between the program and whoever started the caller; no process waits in between.
// The calling process must be single-threaded. Every step of Run happens here, in this
// process, but the parent-death signal (there is no runner to die); new_session gives up the
// controlling terminal instead of starting a session (the program stays a job of its shell;
// docs/run.md). Supervised, blocked calls are answered and reported by a supervisor process
// started here, which is not the program's child; it reports until the program exits and
// answers calls until no process uses the filter (descendants left running are still
// answered, silently). If the supervisor is killed, blocked calls fail with ENOSYS.
// Returns only if the program could not be started; the filter may then already be installed.
Result<void> ExecInPlace(const Filter& filter, const Options& options);

}  // namespace sysgate::run
