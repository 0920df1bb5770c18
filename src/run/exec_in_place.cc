// Exec in place: this process becomes the program, with the filter installed right before
// execve. Nothing forks on the program's start-up path and no process waits in between.
//
// Supervised, blocked calls need someone to answer them after this process is gone. A helper
// is started beforehand with clone(CLONE_VM | CLONE_FILES): it shares our memory and our fd
// table, so it holds the listener the moment seccomp(2) returns, and starting it copies no
// page tables. While we still run, it touches nothing shared but a few words: raw system calls
// on a stack of its own. It learns that our execve has left this address space from our
// clear_child_tid word, which the kernel zeroes when exec drops the old memory or when we
// exit. The old address space and fd table are then the helper's alone, with every object our
// caller prepared (the supervisor, its report callbacks) still in place. It waits on the
// listener without a process of its own; at the first blocked call it forks, so that the
// supervisor runs as a normal process (glibc's cached thread id right), and that process
// answers calls until no process uses the filter. Forking later, not at once, keeps the
// page-table copy off the program's start (on a paravirtualised VM it slowed the program's
// start even from the other CPU); most programs make no blocked call at all.
//
// The helper is started through a short-lived intermediate (clone with CLONE_VFORK, which
// exits at once), so that it is not the program's child: the program never sees a child it
// did not make, nor its exit.
//
// The helper holds the listener, and so must be out of the program's reach (docs/run.md
// "Safety"): this address space is made non-dumpable before the helper starts (the exec gives
// the program a fresh, dumpable one), the program runs without CAP_SYS_PTRACE, and everything
// the helper and its supervisor process wait with (the listener, a pidfd, an epoll fd) is
// made before the program runs.
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <new>
#include <optional>

#include <fmt/format.h>

#include "base/sanitizers.h"
#include "run/command_setup.h"
#include "run/supervision.h"
#include "run/supervision_events.h"
#include "supervise/access_effects.h"
#include "supervise/notify_fd.h"
#include "supervise/policy_supervisor.h"
#include "sysgate/arch.h"
#include "sysgate/kernel.h"
#include "sysgate/run.h"
#if SYSGATE_ASAN && !defined(__clang__)
#include <sanitizer/common_interface_defs.h>
#endif

namespace sysgate::run {
namespace {

constexpr size_t kHelperStack = 8 << 20;  // the supervisor's C++ (policy parsing) runs on it
constexpr size_t kLauncherStack = 64 << 10;
constexpr size_t kGuard = 4096;

// What the helper and this process share. It lives in the helper's own mapping, which nothing
// unmaps: if our execve fails, this process goes on (to report it) while the helper still looks.
struct Shared {
  // Our clear_child_tid: 1 until our execve has dropped this address space (or we exited).
  alignas(4) uint32_t in_runner = 1;
  int listener = -1;    // published once the filter is installed
  int program_fd = -1;  // a pidfd of this process, which becomes the program
  supervise::RunnerExec* runner_exec = nullptr;  // our own execve, which the helper lets through
  SupervisionEvents* events = nullptr;           // opened before the filter goes on
  Supervisor* supervisor = nullptr;
  const Options* options = nullptr;
  char* helper_stack_top = nullptr;
  int clone_errno = 0;
  // Set when this process could not start the program: it returns to its caller, and the
  // supervisor (in our caller's frames) must not be used.
  int failed = 0;
  // Helper-owned from here on.
  bool program_exited = false;                     // reports have stopped
  std::optional<supervise::Notification> pending;  // received just after our execve
};

uint32_t Load(const uint32_t* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }
int Load(const int* p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

// One notification while our address space may still be the runner's: no allocation, no
// state but `s`. The runner's own execve is let through once (the policy need not allow it);
// anything else the runner does under the filter (an error message after a failed execve)
// fails with EPERM. A notification that came after our execve is kept for the supervisor.
void AnswerEarly(Shared* s, int fd) {
  seccomp_notif n;
  std::memset(&n, 0, sizeof n);
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) return;  // interrupted or gone
  if (Load(&s->in_runner) == 0) {
    // Made after our execve replaced this address space: the program's.
    s->pending = supervise::FromKernel(n);  // the helper owns this memory now
    return;
  }
  seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof resp);
  resp.id = n.id;
  const bool own_exec = s->runner_exec->Matches(supervise::FromKernel(n));
  if (own_exec) {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    resp.error = -EPERM;
  }
  // Once let through, never again (interrupted, the exec is made again, and matches again).
  if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0 && own_exec) s->runner_exec->Disarm();
}

