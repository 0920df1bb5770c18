// What a test needs from the machine it runs on, probed by doing the operation itself, without
// sysgate, in a child: a test whose need is missing skips and says why (the environment cannot),
// so a failure always means sysgate is wrong. The shell suites ask the same probes through the
// test_env program (tests/support/env.sh). Test code only.
//
// Needs (names as the shell passes them):
//   root        running as uid 0
//   nobody      can become the user nobody (65534) and setpriv is installed: root's tests of
//               an unprivileged user
//   userns      unshare(CLONE_NEWUSER) works (not in a chroot, nor where it is disabled)
//   mountns     unshare(CLONE_NEWNS) works (needs CAP_SYS_ADMIN)
//   propagation in a new mount namespace, / can be made a recursive slave, as bubblewrap,
//               crun and unshare(1) do (fails in a chroot, whose / is not a mount point)
//   ia32        int 0x80 runs i386 syscalls (IA32 emulation compiled in and enabled)
//   raw-socket  socket(AF_INET, SOCK_RAW) works (CAP_NET_RAW)
//   seccomp-log a filter's logged verdict reaches the kernel log as a type=1326 record that
//               this user can read from /dev/kmsg (not where auditd takes the records, nor
//               where dmesg_restrict keeps an unprivileged reader out)
//   file-compare a copy of an own fd (pidfd_getfd) compares with it (kcmp): sysgate tells a
//               program's inherited files this way (not under Docker's profile without
//               CAP_SYS_PTRACE)
//   program:X   X is an executable on PATH
//   landlock:N  Landlock of ABI N or later works here (not where a container's profile
//               refuses its calls)
//   reaches:CALL the syscall CALL (NAME[,ARG...], as the test makes it) reaches a seccomp
//               filter installed after the environment's own, as the one of sysgate's
//               supervisor is: not where a container's profile fails or kills it first
//               (support/reaches.h)
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sysgate::testing {

// Why the environment cannot meet `need`, or nothing when it can. Probed once per process.
// An unknown name is a mistake in the test, not a missing feature: it aborts.
std::optional<std::string> Missing(std::string_view need);

}  // namespace sysgate::testing

// Skips the current test, with the reason, unless the environment meets `need`.
#define SYSGATE_NEED(need)                                           \
  do {                                                               \
    if (auto sysgate_missing_ = ::sysgate::testing::Missing(need)) { \
      GTEST_SKIP() << *sysgate_missing_;                             \
    }                                                                \
  } while (0)
