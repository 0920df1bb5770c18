#include "support/env.h"

#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

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
  return Try("becoming nobody (setgid/setuid 65534)", [] {
    if (setgroups(0, nullptr) != 0 || setgid(65534) != 0 || setuid(65534) != 0) return errno;
    return 0;
  }, " (root's tests of an unprivileged user need root)");
}

std::optional<std::string> UserNamespace() {
  return Try("unshare(CLONE_NEWUSER)", [] { return unshare(CLONE_NEWUSER) == 0 ? 0 : errno; },
             " (the kernel refuses user namespaces in a chroot, in most containers, and where "
             "they are disabled)");
}

std::optional<std::string> MountNamespace() {
  return Try("unshare(CLONE_NEWNS)", [] { return unshare(CLONE_NEWNS) == 0 ? 0 : errno; },
             " (needs CAP_SYS_ADMIN)");
}

std::optional<std::string> RecursiveSlave() {
  if (auto why = MountNamespace()) return why;
  return Try("making / a recursive slave mount in a new mount namespace", [] {
    if (unshare(CLONE_NEWNS) != 0) return errno;
    return mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0 ? 0 : errno;
  }, " (in a chroot / is not a mount point; bubblewrap and crun need it to be one)");
}

std::optional<std::string> Ia32() {
  int status = InChild([] {
    long ret;
    asm volatile("int $0x80" : "=a"(ret) : "a"(20) : "r8", "r9", "r10", "r11", "memory");  // i386 getpid
    return ret == getpid() ? 0 : 1;
  });
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::nullopt;
  return "int 0x80 does not run i386 syscalls on this kernel (IA32 emulation disabled)";
}

std::optional<std::string> RawSocket() {
  return Try("socket(AF_INET, SOCK_RAW)", [] {
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    return fd >= 0 ? 0 : errno;
  }, " (needs CAP_NET_RAW)");
}

const std::map<std::string, Probe, std::less<>>& Probes() {
  static const std::map<std::string, Probe, std::less<>> probes = {
      {"root", Root},     {"nobody", Nobody},   {"userns", UserNamespace}, {"mountns", MountNamespace},
      {"propagation", RecursiveSlave}, {"ia32", Ia32}, {"raw-socket", RawSocket},
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
  } else if (need.starts_with("reaches:")) {
    why = CallNotReachingNotifyFilter(need.substr(8));
  } else if (auto it = Probes().find(need); it != Probes().end()) {
    why = it->second();
  } else {
    std::fprintf(stderr, "test_env: unknown need '%.*s'\n", static_cast<int>(need.size()), need.data());
    std::abort();
  }
  cache.emplace(std::string(need), why);
  return why;
}

}  // namespace sysgate::testing