// The program has exited: reports stop here, as they do when `sysgate run` returns. A
// supervisor that kept the program's stderr until no process used the filter would keep
// whoever reads it to the end (a shell's $(...), subprocess.run) waiting for every daemon the
// program left running, even one that let go of that stderr itself. Descendants left running
// are still answered, silently.
void ProgramExited(Shared* s) {
  std::fflush(nullptr);
  int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null >= 0) {
    dup2(null, 2);
    close(null);
  }
  close(s->program_fd);
  s->program_fd = -1;
  s->program_exited = true;
}

enum class Event { kCall, kProgramExited, kHangUp, kError };

// Waits for a notification, the program's exit, or the listener's hang-up (no process uses
// the filter any more), in that order of precedence: the program's last calls are reported
// before its exit. An error of the wait itself is kError. Raw calls only.
Event Wait(Shared* s) {
  while (true) {
    int err = 0;
    SupervisionEvents::Ready r = s->events->Wait(-1, &err);
    if (err != 0) return Event::kError;
    if (r.call) return Event::kCall;
    if (r.program_exited) {
      s->events->Forget(s->program_fd);
      return Event::kProgramExited;
    }
    if (r.hang_up) return Event::kHangUp;
  }
}

// The supervisor cannot go on: the program must not (fail closed). Its descendants' blocked
// calls fail with ENOSYS once the listener is gone.
[[noreturn]] void GiveUp(Shared* s, const char* why) {
  if (s->program_fd >= 0) syscall(SYS_pidfd_send_signal, s->program_fd, SIGKILL, nullptr, 0);
  std::fprintf(stderr, "sysgate: supervisor: %s; the program was killed\n", why);
  std::fflush(nullptr);
  _exit(1);
}

// The supervisor process: a fork of the helper, alone in the runner's old address space.
[[noreturn]] void Supervise(Shared* s, int listener) {
  setsid();  // out of the terminal's session: Ctrl-C is for the program
  prctl(PR_SET_NAME, "sysgate-sup", 0, 0, 0);
  if (s->pending) {
    supervise::KernelNotifyFd fd(listener, /*owned=*/false);
    if (auto h = s->supervisor->Answer(fd, *s->pending); !h)
      GiveUp(s, h.error().ToString().c_str());
  }
  for (Event e; (e = Wait(s)) != Event::kHangUp;) {
    if (e == Event::kError) GiveUp(s, "waiting for calls failed");
    if (e == Event::kProgramExited) {
      if (s->options->on_program_exit) s->options->on_program_exit();
      ProgramExited(s);
    } else if (auto h = s->supervisor->HandleOne(listener); !h) {
      GiveUp(s, h.error().ToString().c_str());
    }
  }
  // The hang-up can come before the pidfd says the program has exited (or without a pidfd,
  // Linux < 5.3): the program is gone either way.
  if (!s->program_exited && s->options->on_program_exit) s->options->on_program_exit();
  if (s->options->on_finished) s->options->on_finished();
  std::fflush(nullptr);
  _exit(0);
}

// The helper once our execve has left it this address space and fd table: it drops what is
// the program's, and waits without a process of its own until there is work in C++ to do
// (most programs make no blocked call).
[[noreturn]] void AfterExec(Shared* s, int listener) {
  close(0);
  close(1);
  supervise::StandardFdReleased(0);  // their numbers may hold the supervisor's files now
  supervise::StandardFdReleased(1);
  for (int fd : s->options->keep_fds) {  // the program's; it has its own copies
    if (fd != 2 && fd != listener && fd != s->program_fd) close(fd);
  }
  // Everything it waits on is watched now; the epoll fd was made before the program ran.
  if (s->events->Watch(listener, s->program_fd, -1) != 0) GiveUp(s, "cannot watch the listener");
  // C++ to run (a call to answer, an audit summary to print) is the supervisor process's.
  while (!s->pending) {
    Event e = Wait(s);
    if (e == Event::kError) GiveUp(s, "waiting for calls failed");
    if (e == Event::kCall) break;
    if (s->options->on_program_exit && !s->options->program_exit_needs_calls) break;
    if (e == Event::kHangUp) _exit(0);
    ProgramExited(s);
  }
  // Without a process of its own (the program took every pid it may have), the helper
  // supervises itself: its calls are answered all the same.
  pid_t pid = fork();
  if (pid <= 0) Supervise(s, listener);
  _exit(0);
}

