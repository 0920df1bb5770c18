#include "support/env.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include <fmt/format.h>

#include "kernel/child.h"
#include "support/reaches.h"
#include "support/subprocess.h"

namespace sysgate::testing {
namespace {

using Probe = std::optional<std::string> (*)();

// Runs fn in a child; its result is 0 or the errno of the step that failed.
std::optional<std::string> Try(const char* what, int (*fn)(), const char* hint) {
  int status = InChild(fn);
  if (!WIFEXITED(status)) return fmt::format("{} crashed the probe (wait status {})", what, status);
  int err = WEXITSTATUS(status);
  if (err == 0) return std::nullopt;
  return fmt::format("{} fails here: {}{}", what, std::strerror(err), hint);
}

std::optional<std::string> Root() {
  if (geteuid() == 0) return std::nullopt;
  return fmt::format("needs root (running as uid {})", geteuid());
}

std::optional<std::string> Nobody() {
  if (!OnPath("setpriv")) return "setpriv is not installed (util-linux)";
  return Try(
      "becoming nobody (setgid/setuid 65534)",
      [] {
        if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) return errno;
        return 0;
      },
      " (root's tests of an unprivileged user need root)");
}

std::optional<std::string> UserNamespace() {
  return Try(
      "unshare(CLONE_NEWUSER)", [] { return unshare(CLONE_NEWUSER) == 0 ? 0 : errno; },
      " (the kernel refuses user namespaces in a chroot, in most containers, and where "
      "they are disabled)");
}

std::optional<std::string> MountNamespace() {
  return Try(
      "unshare(CLONE_NEWNS)", [] { return unshare(CLONE_NEWNS) == 0 ? 0 : errno; },
      " (needs CAP_SYS_ADMIN)");
}

std::optional<std::string> RecursiveSlave() {
  if (auto why = MountNamespace()) return why;
  return Try(
      "making / a recursive slave mount in a new mount namespace",
      [] {
        if (unshare(CLONE_NEWNS) != 0) return errno;
        return mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0 ? 0 : errno;
      },
      " (in a chroot / is not a mount point; bubblewrap and crun need it to be one)");
}

std::optional<std::string> Ia32() {
  int status = InChild([] {
    long ret;
    asm volatile("int $0x80"
                 : "=a"(ret)
                 : "a"(20)
                 : "r8", "r9", "r10", "r11", "memory");  // i386 getpid
    return ret == getpid() ? 0 : 1;
  });
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  return "int 0x80 does not run i386 syscalls on this kernel (IA32 emulation disabled)";
}

std::optional<std::string> RawSocket() {
  return Try(
      "socket(AF_INET, SOCK_RAW)",
      [] {
        int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
        return fd >= 0 ? 0 : errno;
      },
      " (needs CAP_NET_RAW)");
}

// Telling one open file from another: a copy of one of our own fds (pidfd_getfd) compared
// with it (kcmp KCMP_FILE), as sysgate's supervisor tells a program's inherited files.
std::optional<std::string> FileCompare() {
  return Try(
      "comparing open files (pidfd_getfd, kcmp)",
      [] {
        int pidfd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
        if (pidfd < 0) return errno;
        int copy = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, pidfd, 0));
        if (copy < 0) return errno;
        return syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, pidfd, copy) == 0 ? 0
                                                                                          : errno;
      },
      " (a container's seccomp profile without CAP_SYS_PTRACE refuses them, as Docker's does)");
}

// A child installs a filter that fails getppid with EPERM under SECCOMP_FILTER_FLAG_LOG and
// calls it; the kernel's record of that call must then reach /dev/kmsg. The kernel prints it
// from its kauditd thread, so it is waited for (two seconds); tried three times, since the
// kernel rate-limits these lines (printk_ratelimit) when tests run together.
std::optional<std::string> SeccompLog() {
  int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (kmsg < 0) {
    return fmt::format(
        "/dev/kmsg cannot be read here: {} (needs CAP_SYSLOG where "
        "kernel.dmesg_restrict is 1)",
        std::strerror(errno));
  }
  lseek(kmsg, 0, SEEK_END);  // only what comes next
  for (int attempt = 0; attempt < 3; ++attempt) {
    pid_t child = fork();
    if (child < 0) break;
    if (child == 0) {
      sock_filter insns[] = {
          BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
          BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
          BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      };
      sock_fprog prog{4, insns};
      if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
          syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_LOG, &prog) != 0) {
        _exit(1);
      }
      syscall(SYS_getppid);
      _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) break;
    const std::string want = fmt::format("pid={} ", child);
    char record[8192];
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{kmsg, POLLIN, 0};
      if (poll(&p, 1, 100) <= 0) continue;
      ssize_t n = read(kmsg, record, sizeof record - 1);
      if (n <= 0) continue;  // EPIPE: records overwritten meanwhile; EAGAIN
      std::string_view r(record, static_cast<size_t>(n));
      if (r.find("type=1326") != std::string_view::npos && r.find(want) != std::string_view::npos) {
        close(kmsg);
        return std::nullopt;
      }
    }
  }
  close(kmsg);
  return "the kernel did not write a filter's logged verdict to /dev/kmsg (auditd takes "
         "the records, or seccomp's logging is off in kernel.seccomp.actions_logged)";
}

