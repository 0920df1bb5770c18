// Capturing the filters a command installs: it runs traced (PTRACE_SYSCALL, following its
// threads and children), and at each seccomp(SECCOMP_SET_MODE_FILTER) or
// prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER) entry the program is read from its memory; the
// call's exit says whether the kernel took it.
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <set>

#include <fmt/format.h>

#include "sysgate/filter_dump.h"

namespace sysgate::kernel {
namespace {

constexpr long kTraceOptions = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK |
                               PTRACE_O_TRACEVFORK | PTRACE_O_TRACEEXEC | PTRACE_O_EXITKILL;

void* Data(long v) { return reinterpret_cast<void*>(v); }

bool ReadMemory(pid_t tid, uint64_t addr, void* out, size_t size) {
  iovec local{out, size};
  iovec remote{reinterpret_cast<void*>(addr), size};
  ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
  if (n >= 0 && n != static_cast<ssize_t>(size)) errno = EFAULT;  // a short read: a bad pointer
  return n == static_cast<ssize_t>(size);
}

// The struct sock_fprog at `addr` in the tracee, laid out for its ABI (compat ABIs, x32
// among them, hold a 32-bit pointer at offset 4), and the program it points to.
std::optional<bpf::Program> ReadProgram(pid_t tid, Arch abi, uint64_t addr) {
  uint16_t len = 0;
  uint64_t filter = 0;
  if (Info(abi).word_bits == 64) {
    unsigned char raw[16];
    if (!ReadMemory(tid, addr, raw, sizeof raw)) return std::nullopt;
    std::memcpy(&len, raw, 2);
    std::memcpy(&filter, raw + 8, 8);
  } else {
    unsigned char raw[8];
    uint32_t p = 0;
    if (!ReadMemory(tid, addr, raw, sizeof raw)) return std::nullopt;
    std::memcpy(&len, raw, 2);
    std::memcpy(&p, raw + 4, 4);
    filter = p;
  }
  if (len == 0 || len > bpf::kMaxInsns) return bpf::Program{};  // the kernel refuses it (EINVAL)
  bpf::Program prog(len);
  if (!ReadMemory(tid, filter, prog.data(), len * sizeof(bpf::Insn))) return std::nullopt;
  return prog;
}

// A filter install at this syscall entry, if it is one.
std::optional<CapturedFilter> FilterCall(pid_t tid, const __ptrace_syscall_info& info) {
  auto nr = static_cast<int32_t>(info.entry.nr);
  std::optional<Arch> abi = ArchFromAudit(info.arch, nr);
  if (!abi) return std::nullopt;
  const uint64_t* a = info.entry.args;
  CapturedFilter c;
  c.tid = tid;
  c.abi = abi;
  uint64_t uargs = 0;
  // seccomp(2)'s operation is an unsigned int: the kernel ignores the upper half (THREATS.md 5).
  if (nr == SyscallNumber(*abi, "seccomp") &&
      static_cast<uint32_t>(a[0]) == SECCOMP_SET_MODE_FILTER) {
    c.flags = static_cast<unsigned>(a[1]);
    uargs = a[2];
  } else if (nr == SyscallNumber(*abi, "prctl") && static_cast<uint32_t>(a[0]) == PR_SET_SECCOMP &&
             a[1] == SECCOMP_MODE_FILTER) {
    c.via_prctl = true;
    uargs = a[2];
  } else {
    return std::nullopt;
  }
  // No program: a feature probe (libseccomp asks whether the kernel knows a flag with
  // seccomp(SECCOMP_SET_MODE_FILTER, flag, NULL) and takes EFAULT for yes), not a filter.
  if (uargs == 0) return std::nullopt;
  auto prog = ReadProgram(tid, *abi, uargs);
  if (!prog)
    c.read_error = errno;  // EFAULT the kernel says too; EPERM: the tracee's memory is closed to us
  else
    c.program = std::move(*prog);
  return c;
}

bool IsGroupStopSignal(int sig) {
  return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

class Tracer {
 public:
  Tracer(pid_t child, const CaptureOptions& options) : child_(child), options_(options) {
    tracees_.insert(child);
  }

  Result<CaptureResult> Run() {
    while (!tracees_.empty()) {
      int status = 0;
      pid_t tid = waitpid(-1, &status, __WALL);
      if (tid < 0) {
        if (errno == EINTR) continue;
        if (errno == ECHILD) break;
        return SystemError("waiting for the traced command", errno);
      }
      if (WIFEXITED(status) || WIFSIGNALED(status)) {
        tracees_.erase(tid);
        if (tid == child_) {
          result_.wait_status = status;
          child_ended_ = true;
        }
        continue;
      }
      tracees_.insert(tid);  // a new thread or child may report before its parent's event
      if (finishing_) {
        Release(tid, status);
        continue;
      }
      Resume(tid, status);
      if (finishing_) Finish();
    }
    if (options_.keep_running && finishing_ && !child_ended_) result_.running = child_;
    return std::move(result_);
  }

 private:
  // Handles one stop and lets the thread go on.
  void Resume(pid_t tid, int status) {
    const int sig = WSTOPSIG(status);
    const int event = status >> 16;
    if (sig == (SIGTRAP | 0x80)) {
      OnSyscall(tid);
      if (!finishing_) ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr);
    } else if (event == PTRACE_EVENT_STOP) {
      // A group-stop (stays stopped until SIGCONT, still traced) or a new tracee's first stop.
      ptrace(IsGroupStopSignal(sig) ? PTRACE_LISTEN : PTRACE_SYSCALL, tid, nullptr, nullptr);
    } else if (event != 0) {
      ptrace(PTRACE_SYSCALL, tid, nullptr, nullptr);  // fork, clone, exec events
    } else {
      ptrace(PTRACE_SYSCALL, tid, nullptr, Data(sig));  // a signal: deliver it
    }
  }

  void OnSyscall(pid_t tid) {
    __ptrace_syscall_info info{};
    if (ptrace(PTRACE_GET_SYSCALL_INFO, tid, Data(sizeof info), &info) <= 0) return;
    if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
      if (auto c = FilterCall(tid, info)) {
        pending_[tid] = result_.filters.size();
        result_.filters.push_back(std::move(*c));
      }
      return;
    }
    if (info.op != PTRACE_SYSCALL_INFO_EXIT) return;
    auto it = pending_.find(tid);
    if (it == pending_.end()) return;
    CapturedFilter& c = result_.filters[it->second];
    c.error = info.exit.is_error ? static_cast<int>(-info.exit.rval) : 0;
    // A TSYNC that another thread's filter stack prevents returns that thread's id, not an
    // error (without SECCOMP_FILTER_FLAG_TSYNC_ESRCH; with a listener the return is its fd).
    if (!info.exit.is_error && info.exit.rval > 0 && (c.flags & SECCOMP_FILTER_FLAG_TSYNC) &&
        !(c.flags & (SECCOMP_FILTER_FLAG_TSYNC_ESRCH | SECCOMP_FILTER_FLAG_NEW_LISTENER))) {
      c.unsynced = static_cast<pid_t>(info.exit.rval);
    }
    pending_.erase(it);
    if (options_.limit != 0 && result_.filters.size() >= options_.limit) {
      finishing_ = true;
      if (options_.keep_running) {
        ptrace(PTRACE_DETACH, tid, nullptr, nullptr);
        tracees_.erase(tid);
      }
    }
  }

