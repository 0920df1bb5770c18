// The runner. Everything the child needs is prepared before fork; between fork and exec the
// child makes raw system calls only and reports a failure as a fixed {stage, errno} record on
// a close-on-exec pipe. The filter is installed last, right before exec, so that it governs
// the program and not the preparation.
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "run/command_setup.h"
#include "supervise/notify_fd.h"
#include "supervise/policy_supervisor.h"
#include "sysgate/kernel.h"
#include "sysgate/run.h"
#include "sysgate/supervisor.h"

namespace sysgate::run {
namespace {

struct Failure {
  uint8_t stage;
  int32_t err;
};

[[noreturn]] void Fail(int fd, Stage s, int err) {
  Failure f{static_cast<uint8_t>(s), err};
  // Best effort: the record is how the parent learns why; either way the program never runs.
  [[maybe_unused]] ssize_t n = write(fd, &f, sizeof f);
  _exit(kExitSetupFailed);
}

// The program, for the signal handlers that pass signals on to it.
volatile sig_atomic_t g_child = 0;
// Set by SIGINT and SIGTERM: ends following the program's descendants.
volatile sig_atomic_t g_stop = 0;

void Forward(int sig) {
  if (g_child > 0) kill(static_cast<pid_t>(g_child), sig);
  if (sig == SIGINT || sig == SIGTERM) g_stop = 1;
}

// Installs Forward for the signals a user sends to stop a program; restores on destruction.
class SignalForwarding {
 public:
  SignalForwarding(pid_t child, bool on) : on_(on) {
    if (!on_) return;
    g_child = child;
    g_stop = 0;
    struct sigaction sa {};
    sa.sa_handler = Forward;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &sa, &old_[i]);
  }
  ~SignalForwarding() {
    if (!on_) return;
    for (size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &old_[i], nullptr);
    g_child = 0;
  }

 private:
  static constexpr std::array<int, 4> kSignals = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
  bool on_;
  std::array<struct sigaction, 4> old_{};
};

// Takes the child's listener fd, then answers notifications until the child exits. *record
// and *record_len receive a setup failure the child reported on `pipe_fd`.
// With `follow`, the child is reaped here as soon as it exits, while its descendants are still
// supervised; *reaped_status then receives its status.
Result<void> Supervise(pid_t child, int pipe_fd, volatile int* shared, Supervisor& supervisor,
                       bool follow, void* record, ssize_t* record_len, bool* killed_by_policy,
                       std::optional<int>* reaped_status) {
  // Wait for the child to publish its listener (or to fail before that). The child cannot
  // wake us (its syscalls already go through the filter), so poll with a short, growing
  // timeout: installing takes a few hundred microseconds.
  for (int spin = 0; *shared < 0; ++spin) {
    pollfd p{pipe_fd, POLLIN, 0};
    int r = poll(&p, 1, 0);
    if (r == 0) {
      timespec ts{0, std::min(spin, 50) * 20000L};  // 0, 20 us, ... up to 1 ms
      nanosleep(&ts, nullptr);
      continue;
    }
    if (r > 0) {
      ssize_t n = read(pipe_fd, record, sizeof(Failure));
      if (n != 0 || *shared < 0) {  // a failure record, or the child is gone
        *record_len = n;
        return {};
      }
    }
  }
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, child, 0));
  if (pidfd < 0) return SystemError("pidfd_open", errno);
  int listener = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, shared[0], 0));
  if (listener < 0) {
    int err = errno;
    close(pidfd);
    return SystemError("taking the child's seccomp notification fd (pidfd_getfd)", err);
  }
  shared[1] = 1;  // the child may exec now
  supervise::KernelNotifyFd notify(listener);
  supervise::RunnerExec runner_exec(child);
  bool pipe_open = true, listening = true, exited = false;
  while (true) {
    pollfd fds[3] = {{listening ? listener : -1, POLLIN, 0}, {exited ? -1 : pidfd, POLLIN, 0},
                     {pipe_open ? pipe_fd : -1, POLLIN, 0}};
    // Following descendants, a stop signal handled outside poll would not interrupt it: look
    // at the flag at least every 100 ms.
    int r = poll(fds, 3, exited ? 100 : -1);
    if (exited && g_stop) break;  // following descendants: told to stop
    if (r < 0) {
      if (errno == EINTR) continue;
      close(pidfd);
      return SystemError("poll", errno);
    }
    if (fds[2].revents) {
      ssize_t n = read(pipe_fd, record, sizeof(Failure));
      if (n > 0) *record_len = n;
      pipe_open = false;  // EOF: the exec happened (or a record came)
    }
    // POLLHUP without POLLIN: no task uses the filter any more; wait for the exit alone.
    if ((fds[0].revents & (POLLHUP | POLLIN)) == POLLHUP) listening = false;
    if (fds[0].revents & POLLIN) {
      auto note = notify.Receive();
      if (!note) continue;  // e.g. the thread was interrupted before we read it
      if (runner_exec.IsRunnerExec(*note)) {
        if (auto s = notify.Send(supervise::Response::Continue(note->id)); !s) {
          close(pidfd);
          return s.error();
        }
      } else {
        auto h = supervisor.Answer(notify, *note);
        if (!h) {
          close(pidfd);
          return h.error();
        }
        if (h->killed == child) *killed_by_policy = true;
      }
    }
    if ((fds[1].revents & POLLIN) && !exited) {  // the child has exited
      exited = true;
      if (follow) {
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        *reaped_status = status;
        g_child = 0;  // its pid may be reused: signals are no longer passed on
      }
    }
    // Done when the child is, unless its descendants are followed while any uses the filter
    // and no SIGINT or SIGTERM has come (before or after the child's exit).
    if (exited && (!follow || !listening || g_stop)) break;
  }
  close(pidfd);
  return {};
}

}  // namespace

