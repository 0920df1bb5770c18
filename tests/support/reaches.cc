#include "support/reaches.h"

#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <thread>

#include <fmt/format.h>

#include "base/strings.h"
#include "kernel/child.h"
#include "sysgate/arch.h"

namespace sysgate::testing {
namespace {

// What the listener answers: a return value no call makes by itself here.
constexpr long kAnswer = 0x5ec5ec;
constexpr auto kLimit = std::chrono::seconds(10);

struct Call {
  std::string text;  // as the messages name it: unshare(0x10000000)
  long nr = 0;
  std::array<unsigned long, 6> args{};
};

[[noreturn]] void Misspelt(std::string_view call, std::string_view why) {
  std::fprintf(stderr, "test_env: need 'reaches:%.*s': %.*s\n", static_cast<int>(call.size()),
               call.data(), static_cast<int>(why.size()), why.data());
  std::abort();
}

Call Parse(std::string_view spec) {
  auto parts = base::Split(spec, ',');
  if (parts.empty() || parts[0].empty() || parts.size() > 7) Misspelt(spec, "want NAME[,ARG...]");
  Call c;
  std::string name(parts[0]);
  if (auto nr = base::ParseInt32(parts[0])) {
    c.nr = *nr;
    auto known = SyscallName(HostArch(), *nr);
    name = known ? std::string(*known) : fmt::format("syscall #{}", *nr);
  } else if (auto named = SyscallNumber(HostArch(), parts[0])) {
    c.nr = *named;
  } else {
    Misspelt(spec, "no such syscall on this machine");
  }
  std::string args;
  for (size_t i = 1; i < parts.size(); ++i) {
    auto v = base::ParseInteger(parts[i]);
    if (!v) Misspelt(spec, "an argument is not an integer");
    c.args[i - 1] = *v;
    args += (i > 1 ? ", " : "") + std::string(parts[i]);
  }
  c.text = name.starts_with("syscall #") && args.empty() ? name : fmt::format("{}({})", name, args);
  return c;
}

// Shared by the probe's two processes and the caller (an anonymous shared mapping): the caller
// reads what became of the call.
struct Shared {
  std::atomic<int> listener{-1};      // the caller: the notify filter's listener, once installed
  const char* failed_step = nullptr;  // a string literal: the same in the forked processes
  int err = 0;
  bool returned = false;
  long ret = 0;
  bool notified = false;
  bool timed_out = false;
  int status = 0;  // the caller's wait status
};

// The caller: shares its fd table with the listener, installs over the environment's filters
// one that notifies the call, and makes it. After the filter only the call itself and the exit
// are syscalls (so the probed call may be any other); results go to shared memory.
[[noreturn]] void MakeCall(const Call& c, Shared* s) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
    s->failed_step = "prctl(PR_SET_NO_NEW_PRIVS)";
    s->err = errno;
    _exit(0);
  }
  sock_filter code[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, Info(HostArch()).audit_arch, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, static_cast<uint32_t>(c.nr), 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
  long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
  if (fd < 0) {
    s->failed_step = "installing a filter with a listener (seccomp)";
    s->err = errno;
    _exit(0);
  }
  s->listener.store(static_cast<int>(fd));
  errno = 0;
  s->ret = syscall(c.nr, c.args[0], c.args[1], c.args[2], c.args[3], c.args[4], c.args[5]);
  s->err = errno;
  s->returned = true;
  _exit(0);
}

// The listener (a child of the test, with no filter of its own): answers the call if it comes,
// until the caller is gone.
int Listen(const Call& c, Shared* s) {
  long caller = syscall(SYS_clone, CLONE_FILES | SIGCHLD, 0, nullptr, nullptr, 0);
  if (caller < 0) {
    s->failed_step = "clone(CLONE_FILES)";
    s->err = errno;
    return 0;
  }
  if (caller == 0) MakeCall(c, s);
  auto deadline = std::chrono::steady_clock::now() + kLimit;
  while (waitpid(static_cast<pid_t>(caller), &s->status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      s->timed_out = true;
      kill(static_cast<pid_t>(caller), SIGKILL);
      waitpid(static_cast<pid_t>(caller), &s->status, 0);
      break;
    }
    int fd = s->listener.load();
    if (fd < 0) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      continue;
    }
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5) <= 0 || !(p.revents & POLLIN)) continue;
    seccomp_notif n{};
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) continue;
    seccomp_notif_resp answer{};
    answer.id = n.id;
    answer.val = kAnswer;
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &answer) == 0) s->notified = true;
  }
  return 0;
}

}  // namespace

std::optional<std::string> CallNotReachingNotifyFilter(std::string_view spec) {
  Call c = Parse(spec);
  void* page =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (page == MAP_FAILED)
    return fmt::format("the probe of {} cannot map memory: {}", c.text, strerror(errno));
  auto* s = new (page) Shared;
  int status = InChild([&] { return Listen(c, s); });
  Shared r = {};
  r.failed_step = s->failed_step;
  r.err = s->err;
  r.returned = s->returned;
  r.ret = s->ret;
  r.notified = s->notified;
  r.timed_out = s->timed_out;
  r.status = s->status;
  s->~Shared();
  munmap(page, sizeof(Shared));

  const std::string not_reaching = fmt::format(
      "{} never reaches a seccomp filter installed after this environment's own, as sysgate's "
      "supervisor's is",
      c.text);
  if (!WIFEXITED(status))
    return fmt::format("the probe of {} crashed (wait status {})", c.text, status);
  if (r.failed_step) return fmt::format("{} fails here: {}", r.failed_step, strerror(r.err));
  if (r.timed_out)
    return fmt::format("{} was neither answered nor returned within {} s", c.text, kLimit.count());
  if (r.returned && r.notified && r.ret == kAnswer) return std::nullopt;
  if (r.returned && r.ret == -1) {
    return fmt::format(
        "{}: the environment answers {} ({}) first (an errno or a kill outranks a "
        "notification, whatever the order: a container's seccomp profile)",
        not_reaching, strerrorname_np(r.err), strerror(r.err));
  }
  if (r.returned) return fmt::format("{}: it returned {} unanswered", not_reaching, r.ret);
  if (WIFSIGNALED(r.status)) {
    return fmt::format("{}: the environment kills the caller first (SIG{})", not_reaching,
                       sigabbrev_np(WTERMSIG(r.status)));
  }
  return fmt::format("{}: the caller ended with wait status {}", not_reaching, r.status);
}

}  // namespace sysgate::testing