  // At the limit: kill the command, or stop every other tracee to detach it.
  void Finish() {
    if (!options_.keep_running) {
      result_.killed = true;
      for (pid_t t : tracees_) kill(t, SIGKILL);
      return;
    }
    for (pid_t t : tracees_) ptrace(PTRACE_INTERRUPT, t, nullptr, nullptr);
  }

  // After the limit, each stop of a remaining tracee: detach it (keep_running), passing on a
  // signal it was about to get. Killed tracees report nothing but their end, except one
  // forked as the others died: its first stop comes after the kill, which it must get too.
  void Release(pid_t tid, int status) {
    if (!options_.keep_running) {
      kill(tid, SIGKILL);
      return;
    }
    const int event = status >> 16;
    int sig = WSTOPSIG(status);
    if (event != 0 || sig == (SIGTRAP | 0x80)) sig = 0;
    ptrace(PTRACE_DETACH, tid, nullptr, Data(sig));
    tracees_.erase(tid);
  }

  pid_t child_;
  CaptureOptions options_;
  CaptureResult result_;
  std::set<pid_t> tracees_;
  std::map<pid_t, size_t> pending_;  // thread -> its filter call between entry and exit
  bool finishing_ = false;
  bool child_ended_ = false;
};

}  // namespace

Result<CaptureResult> CaptureFilters(const std::vector<std::string>& argv,
                                     const CaptureOptions& options) {
  if (argv.empty()) return MakeError(ErrorCode::kInvalidArgument, "no command to run");
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  int go[2], failed[2];  // go: the tracer is ready; failed: exec's errno
  if (pipe2(go, O_CLOEXEC) != 0) return SystemError("pipe", errno);
  if (pipe2(failed, O_CLOEXEC) != 0) {
    int err = errno;
    close(go[0]);
    close(go[1]);
    return SystemError("pipe", err);
  }
  pid_t pid = fork();
  if (pid < 0) {
    int err = errno;
    for (int fd : {go[0], go[1], failed[0], failed[1]}) close(fd);
    return SystemError("fork", err);
  }
  if (pid == 0) {
    close(go[1]);
    close(failed[0]);
    char c;
    while (read(go[0], &c, 1) < 0 && errno == EINTR) {
    }
    execvp(args[0], args.data());
    int err = errno;
    (void)!write(failed[1], &err, sizeof err);
    _exit(127);
  }
  close(go[0]);
  close(failed[1]);
  auto fail = [&](Error e) {
    kill(pid, SIGKILL);
    close(go[1]);
    close(failed[0]);
    waitpid(pid, nullptr, __WALL);
    return e;
  };
  if (ptrace(PTRACE_SEIZE, pid, nullptr, Data(kTraceOptions)) != 0) {
    return fail(SystemError("cannot trace the command (PTRACE_SEIZE)", errno));
  }
  if (ptrace(PTRACE_INTERRUPT, pid, nullptr, nullptr) != 0) {
    return fail(SystemError("cannot stop the command (PTRACE_INTERRUPT)", errno));
  }
  int status = 0;
  while (waitpid(pid, &status, __WALL) < 0 && errno == EINTR) {
  }
  if (!WIFSTOPPED(status))
    return fail(MakeError(ErrorCode::kInternal, "the command ended before it ran"));
  ptrace(PTRACE_SYSCALL, pid, nullptr, nullptr);
  close(go[1]);  // the child may exec now, traced from its first instruction

  Tracer tracer(pid, options);
  auto result = tracer.Run();
  int err = 0;
  ssize_t n = read(failed[0], &err, sizeof err);
  close(failed[0]);
  if (result && n == sizeof err) {
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("cannot run {}: {}", argv[0], std::strerror(err)));
  }
  return result;
}

}  // namespace sysgate::kernel
