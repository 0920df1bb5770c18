#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstring>

#include "sysgate/arch.h"
#include "sysgate/trap.h"

namespace sysgate {
namespace {

// Set once before the handler is installed; read-only afterwards.
TrapReporterOptions g_options;

// Async-signal-safe text building into a fixed buffer.
struct Line {
  char buf[256];
  size_t len = 0;
  void Add(std::string_view s) {
    for (char c : s) {
      if (len < sizeof buf) buf[len++] = c;
    }
  }
  void Dec(unsigned long v) {
    char tmp[24];
    size_t n = 0;
    do {
      tmp[n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v && n < sizeof tmp);
    while (n) Add(std::string_view(&tmp[--n], 1));
  }
  void Hex(unsigned long v) {
    Add("0x");
    char tmp[20];
    size_t n = 0;
    do {
      tmp[n++] = "0123456789abcdef"[v & 15];
      v >>= 4;
    } while (v && n < sizeof tmp);
    while (n) Add(std::string_view(&tmp[--n], 1));
  }
};

bool SetReturn(void* ucontext, long value) {
  auto* uc = static_cast<ucontext_t*>(ucontext);
#if defined(__x86_64__)
  uc->uc_mcontext.gregs[REG_RAX] = value;
  return true;
#elif defined(__aarch64__)
  uc->uc_mcontext.regs[0] = static_cast<unsigned long>(value);
  return true;
#elif defined(__riscv)
  uc->uc_mcontext.__gregs[10] = static_cast<unsigned long>(value);
  return true;
#else
  (void)uc;
  (void)value;
  return false;
#endif
}

void Handler(int, siginfo_t* info, void* ucontext) {
  const int saved_errno = errno;
  if (info->si_code != 1 /* SYS_SECCOMP */) return;
  const int nr = info->si_syscall;
  const unsigned arch = info->si_arch;
  if (g_options.report_fd >= 0) {
    Line l;
    l.Add("sysgate: trapped ");
    auto abi = ArchFromAudit(arch, nr);
    auto name = abi ? SyscallName(*abi, nr) : std::nullopt;
    if (name) {
      l.Add(*name);
    } else {
      l.Add("syscall");
    }
    l.Add(" (");
    l.Add(abi ? Info(*abi).name : std::string_view("arch "));
    if (!abi) l.Hex(arch);
    l.Add(" #");
    l.Dec(static_cast<unsigned long>(nr));
    l.Add(") at ");
    l.Hex(reinterpret_cast<unsigned long>(info->si_call_addr));
    l.Add(" data ");
    l.Dec(static_cast<unsigned long>(info->si_errno));
    l.Add(g_options.abort_process ? ": aborting\n" : "\n");
    [[maybe_unused]] ssize_t n = write(g_options.report_fd, l.buf, l.len);
  }
  if (g_options.abort_process || !SetReturn(ucontext, -static_cast<long>(g_options.fail_errno))) {
    // Default action for SIGSYS, then raise it: if even kill is trapped, the kernel forces
    // SIGSYS with the default action, which ends the process just the same.
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGSYS, &dfl, nullptr);
    syscall(SYS_kill, getpid(), SIGSYS);
  }
  errno = saved_errno;
}

}  // namespace

Result<void> InstallTrapReporter(const TrapReporterOptions& options) {
#if !defined(__x86_64__) && !defined(__aarch64__) && !defined(__riscv)
  if (!options.abort_process) {
    return MakeError(ErrorCode::kUnsupported,
                     "setting a trapped syscall's return value is not supported on this arch; "
                     "use abort_process");
  }
#endif
  if (options.fail_errno < 1 || options.fail_errno > 4095) {
    return MakeError(ErrorCode::kInvalidArgument, "fail_errno must be 1..4095");
  }
  g_options = options;
  struct sigaction sa {};
  sa.sa_sigaction = Handler;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO;  // no SA_NODEFER: a syscall trapped inside the handler is fatal
  if (sigaction(SIGSYS, &sa, nullptr) != 0) return SystemError("sigaction(SIGSYS)", errno);
  return {};
}

}  // namespace sysgate
