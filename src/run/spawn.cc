// The runner. Everything the child needs is prepared before fork; between fork and exec the
// child makes raw system calls only and reports a failure as a fixed {stage, errno} record on
// a close-on-exec pipe. The filter is installed last, right before exec, so that it governs
// the program and not the preparation.
//
// Supervised, the runner holds the filter's listener, and so must be out of the program's
// reach (docs/run.md "Safety"): it is non-dumpable before it forks, so the child is too until
// its exec, and the program runs without CAP_SYS_PTRACE. The listener comes to the runner over
// a socket, sent by a second thread of the child that the filter (installed on the main thread
// only) does not cover: the runner needs no ptrace access to the child to take it.
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <optional>

#include <fmt/format.h>

#include "run/command_setup.h"
#include "run/supervision.h"
#include "run/supervision_events.h"
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

// What the child and the runner share until the exec (a MAP_SHARED page).
struct Handover {
  int listener = -1;  // the child's listener fd, once the filter is on
  int taken = 0;      // the runner holds its copy: the child may exec
  int sock = -1;      // the child's end of the socket the listener goes over
  int report = -1;    // the child's failure pipe
};

constexpr size_t kSenderStack = 64 << 10;

// The child's second thread. The filter is on the main thread only, so this one makes its
// calls unfiltered: it waits (spinning: the main thread makes no call it could wake us with)
// for the listener, and sends it to the runner. The exec ends it. Raw calls only; if the
// listener cannot be sent, the child fails as a whole (a record, then exit_group).
int SendListener(void* arg) {
  auto* h = static_cast<Handover*>(arg);
  int fd;
  while ((fd = __atomic_load_n(&h->listener, __ATOMIC_ACQUIRE)) < 0) {
  }
  char byte = 0;
  iovec iov{&byte, 1};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  cmsghdr* c = CMSG_FIRSTHDR(&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof fd);
  long r;
  while ((r = syscall(SYS_sendmsg, h->sock, &m, MSG_NOSIGNAL)) < 0 && errno == EINTR) {
  }
  if (r < 0) Fail(h->report, Stage::kSupervisor, errno);  // e.g. ETOOMANYREFS
  for (;;) pause();
}

// The listener the child's sender thread sent; -errno if none came (the child failed first:
// its record is on the pipe).
int ReceiveListener(int sock, int pipe_fd) {
  pollfd p[2] = {{sock, POLLIN, 0}, {pipe_fd, POLLIN, 0}};
  while (true) {
    int r = poll(p, 2, -1);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -errno;
    if (!(p[0].revents & POLLIN)) return -ECHILD;
    break;
  }
  auto got = ReceiveFds(sock, 1);
  if (!got || got->fds.empty()) return -ECHILD;
  for (size_t i = 1; i < got->fds.size(); ++i) close(got->fds[i]);
  return got->fds[0];
}

// The "Seccomp:" field of an open /proc/PID/status.
long SeccompMode(int status_fd) {
  char buf[4096];
  ssize_t n = pread(status_fd, buf, sizeof buf - 1, 0);
  if (n <= 0) return -1;
  buf[n] = '\0';
  const char* at = std::strstr(buf, "\nSeccomp:");
  return at ? std::strtol(at + 9, nullptr, 10) : -1;
}

// Waits for the child and says whether the filter killed it: a SIGSYS, and the kernel's mark
// on the thread it killed (SECCOMP_MODE_DEAD, 3, in the zombie's /proc status) where that
// thread was the main one. A program that sends itself SIGSYS is not marked. `status_fd` was
// opened before the program ran: it cannot keep us from reading it now (RLIMIT_NOFILE).
int Reap(pid_t pid, int status_fd, bool* by_filter) {
  siginfo_t si{};
  while (waitid(P_PID, pid, &si, WEXITED | WNOWAIT) < 0 && errno == EINTR) {
  }
  *by_filter = (si.si_code == CLD_KILLED || si.si_code == CLD_DUMPED) && si.si_status == SIGSYS &&
               status_fd >= 0 && SeccompMode(status_fd) == 3;
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  g_child = 0;  // its pid may be reused: signals are no longer passed on
  return status;
}

