#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sysgate/kernel.h"

#ifndef SECCOMP_FILTER_FLAG_TSYNC_ESRCH
#define SECCOMP_FILTER_FLAG_TSYNC_ESRCH (1UL << 4)
#endif
#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

namespace sysgate::kernel {

unsigned FilterFlags(const InstallOptions& o) {
  unsigned f = 0;
  if (o.tsync) f |= SECCOMP_FILTER_FLAG_TSYNC;
  if (o.log) f |= SECCOMP_FILTER_FLAG_LOG;
  if (o.spec_allow) f |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  if (o.new_listener) f |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
  if (o.wait_killable_recv) f |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  // With a listener, a TSYNC failure cannot be told apart from the fd it would return.
  if (o.tsync && o.new_listener) f |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  return f;
}

std::vector<std::string> FilterFlagNames(unsigned flags) {
  static constexpr const char* kNames[] = {"TSYNC",        "LOG",         "SPEC_ALLOW",
                                           "NEW_LISTENER", "TSYNC_ESRCH", "WAIT_KILLABLE_RECV"};
  std::vector<std::string> out;
  for (unsigned bit = 0; bit < 32; ++bit) {
    if ((flags & (1U << bit)) == 0) continue;
    out.push_back(bit < std::size(kNames) ? kNames[bit] : fmt::format("{:#x}", 1U << bit));
  }
  return out;
}

long InstallRaw(const bpf::Insn* insns, size_t count, unsigned flags, bool no_new_privs,
                long* failed_tid) {
  if (failed_tid) *failed_tid = 0;
  if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -errno;
  sock_fprog fprog{static_cast<unsigned short>(count),
                   reinterpret_cast<sock_filter*>(const_cast<bpf::Insn*>(insns))};
  long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
  if (r < 0 && errno == ENOSYS && flags == 0) {
    // Kernels before 3.17 have only prctl.
    r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
  }
  if (r < 0) return -errno;
  if ((flags & SECCOMP_FILTER_FLAG_TSYNC) && !(flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) && r > 0) {
    if (failed_tid) *failed_tid = r;  // the thread that could not be synchronised
    return -ESRCH;
  }
  return r;
}

Result<int> Install(const bpf::Program& prog, const InstallOptions& options) {
  if (prog.empty() || prog.size() > bpf::kMaxInsns) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("cannot install a filter of {} instructions", prog.size()));
  }
  long tid = 0;
  long r = InstallRaw(prog.data(), prog.size(), FilterFlags(options), options.no_new_privs, &tid);
  if (r >= 0) return options.new_listener ? static_cast<int>(r) : -1;
  int err = static_cast<int>(-r);
  if (tid > 0) {
    return SystemError(fmt::format("seccomp(SET_MODE_FILTER, TSYNC): thread {} has a filter "
                                   "that is not an ancestor of this thread's and cannot be "
                                   "synchronised",
                                   tid),
                       err);
  }
  if (err == EACCES) {
    return SystemError(
        "seccomp(SET_MODE_FILTER): not allowed without no_new_privs or "
        "CAP_SYS_ADMIN",
        err);
  }
  if (err == ENOMEM) {
    return SystemError(
        "seccomp(SET_MODE_FILTER): the filters of this process would exceed "
        "the kernel's 32768-instruction limit",
        err);
  }
  return SystemError("seccomp(SET_MODE_FILTER)", err);
}

}  // namespace sysgate::kernel
