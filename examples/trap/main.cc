// The SIGSYS trap reporter: a policy that traps a syscall, a handler that reports it and makes
// it fail with EPERM instead of killing the program.
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include <sysgate/policy_builder.h>
#include <sysgate/sandbox.h>
#include <sysgate/trap.h>

int main() {
  if (auto r = sysgate::InstallTrapReporter({.report_fd = 2, .fail_errno = EPERM}); !r) {
    std::fprintf(stderr, "%s\n", r.error().ToString().c_str());
    return 1;
  }
  auto policy =
      sysgate::PolicyBuilder().Default(sysgate::Action::Allow()).Trap("getppid", 1).Build();
  if (!policy || !sysgate::ApplyToThisProcess(*policy)) return 1;
  errno = 0;
  // Through syscall(): glibc's getppid() assumes it cannot fail and does not set errno.
  long p = syscall(SYS_getppid);
  std::printf("getppid() = %ld (%s)\n", p, p < 0 ? std::strerror(errno) : "ok");
  return p < 0 && errno == EPERM ? 0 : 2;
}