// The runner's side of what it shares with the child until the exec: the failure pipe and,
// supervised, the socket the listener comes over, the handover page and the sender thread's
// stack. All made before the fork; released once, by Release or on destruction.
class Channels {
 public:
  Channels() = default;
  Channels(const Channels&) = delete;
  Channels& operator=(const Channels&) = delete;
  ~Channels() { Release(); }

  Result<void> Open(bool supervised) {
    if (pipe2(pipe_, O_CLOEXEC) != 0) return SystemError("pipe2", errno);
    if (!supervised) return {};
    void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    void* stack = mmap(nullptr, kSenderStack, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (mem != MAP_FAILED) handover_ = new (mem) Handover;
    if (stack != MAP_FAILED) sender_stack_ = static_cast<char*>(stack);
    if (!handover_ || !sender_stack_ ||
        socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sock_) != 0) {
      return SystemError("preparing the supervisor", errno);
    }
    handover_->sock = sock_[1];
    handover_->report = pipe_[1];
    return {};
  }

  // In the runner after the fork: the child's ends are the child's.
  void CloseChildEnds() {
    CloseFd(pipe_[1]);
    CloseFd(sock_[1]);
  }

  void Release() {
    for (int* fd : {&pipe_[0], &pipe_[1], &sock_[0], &sock_[1]}) CloseFd(*fd);
    if (handover_) munmap(handover_, 4096);
    if (sender_stack_) munmap(sender_stack_, kSenderStack);
    handover_ = nullptr;
    sender_stack_ = nullptr;
  }

  int report_read() const { return pipe_[0]; }
  int report_write() const { return pipe_[1]; }
  int listener_socket() const { return sock_[0]; }
  int child_socket() const { return sock_[1]; }
  Handover* handover() const { return handover_; }
  char* sender_stack() const { return sender_stack_; }

 private:
  static void CloseFd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
  }

  int pipe_[2] = {-1, -1};
  int sock_[2] = {-1, -1};
  Handover* handover_ = nullptr;
  char* sender_stack_ = nullptr;
};

// The fds the child keeps through its setup, sorted: the user's, its end of the failure pipe
// and of the listener's socket, and the Landlock ruleset (close-on-exec: the program lacks it).
std::vector<int> ChildKeeps(const Options& o, const Channels& channels,
                            const kernel::LandlockRuleset& landlock) {
  std::vector<int> keep = o.keep_fds;
  keep.push_back(channels.report_write());
  if (!landlock.empty()) keep.push_back(landlock.fd());
  if (channels.child_socket() >= 0) keep.push_back(channels.child_socket());
  std::ranges::sort(keep);
  return keep;
}

// Everything the child needs, made before the fork: after it, the child makes raw calls only.
struct ChildPlan {
  const Options& o;
  const PreparedCommand& cmd;
  const kernel::LandlockRuleset& landlock;
  const std::vector<int>& keep;  // the fds it keeps, sorted
  int report;                    // its end of the failure pipe
  pid_t parent;
  bool supervised;
  unsigned flags;  // the filter's
  Handover* handover;
  char* sender_stack;
};