int HelperMain(void* arg) {
  auto* s = static_cast<Shared*>(arg);
  // Our signal handlers are a copy (no CLONE_SIGHAND). The helper ends when the last filtered
  // process is gone: Ctrl-C on a terminal we share, or a service manager's SIGTERM to the
  // whole group, must not end it first (the program's blocked calls would fail with ENOSYS).
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) {
    sigaction(sig, &ign, nullptr);
  }
  // errno is the runner's too (same thread-local storage): only calls that do not fail in
  // the normal course (a timeout is a 0 return of poll) are made here.
  while (Load(&s->in_runner) != 0) {
    const int fd = Load(&s->listener);
    if (fd < 0) {  // the filter is not on yet
      timespec ts{0, 200000};
      ppoll(nullptr, 0, &ts, nullptr);
      continue;
    }
    // A notification is answered at once (our own execve may wait on it); the end of our
    // execve is seen within a millisecond.
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 1) > 0 && (p.revents & POLLIN)) AnswerEarly(s, fd);
  }
#if SYSGATE_ASAN && !defined(__clang__)
  // Under GCC's ASan: the main thread's sanitizer state is ours now; we run on the helper's
  // stack. (Not earlier: the runner still used that state.) Clang's runtime (make asan) runs
  // the helper without the switch and crashes with it (e2e_run_exec); why is not understood yet.
  __sanitizer_start_switch_fiber(nullptr, s->helper_stack_top - kHelperStack, kHelperStack);
  __sanitizer_finish_switch_fiber(nullptr, nullptr, nullptr);
#endif
  const int listener = Load(&s->listener);
  if (listener < 0 || Load(&s->failed)) _exit(0);  // the runner could not start the program
  AfterExec(s, listener);
}

int LauncherMain(void* arg) {
  auto* s = static_cast<Shared*>(arg);
  // exit_signal SIGCHLD: reparented to init (or a subreaper) when we exit, it is reaped there.
  if (clone(HelperMain, s->helper_stack_top, CLONE_VM | CLONE_FILES | SIGCHLD, s) < 0) {
    s->clone_errno = errno;
  }
  return 0;
}

// The helper's mapping: a guard page, its stack, the launcher's stack, then Shared.
Shared* MapHelper() {
  const size_t size = kGuard + kHelperStack + kLauncherStack + sizeof(Shared);
  void* mem = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (mem == MAP_FAILED) return nullptr;
  char* base = static_cast<char*>(mem);
  // A stack overflow of the helper faults here instead of writing over our memory.
  if (mprotect(base, kGuard, PROT_NONE) != 0) return nullptr;
  auto* s = new (base + kGuard + kHelperStack + kLauncherStack) Shared;
  s->helper_stack_top = base + kGuard + kHelperStack;
  return s;
}

// Starts the helper; on failure returns an errno.
int StartHelper(Shared* s) {
  char* launcher_top = s->helper_stack_top + kLauncherStack;
  // From here, our exit or execve zeroes s->in_runner.
  syscall(SYS_set_tid_address, &s->in_runner);
  pid_t launcher =
      clone(LauncherMain, launcher_top, CLONE_VM | CLONE_FILES | CLONE_VFORK | SIGCHLD, s);
  if (launcher < 0) return errno;
  while (waitpid(launcher, nullptr, 0) < 0 && errno == EINTR) {
  }
  return s->clone_errno;
}

// The program must not reach our terminal: TIOCSTI (CVE-2017-5226) needs it to be the
// caller's controlling terminal. Giving that up (TIOCNOTTY) is enough, and unlike a new session
// it keeps the process in its session and process group, so that Ctrl-C and Ctrl-Z still reach
// the program as any job (nothing is left to pass them on); setsid() would also fail for a
// process-group leader, as every command an interactive shell starts is. A session leader keeps
// its terminal: the session is its own.
int LeaveTerminal() {
  if (getsid(0) == getpid()) return 0;
  int tty = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (tty < 0) return errno == ENXIO || errno == ENOENT ? 0 : -1;  // no controlling terminal
  int r = ioctl(tty, TIOCNOTTY);
  int err = errno;
  close(tty);
  errno = err;
  return r;
}

Error StageError(Stage s, int err, const Options& o, Shared* shared = nullptr) {
  if (shared) __atomic_store_n(&shared->failed, 1, __ATOMIC_RELEASE);
  return AtStage(
      s, SystemError(fmt::format("{} failed; '{}' was not started", StageName(s), o.argv[0]), err));
}

}  // namespace