std::string_view StageName(Stage s) {
  switch (s) {
    case Stage::kCloseFds: return "closing inherited file descriptors";
    case Stage::kSetsid: return "starting a new session (setsid)";
    case Stage::kPdeathsig: return "setting the parent-death signal";
    case Stage::kDropCaps: return "dropping capabilities";
    case Stage::kNoNewPrivs: return "setting no_new_privs";
    case Stage::kInstall: return "installing the seccomp filter";
    case Stage::kExec: return "executing the program";
    case Stage::kSupervisor: return "starting the supervisor";
    case Stage::kLeaveTerminal: return "giving up the controlling terminal";
  }
  return "?";
}

Result<Outcome> Run(const bpf::Program& program, const SpawnOptions& o, Stage* failed_stage) {
  // Everything the child uses, made now: it must not allocate after fork.
  PreparedCommand cmd;
  if (auto p = PrepareCommand(program, o, &cmd, failed_stage); !p) return p.error();
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return SystemError("pipe2", errno);
  std::vector<int> keep = o.keep_fds;
  keep.push_back(pipefd[1]);
  std::ranges::sort(keep);
  const bool supervised = Supervised(o);
  const unsigned flags =
      kernel::FilterFlags({.tsync = o.tsync, .log = o.log, .spec_allow = o.spec_allow,
                           .new_listener = supervised,
                           .wait_killable_recv = supervised && o.wait_killable_recv});
  volatile int* shared = nullptr;
  if (supervised) {
    void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) return SystemError("mmap", errno);
    shared = static_cast<volatile int*>(mem);
    shared[0] = -1;  // the child's listener fd
    shared[1] = 0;   // the runner has taken it
  }
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    close(pipefd[0]);
    close(pipefd[1]);
    return SystemError("fork", err);
  }
  if (pid == 0) {
    const int report = pipefd[1];
    close(pipefd[0]);
    if (CloseFrom(3, keep) != 0) Fail(report, Stage::kCloseFds, errno);
    KeepAcrossExec(o.keep_fds);
    if (o.new_session && setsid() < 0) Fail(report, Stage::kSetsid, errno);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) Fail(report, Stage::kPdeathsig, errno);
    if (getppid() != parent) Fail(report, Stage::kPdeathsig, ESRCH);  // the runner already died
    if (o.drop_caps && DropCapabilities() != 0) Fail(report, Stage::kDropCaps, errno);
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail(report, Stage::kNoNewPrivs, errno);
    long tid = 0;
    long r = kernel::InstallRaw(program.data(), program.size(), flags, false, &tid);
    if (r < 0) Fail(report, Stage::kInstall, static_cast<int>(-r));
    // The listener fd (close-on-exec) goes to the runner through shared memory: a syscall
    // here would already be filtered, and might wait for a supervisor that is not there yet.
    if (shared) {
      shared[0] = static_cast<int>(r);
      // Wait (without syscalls) until the runner holds its copy: the fd is close-on-exec, and
      // an exec the policy allows would otherwise close it first. The parent-death signal
      // ends this wait if the runner dies.
      while (shared[1] == 0) {
      }
    }
    execve(cmd.path.c_str(), cmd.argv.data(), cmd.envp.data());
    Fail(report, Stage::kExec, errno);
  }
  close(pipefd[1]);
  SignalForwarding forwarding(pid, o.forward_signals);
  Failure f{};
  ssize_t n = 0;
  bool killed_by_policy = false;
  std::optional<int> reaped;  // the child's status, when supervision already reaped it
  if (supervised) {
    std::optional<Supervisor> reporting;
    if (!o.supervisor) {
      reporting.emplace(PolicyReporter(SupervisePolicyLoader(o), o.on_blocked));
    }
    Supervisor& supervisor = o.supervisor ? *o.supervisor : *reporting;
    Result<void> sup = Supervise(pid, pipefd[0], shared, supervisor, o.follow_descendants, &f, &n,
                                 &killed_by_policy, &reaped);
    munmap(const_cast<int*>(shared), 4096);
    if (!sup) {
      close(pipefd[0]);
      if (!reaped) {
        kill(pid, SIGKILL);
        while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
        }
      }
      if (failed_stage) *failed_stage = Stage::kInstall;
      Error e = sup.error();
      e.message += fmt::format("; '{}' was stopped", o.argv[0]);
      return e;
    }
  } else {
    do {
      n = read(pipefd[0], &f, sizeof f);
    } while (n < 0 && errno == EINTR);
  }
  close(pipefd[0]);
  int status = reaped.value_or(0);
  while (!reaped && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (n == static_cast<ssize_t>(sizeof f)) {
    Stage s = static_cast<Stage>(f.stage);
    if (failed_stage) *failed_stage = s;
    std::string what = fmt::format("{} failed; '{}' was not started", StageName(s), o.argv[0]);
    return SystemError(what, f.err);
  }
  Outcome out;
  out.pid = pid;
  out.killed_by_policy = killed_by_policy;
  if (WIFSIGNALED(status)) {
    out.signaled = true;
    out.signal = WTERMSIG(status);
  } else {
    out.code = WEXITSTATUS(status);
  }
  return out;
}

}  // namespace sysgate::run