// The child: each setup step, the filter last, then the program. A failed step writes its
// record to the pipe and exits; the program never runs.
[[noreturn]] void RunChild(const ChildPlan& c) {
  const int report = c.report;
  const Options& o = c.o;
  if (CloseFrom(3, c.keep) != 0) Fail(report, Stage::kCloseFds, errno);
  KeepAcrossExec(o.keep_fds);
  if (o.new_session && setsid() < 0) Fail(report, Stage::kSetsid, errno);
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) Fail(report, Stage::kPdeathsig, errno);
  if (getppid() != c.parent) Fail(report, Stage::kPdeathsig, ESRCH);  // the runner already died
  if (o.drop_caps && DropCapabilities() != 0) Fail(report, Stage::kDropCaps, errno);
  // CAP_SYS_PTRACE would reach the runner (non-dumpable or not): never for a supervised program.
  if (c.supervised && DropCapability(CAP_SYS_PTRACE) != 0)
    Fail(report, Stage::kDropCaps, errno ? errno : EPERM);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Fail(report, Stage::kNoNewPrivs, errno);
  // Before the sender thread starts, so that it is restricted too.
  if (long lr = c.landlock.RestrictRaw(/*log_after_exec=*/o.log); lr < 0)
    Fail(report, Stage::kLandlock, static_cast<int>(-lr));
  if (c.supervised &&
      clone(SendListener, c.sender_stack + kSenderStack,
            CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM,
            c.handover) < 0) {
    Fail(report, Stage::kSupervisor, errno);
  }
  long r = kernel::InstallRaw(c.cmd.program.data(), c.cmd.program.size(), c.flags, false, nullptr);
  if (r < 0) Fail(report, Stage::kInstall, static_cast<int>(-r));
  if (c.supervised) {
    // From here every call is filtered: the sender thread hands the listener over, and we
    // wait, without a syscall, until the runner holds it (an exec the policy allows would
    // close it first). The parent-death signal ends this wait if the runner dies.
    __atomic_store_n(&c.handover->listener, static_cast<int>(r), __ATOMIC_RELEASE);
    while (__atomic_load_n(&c.handover->taken, __ATOMIC_ACQUIRE) == 0) {
    }
  }
  execve(c.cmd.path.c_str(), c.cmd.argv.data(), c.cmd.envp.data());
  Fail(report, Stage::kExec, errno);
}

struct SupervisionResult {
  Failure record{};  // a setup failure the child reported
  ssize_t record_len = 0;
  std::optional<int> reaped;  // the child's status, when it was reaped here (follow)
  bool by_filter = false;
  std::string failure;        // why supervision could not go on (the child is then killed)
  bool left_running = false;  // not following: others still used the filter at the exit
};

// The error for the failure record the child wrote.
Error SetupError(const Filter& filter, const Options& o, const Failure& record) {
  const Stage s = static_cast<Stage>(record.stage);
  if (s == Stage::kInstall && record.err == EBUSY && Supervised(filter)) {
    return AtStage(
        s, SystemError(
               fmt::format("installing the seccomp filter failed; '{}' was not started: a filter "
                           "with a supervisor is already on this process (sysgate run inside "
                           "sysgate run?), and the kernel allows one; use --no-report inside",
                           o.argv[0]),
               EBUSY));
  }
  std::string what = fmt::format("{} failed; '{}' was not started{}", StageName(s), o.argv[0],
                                 ExecFailureHint(filter, s, record.err));
  return AtStage(s, SystemError(what, record.err));
}

// How the program ended, from its wait status and what supervision saw.
Outcome OutcomeOf(pid_t pid, int status, SupervisionResult sup) {
  Outcome out;
  out.pid = pid;
  out.killed_by_filter = sup.by_filter;
  out.supervisor_failure = std::move(sup.failure);
  out.left_running = sup.left_running;
  if (WIFSIGNALED(status)) {
    out.signaled = true;
    out.signal = WTERMSIG(status);
  } else {
    out.code = WEXITSTATUS(status);
  }
  return out;
}

// Whether a process still uses the filter: the listener has not hung up within `ms`.
bool StillListened(int listener, int ms) {
  pollfd p{.fd = listener, .events = POLLIN, .revents = 0};
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    int n = poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0 && (p.revents & POLLHUP)) return false;
    if (n < 0 && errno != EINTR) return false;       // cannot tell: say nothing
    if (n > 0 && (p.revents & POLLIN)) return true;  // a call is waiting: someone is there
  }
}

// What the runner watches while it supervises the program; all made before the program runs.
struct Watched {
  pid_t child;
  int listener;   // the filter's
  int pidfd;      // the child's: readable when it exits
  int pipe_fd;    // the child's failure pipe: a record, or EOF at its exec
  int status_fd;  // its /proc status (Reap)
};

