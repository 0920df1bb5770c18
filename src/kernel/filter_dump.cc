// Reading the filter stack of a running thread: PTRACE_SECCOMP_GET_FILTER (the program) and
// PTRACE_SECCOMP_GET_METADATA (its flags), while the thread is held in a ptrace stop.
#include <errno.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include "kernel/proc_status.h"
#include "sysgate/filter_dump.h"

namespace sysgate::kernel {
namespace {

constexpr int kCapSysAdmin = 21;

bool HasCapSysAdmin() {
  auto eff = ProcStatusNumber(getpid(), "CapEff", 16);
  return eff && ((static_cast<unsigned long>(*eff) >> kCapSysAdmin) & 1U) != 0;
}

// Why the kernel refused to show the filters (EACCES from PTRACE_SECCOMP_GET_FILTER).
Error NotAllowed(pid_t tid) {
  if (ProcStatusNumber(getpid(), "Seccomp").value_or(0) != 0) {
    return MakeError(ErrorCode::kUnsupported,
                     fmt::format("cannot read the filters of {}: sysgate itself runs under a "
                                 "seccomp filter, and the kernel shows filters only to "
                                 "unfiltered callers",
                                 tid));
  }
  return MakeError(ErrorCode::kUnsupported,
                   fmt::format("cannot read the filters of {}: reading a process's seccomp "
                               "filters needs CAP_SYS_ADMIN (run sysgate dump as root)",
                               tid));
}

Error AttachError(pid_t tid, int err) {
  if (err == ESRCH) {
    return MakeError(ErrorCode::kNotFound, fmt::format("no process or thread {}", tid));
  }
  std::string why = fmt::format("cannot attach to {} with ptrace", tid);
  if (err == EPERM) {
    why += HasCapSysAdmin() ? " (is it traced already, or exiting?)"
                            : " (another user's process, or one already traced; reading "
                              "filters needs CAP_SYS_ADMIN anyway: run sysgate dump as root)";
  }
  return SystemError(why, err);
}

// Holds a thread in a ptrace stop for as long as it lives; detaching lets it go on.
class Stopped {
 public:
  static Result<Stopped> Attach(pid_t tid) {
    if (ptrace(PTRACE_SEIZE, tid, nullptr, nullptr) != 0) return AttachError(tid, errno);
    Stopped s(tid);
    if (ptrace(PTRACE_INTERRUPT, tid, nullptr, nullptr) != 0) {
      return SystemError(fmt::format("cannot stop {} (PTRACE_INTERRUPT)", tid), errno);
    }
    int status = 0;
    while (true) {
      if (waitpid(tid, &status, __WALL) < 0) {
        if (errno == EINTR) continue;
        return SystemError(fmt::format("waiting for {} to stop", tid), errno);
      }
      if (!WIFSTOPPED(status)) {
        s.tid_ = 0;  // it ended meanwhile: nothing to detach
        return MakeError(ErrorCode::kNotFound, fmt::format("{} exited while being read", tid));
      }
      if (status >> 16 == PTRACE_EVENT_STOP) break;
      // A signal arrived first: deliver it on the next resume, and wait for our stop.
      ptrace(PTRACE_CONT, tid, nullptr,
             reinterpret_cast<void*>(static_cast<long>(WSTOPSIG(status))));
    }
    return s;
  }
  Stopped(Stopped&& o) noexcept : tid_(o.tid_) { o.tid_ = 0; }
  Stopped& operator=(Stopped&&) = delete;
  ~Stopped() {
    if (tid_ > 0) ptrace(PTRACE_DETACH, tid_, nullptr, nullptr);
  }

 private:
  explicit Stopped(pid_t tid) : tid_(tid) {}
  pid_t tid_;
};

}  // namespace

Result<ThreadFilters> ReadFilters(pid_t tid) {
  ThreadFilters out;
  out.tid = tid;
  if (tid <= 0) return MakeError(ErrorCode::kInvalidArgument, fmt::format("no process {}", tid));
  auto mode = ProcStatusNumber(tid, "Seccomp");
  if (!mode) {
    if (kill(tid, 0) != 0 && errno == ESRCH) {
      return MakeError(ErrorCode::kNotFound, fmt::format("no process or thread {}", tid));
    }
    return MakeError(
        ErrorCode::kUnsupported,
        fmt::format("cannot read the seccomp mode of {} from /proc/{}/status", tid, tid));
  }
  out.mode = static_cast<int>(*mode);
  if (out.mode != SECCOMP_MODE_FILTER) return out;  // nothing to read (none, or strict mode)

  auto stopped = Stopped::Attach(tid);
  if (!stopped) return stopped.error();
  for (unsigned long index = 0;; ++index) {
    long n = ptrace(PTRACE_SECCOMP_GET_FILTER, tid, reinterpret_cast<void*>(index), nullptr);
    if (n < 0) {
      if (errno == ENOENT) break;  // past the oldest filter
      if (errno == EACCES) return NotAllowed(tid);
      if (errno == EMEDIUMTYPE) {
        return MakeError(
            ErrorCode::kUnsupported,
            fmt::format("filter {} of {} is an eBPF program, which sysgate cannot read", index,
                        tid));
      }
      return SystemError(fmt::format("PTRACE_SECCOMP_GET_FILTER({}) on {}", index, tid), errno);
    }
    InstalledFilter f;
    f.program.resize(static_cast<size_t>(n));
    if (ptrace(PTRACE_SECCOMP_GET_FILTER, tid, reinterpret_cast<void*>(index), f.program.data()) !=
        n) {
      return SystemError(fmt::format("PTRACE_SECCOMP_GET_FILTER({}) on {}", index, tid), errno);
    }
    __ptrace_seccomp_metadata md{.filter_off = index, .flags = 0};
    if (ptrace(PTRACE_SECCOMP_GET_METADATA, tid, reinterpret_cast<void*>(sizeof md), &md) < 0) {
      return SystemError(fmt::format("PTRACE_SECCOMP_GET_METADATA({}) on {}", index, tid), errno);
    }
    f.log = (md.flags & SECCOMP_FILTER_FLAG_LOG) != 0;
    out.filters.push_back(std::move(f));
  }
  return out;
}

}  // namespace sysgate::kernel