Result<void> ExecInPlace(const Filter& filter, const Options& o) {
  PreparedCommand cmd;
  if (auto p = PrepareCommand(filter, o, &cmd); !p) return p.error();
  const bool supervised = Supervised(filter);
  const bpf::Program& program = cmd.program;
  // Everything the supervisor process will use is made now: on success these frames stay as
  // they are in the old address space it inherits.
  std::optional<Supervisor> reporting;
  std::optional<supervise::RunnerExec> runner_exec;
  SupervisionEvents events;
  Shared* shared = nullptr;
  if (supervised) {
    shared = MapHelper();
    if (!shared) return StageError(Stage::kSupervisor, errno, o);
    reporting.emplace(MakeSupervisor(filter, o));
    runner_exec.emplace(getpid(), cmd.Exec(), program);
    shared->supervisor = &*reporting;
    shared->runner_exec = &*runner_exec;
    shared->events = &events;
    shared->options = &o;
  }
  // The supervisor's fds are close-on-exec (the program does not get them) but open: the
  // supervisor process inherits this fd table.
  std::vector<int> keep = o.keep_fds;
  const kernel::LandlockRuleset& landlock = filter.landlock();
  if (!landlock.empty()) keep.push_back(landlock.fd());  // close-on-exec: the program lacks it
  for (int fd : o.supervisor_fds) {
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) == 0) keep.push_back(fd);
  }
  std::ranges::sort(keep);
  if (CloseFrom(3, keep) != 0) return StageError(Stage::kCloseFds, errno, o);
  KeepAcrossExec(o.keep_fds);
  if (o.new_session && LeaveTerminal() != 0) {
    return StageError(Stage::kLeaveTerminal, errno, o);
  }
  if (o.drop_caps && DropCapabilities() != 0) return StageError(Stage::kDropCaps, errno, o);
  // CAP_SYS_PTRACE would reach the helper (non-dumpable or not): never for a supervised program.
  if (supervised && DropCapability(CAP_SYS_PTRACE) != 0) {
    return StageError(Stage::kDropCaps, errno ? errno : EPERM, o);
  }
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return StageError(Stage::kNoNewPrivs, errno, o);
  if (supervised) {
    // The supervisor's fds must not take the place of a closed stdin, stdout or stderr: it
    // lets go of those after the exec. A close-on-exec /dev/null holds the place, so the program
    // still finds them closed.
    for (int fd = 0; fd <= 2; ++fd) {
      if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) open("/dev/null", O_RDWR | O_CLOEXEC);
    }
    // Close-on-exec (pidfd_open's own): the program does not get it. Without it (Linux < 5.3)
    // the supervisor reports until no process uses the filter.
    shared->program_fd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
    if (int err = events.Open(); err != 0) return StageError(Stage::kSupervisor, err, o);
    // No process of the same user may reach the helper's memory or fds (docs/run.md "Safety").
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return StageError(Stage::kSupervisor, errno, o);
    if (int err = StartHelper(shared); err != 0) {
      return StageError(Stage::kSupervisor, err, o, shared);
    }
  }
  // After the supervisor process has started, which must not be restricted (it reads the
  // program's memory through /proc).
  if (long lr = landlock.RestrictRaw(/*log_after_exec=*/o.log); lr < 0) {
    return StageError(Stage::kLandlock, static_cast<int>(-lr), o, shared);
  }
  // TSYNC has nothing to do: this process is single-threaded (the helper is not a thread).
  const unsigned flags =
      kernel::FilterFlags({.log = o.log,
                           .spec_allow = o.spec_allow,
                           .new_listener = supervised,
                           .wait_killable_recv = supervised && o.wait_killable_recv});
  long r = kernel::InstallRaw(program.data(), program.size(), flags, false, nullptr);
  if (r < 0) return StageError(Stage::kInstall, static_cast<int>(-r), o, shared);
  if (supervised) __atomic_store_n(&shared->listener, static_cast<int>(r), __ATOMIC_RELEASE);
  // From here every call is filtered: execve, and on failure only what reports it.
  execve(cmd.path.c_str(), cmd.argv.data(), cmd.envp.data());
  const int exec_err = errno;
  Error e = StageError(Stage::kExec, exec_err, o, shared);
  e.message += ExecFailureHint(filter, Stage::kExec, exec_err);
  return e;
}

}  // namespace sysgate::run