// Answers notifications until the child exits; with `follow`, until no process uses the filter
// any more (or SIGINT/SIGTERM). Any error but a call that went away ends it with a failure.
SupervisionResult Supervise(const Watched& w, SupervisionEvents& events, Supervisor& supervisor,
                            supervise::RunnerExec& runner_exec, bool follow) {
  SupervisionResult result;
  const int listener = w.listener;
  supervise::KernelNotifyFd notify(listener, /*owned=*/false);
  // What was seen before an exception (the child reaped while following) is kept with it.
  try {
    bool listening = true, exited = false;
    while (true) {
      int err = 0;
      // Following descendants, a stop signal handled outside the wait would not interrupt it:
      // look at the flag at least every 100 ms.
      SupervisionEvents::Ready r = events.Wait(exited ? 100 : -1, &err);
      if (err != 0) {
        result.failure = fmt::format("epoll_wait: {}", std::strerror(err));
        return result;
      }
      if (exited && g_stop) break;  // following descendants: told to stop
      if (r.pipe) {
        ssize_t n = read(w.pipe_fd, &result.record, sizeof result.record);
        if (n > 0) result.record_len = n;
        events.Forget(w.pipe_fd);  // EOF: the exec happened (or a record came)
      }
      if (r.hang_up) {  // no task uses the filter any more: wait for the exit alone
        listening = false;
        events.Forget(listener);
      }
      if (r.call) {
        auto note = notify.Receive();
        if (!note) {
          if (note.error().sys_errno != ENOENT) {  // ENOENT: the caller went away first
            result.failure = note.error().ToString();
            return result;
          }
        } else if (runner_exec.Matches(*note)) {
          auto sent = notify.Send(supervise::Response::Continue(note->id));
          if (!sent) {
            result.failure = sent.error().ToString();
            return result;
          }
          if (*sent) runner_exec.Disarm();  // else interrupted: the exec is made again
        } else if (auto h = supervisor.Answer(notify, *note); !h) {
          result.failure = h.error().ToString();
          return result;
        }
      }
      if (r.program_exited && !exited) {
        exited = true;
        events.Forget(w.pidfd);
        if (follow) result.reaped = Reap(w.child, w.status_fd, &result.by_filter);
      }
      // Done when the child is, unless its descendants are followed while any uses the filter
      // and no SIGINT or SIGTERM has come (before or after the child's exit). Not following,
      // whether any still does is said (the hang-up may come a moment after the exit).
      if (exited && (!follow || !listening || g_stop)) {
        if (!follow && listening) {
          // A zombie holds the filter too: reap the child before asking.
          result.reaped = Reap(w.child, w.status_fd, &result.by_filter);
          result.left_running = StillListened(listener, 100);
        }
        break;
      }
    }
  } catch (const std::exception& e) {
    result.failure = e.what();
  } catch (...) {
    result.failure = "an unknown exception";
  }
  return result;
}

// Supervised: takes the listener from the child, lets it exec, and answers its calls until it
// ends (Supervise). Everything supervision needs is made before the program runs: nothing it
// does to the runner later can keep us from answering. Fails closed: the child never runs
// unsupervised, whether it got that far or not (a child that failed has written its record
// and exited; the kill finds nothing then).
SupervisionResult SuperviseChild(pid_t pid, int status_fd, const Filter& filter, const Options& o,
                                 const PreparedCommand& cmd, const Channels& channels) {
  SupervisionResult sup;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  int listener = -1;
  SupervisionEvents events;
  if (pidfd < 0) {
    sup.failure = fmt::format("pidfd_open: {}", std::strerror(errno));
  } else if (int err = events.Open(); err != 0) {
    sup.failure = fmt::format("epoll: {}", std::strerror(err));
  } else if ((listener = ReceiveListener(channels.listener_socket(), channels.report_read())) >=
             0) {
    try {
      Supervisor supervisor = MakeSupervisor(filter, o);
      supervise::RunnerExec runner_exec(pid, cmd.Exec(), cmd.program);
      if (int werr = events.Watch(listener, pidfd, channels.report_read()); werr != 0) {
        sup.failure = fmt::format("epoll: {}", std::strerror(werr));
      } else {
        __atomic_store_n(&channels.handover()->taken, 1, __ATOMIC_RELEASE);  // it may exec now
        sup = Supervise({pid, listener, pidfd, channels.report_read(), status_fd}, events,
                        supervisor, runner_exec, o.follow_descendants);
      }
    } catch (const std::exception& e) {
      sup.failure = e.what();
    } catch (...) {
      sup.failure = "an unknown exception";
    }
    close(listener);
  }
  if (pidfd >= 0) close(pidfd);
  if ((!sup.failure.empty() || listener < 0) && !sup.reaped) kill(pid, SIGKILL);
  return sup;
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
    case Stage::kLandlock: return "restricting files and ports (Landlock)";
  }
  return "?";
}

