// A SIGSYS handler for filters that use `trap`: each trapped syscall is reported on a file
// descriptor, then either fails with a chosen errno (the handler writes it into the syscall's
// return register) or ends the process with SIGSYS.
//
//   sysgate::InstallTrapReporter({.report_fd = 2, .fail_errno = EPERM});
//   sysgate::ApplyToThisProcess(policy);   // a policy with `trap` rules
//   // a trapped call prints "sysgate: trapped openat (x86_64 #257) at 0x7f12... data 0"
//   // and returns -1 with errno EPERM
//
// Async-signal-safe: the handler allocates nothing and calls only write(2) (and, to abort,
// rt_sigaction and kill). Re-entrancy: SIGSYS is blocked while the handler runs, so a syscall
// the filter traps *inside* the handler (for example if the policy traps write) makes the
// kernel kill the process with SIGSYS; allow write on report_fd and rt_sigreturn. A program can
// replace the handler, but not the filter: a trapped syscall never runs, whatever the handler
// does, so trap is deny-and-report, never a way to allow after a check.
#pragma once

#include "sysgate/result.h"

namespace sysgate {

struct TrapReporterOptions {
  int report_fd = 2;           // where reports go; -1 for none
  int fail_errno = 38;         // ENOSYS: the trapped call returns -1 with this errno
  bool abort_process = false;  // instead: end the process with SIGSYS after the report
};

// Installs the handler (sigaction SIGSYS). Setting the return register is supported on
// x86_64, aarch64 and riscv64; elsewhere fail_errno is refused (use abort_process).
Result<void> InstallTrapReporter(const TrapReporterOptions& options = {});

}  // namespace sysgate