// The kernel's audit records can be read as they are made (run --log reads Landlock's so):
// this process may join the audit log group (CAP_AUDIT_READ), and audit is enabled. Asked of
// the kernel directly; never changed (the audit state is the machine owner's).
std::optional<std::string> AuditRecords() {
  // The kernel sends them to the initial network namespace only (numbered 0xEFFFFFF9 since
  // Linux 6.18; before, it is told by pid 1's).
  struct stat self {
  }, init{};
  if (stat("/proc/self/ns/net", &self) != 0 ||
      (self.st_ino != 0xEFFFFFF9U &&
       (stat("/proc/1/ns/net", &init) != 0 || init.st_ino != self.st_ino))) {
    return "not (as far as can be told) in the initial network namespace, the only one the "
           "kernel sends its audit records to";
  }
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return fmt::format("no audit socket: {}", std::strerror(errno));
  sockaddr_nl group{};
  group.nl_family = AF_NETLINK;
  group.nl_groups = 1U << (AUDIT_NLGRP_READLOG - 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&group), sizeof group) != 0) {
    const int err = errno;
    close(fd);
    return fmt::format("cannot join the audit log group: {}", std::strerror(err));
  }
  close(fd);
  const int ask = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (ask < 0) return fmt::format("no audit socket: {}", std::strerror(errno));
  const timeval timeout{.tv_sec = 2, .tv_usec = 0};
  setsockopt(ask, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  nlmsghdr request{};
  request.nlmsg_len = NLMSG_LENGTH(0);
  request.nlmsg_type = AUDIT_GET;
  request.nlmsg_flags = NLM_F_REQUEST;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  alignas(nlmsghdr) char buf[8192];
  ssize_t n = -1;
  if (sendto(ask, &request, request.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) == static_cast<ssize_t>(request.nlmsg_len)) {
    n = recv(ask, buf, sizeof buf, 0);
  }
  close(ask);
  int len = static_cast<int>(n);
  for (auto* h = reinterpret_cast<nlmsghdr*>(buf); n > 0 && NLMSG_OK(h, len);
       h = NLMSG_NEXT(h, len)) {
    if (h->nlmsg_type != AUDIT_GET) continue;
    if (static_cast<const audit_status*>(NLMSG_DATA(h))->enabled != 0) return std::nullopt;
    return "audit is disabled on this kernel (auditctl -e 1): the kernel makes no record";
  }
  return "the kernel did not answer AUDIT_GET";
}

// Landlock of at least ABI `want`, asked of the kernel directly (landlock_create_ruleset's
// version query), not through sysgate.
std::optional<std::string> LandlockAtLeast(std::string_view want) {
  int need = std::atoi(std::string(want).c_str());
  long abi = syscall(444 /* landlock_create_ruleset */, nullptr, 0, 1U /* VERSION */);
  if (abi < 0) {
    return fmt::format(
        "Landlock is not available here ({}: not built in, not enabled at boot, "
        "or refused by a container's profile)",
        std::strerror(errno));
  }
  if (abi < need)
    return fmt::format("this kernel's Landlock is ABI {}, and the test needs {}", abi, need);
  return std::nullopt;
}

const std::map<std::string, Probe, std::less<>>& Probes() {
  static const std::map<std::string, Probe, std::less<>> probes = {
      {"root", Root},
      {"nobody", Nobody},
      {"userns", UserNamespace},
      {"mountns", MountNamespace},
      {"propagation", RecursiveSlave},
      {"ia32", Ia32},
      {"raw-socket", RawSocket},
      {"seccomp-log", SeccompLog},
      {"file-compare", FileCompare},
      {"audit-records", AuditRecords},
  };
  return probes;
}

}  // namespace

std::optional<std::string> Missing(std::string_view need) {
  static std::mutex mu;
  static std::map<std::string, std::optional<std::string>, std::less<>> cache;
  std::lock_guard lock(mu);
  if (auto it = cache.find(need); it != cache.end()) return it->second;
  std::optional<std::string> why;
  if (need.starts_with("program:")) {
    std::string program(need.substr(8));
    if (!OnPath(program)) why = fmt::format("{} is not installed (make deps installs it)", program);
  } else if (need.starts_with("landlock:")) {
    why = LandlockAtLeast(need.substr(9));
  } else if (need.starts_with("reaches:")) {
    why = CallNotReachingNotifyFilter(need.substr(8));
  } else if (auto it = Probes().find(need); it != Probes().end()) {
    why = it->second();
  } else {
    std::fprintf(stderr, "test_env: unknown need '%.*s'\n", static_cast<int>(need.size()),
                 need.data());
    std::abort();
  }
  cache.emplace(std::string(need), why);
  return why;
}

}  // namespace sysgate::testing