std::optional<Stage> FailedStage(const Error& error) {
  if (error.stage <= 0 || error.stage > UINT8_MAX) return std::nullopt;
  // A stage is one StageName names: its switch lists every one (-Wswitch), so a new stage
  // needs no second list here.
  const Stage s = static_cast<Stage>(error.stage);
  if (StageName(s) == "?") return std::nullopt;
  return s;
}

int StartFailureStatus(const Error& error) {
  if (FailedStage(error) != Stage::kExec) return kExitSetupFailed;
  return error.sys_errno == ENOENT ? kExitNotFound : kExitCannotExecute;
}

Result<Outcome> Run(const Filter& filter, const Options& o) {
  // Everything the child uses, made now: it must not allocate after fork.
  PreparedCommand cmd;
  if (auto p = PrepareCommand(filter, o, &cmd); !p) return p.error();
  const bool supervised = Supervised(filter);
  Channels channels;
  if (auto opened = channels.Open(supervised); !opened) return opened.error();
  const kernel::LandlockRuleset& landlock = filter.landlock();
  const std::vector<int> keep = ChildKeeps(o, channels, landlock);
  // No process of the same user may reach the holder of the listener: not through ptrace,
  // /proc/PID/mem, process_vm_writev or pidfd_getfd (docs/run.md "Safety").
  if (supervised && prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
    return SystemError("prctl(PR_SET_DUMPABLE)", errno);
  // TSYNC has nothing to do: the program starts with one thread, and every thread it makes
  // inherits the filter. (The child's sender thread must stay unfiltered.)
  const unsigned flags =
      kernel::FilterFlags({.log = o.log,
                           .spec_allow = o.spec_allow,
                           .new_listener = supervised,
                           .wait_killable_recv = supervised && o.wait_killable_recv});
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) return SystemError("fork", errno);
  if (pid == 0) {
    RunChild({o, cmd, landlock, keep, channels.report_write(), parent, supervised, flags,
              channels.handover(), channels.sender_stack()});
  }
  channels.CloseChildEnds();
  if (o.on_started) {
    try {
      o.on_started(pid);
    } catch (...) {  // the child runs: it must be supervised all the same
    }
  }
  SignalForwarding forwarding(pid, o.forward_signals);
  // Opened before the program runs: what the program does to our limits later cannot keep us
  // from telling a kill by the filter apart (docs/run.md "Safety").
  int status_fd = open(fmt::format("/proc/{}/status", pid).c_str(), O_RDONLY | O_CLOEXEC);
  SupervisionResult sup;
  if (supervised) sup = SuperviseChild(pid, status_fd, filter, o, cmd, channels);
  // The child's setup failure record, if it wrote one and supervision did not read it.
  if (sup.record_len == 0) {
    ssize_t n;
    do {
      n = read(channels.report_read(), &sup.record, sizeof sup.record);
    } while (n < 0 && errno == EINTR);
    if (n > 0) sup.record_len = n;
  }
  channels.Release();
  int status = sup.reaped ? *sup.reaped : Reap(pid, status_fd, &sup.by_filter);
  if (status_fd >= 0) close(status_fd);
  if (sup.record_len == static_cast<ssize_t>(sizeof(Failure)) && sup.failure.empty()) {
    return SetupError(filter, o, sup.record);
  }
  return OutcomeOf(pid, status, std::move(sup));
}

}  // namespace sysgate::run
