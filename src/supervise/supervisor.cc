// The Supervisor's dispatch: one notification in, one answer out, whatever the handler does.
#include "sysgate/supervisor.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/check.h"
#include "kernel/proc_status.h"
#include "supervise/decode.h"
#include "supervise/notify_fd.h"
#include "supervise/target_memory.h"

namespace sysgate {

SyscallCall::SyscallCall(supervise::NotifyFd& fd, const supervise::Notification& n)
    : fd_(fd),
      id_(n.id),
      tid_(static_cast<pid_t>(n.pid)),
      note_(n),
      data_(n.data),
      abi_(ArchFromAudit(n.data.arch, n.data.nr)) {
  if (abi_) {
    if (auto name = SyscallName(*abi_, n.data.nr)) name_ = std::string(*name);
  }
}

SyscallCall::~SyscallCall() {
  if (pidfd_ >= 0) close(pidfd_);
}

pid_t SyscallCall::tgid() {
  if (tgid_ < 0) {
    auto t = kernel::ProcStatusNumber(tid_, "Tgid");
    tgid_ = t && *t > 0 && Pending() ? static_cast<pid_t>(*t) : 0;
  }
  return tgid_;
}

bool SyscallCall::Pending() { return fd_.IdValid(id_); }

std::optional<std::string> SyscallCall::ReadString(uint64_t addr, size_t max_len) {
  if (!Pending()) return std::nullopt;
  bool truncated = false;
  auto s = supervise::ReadString(fd_, note_, addr, max_len, &truncated);
  if (s && truncated) return std::nullopt;  // longer than max_len: not the whole string
  return s;
}

std::optional<std::vector<std::byte>> SyscallCall::Read(uint64_t addr, size_t len) {
  if (!Pending()) return std::nullopt;
  return supervise::ReadBytes(fd_, note_, addr, len);
}

int SyscallCall::pidfd() {
  if (pidfd_ < 0) {
    pid_t t = tgid();
    if (t <= 0) return -1;
    int p = static_cast<int>(syscall(SYS_pidfd_open, t, 0));
    if (p < 0) return -1;
    if (!Pending()) {  // the pid may have been reused between the two steps
      close(p);
      return -1;
    }
    pidfd_ = p;
  }
  return pidfd_;
}

std::string SyscallCall::Describe() { return supervise::FormatCall(fd_, note_); }

Reply Reply::InjectFd(int fd, bool cloexec) {
  if (fd < 0) return Fail(errno != 0 ? errno : EBADF);
  return {Kind::kInjectFd, 0, fd, cloexec};
}

Supervisor::Supervisor() : otherwise_([](SyscallCall&) { return Reply::Fail(ENOSYS); }) {}

Supervisor& Supervisor::On(std::string_view syscall, Handler handler) {
  SG_CHECK(IsSyscallName(syscall), "Supervisor::On: no ABI has a syscall of this name");
  by_name_[std::string(syscall)] = std::move(handler);
  return *this;
}

Supervisor& Supervisor::Otherwise(Handler handler) {
  otherwise_ = std::move(handler);
  return *this;
}

Result<Handled> Supervisor::Answer(supervise::NotifyFd& fd, const supervise::Notification& n) {
  SyscallCall call(fd, n);
  auto it = call.name().empty() ? by_name_.end() : by_name_.find(call.name());
  // A handler that throws has denied the call. (A Result it misuses, value() of an error,
  // aborts the process instead: a bug, as SG_CHECK's are.)
  Reply reply = Reply::Fail(EPERM);
  try {
    reply = it != by_name_.end() ? it->second(call) : otherwise_(call);
  } catch (...) {
  }
  Handled h;
  h.kind = reply.kind;
  supervise::Response resp;
  resp.id = n.id;
  switch (reply.kind) {
    case Reply::Kind::kContinue: resp.continue_call = true; break;
    case Reply::Kind::kFail:  // an errno outside 1..4095 would not read as one: EPERM
      resp.error =
          reply.value > 0 && reply.value < 4096 ? static_cast<int32_t>(reply.value) : EPERM;
      break;
    case Reply::Kind::kReturn: resp.val = reply.value; break;
    case Reply::Kind::kInjectFd: {
      auto added = fd.AddFd(n.id, reply.fd, reply.cloexec, /*send=*/true);
      close(reply.fd);
      if (added) {
        h.answered = true;
        return h;
      }
      if (added.error().sys_errno == ENOENT) return h;  // the call went away
      // Anything else (EMFILE in the target, ...): the call fails with it.
      resp.error = added.error().sys_errno > 0 ? added.error().sys_errno : EBADF;
      break;
    }
    case Reply::Kind::kKillProcess: {
      // Kill first: the process must never see the call return. The tgid is checked with
      // ID_VALID after it was looked up, so a reused pid is not killed. Without it (/proc not
      // readable: no fd left, say), the thread's id, still waiting in this call: kill(2) with
      // a thread's id signals its whole process.
      pid_t t = call.tgid();
      if (t <= 0 && call.Pending()) t = call.tid();
      if (t > 0) {
        kill(t, SIGKILL);
        h.killed = t;
      }
      resp.error = EPERM;  // moot: the process is dying
      break;
    }
  }
  auto sent = fd.Send(resp);
  if (!sent) return sent.error();
  h.answered = *sent;
  return h;
}

Result<Handled> Supervisor::Next(supervise::NotifyFd& fd) {
  auto n = fd.Receive();
  if (!n) {
    // ENOENT: the caller went away between poll and receive; nothing to answer.
    if (n.error().sys_errno == ENOENT) return Handled{};
    return n.error();
  }
  return Answer(fd, *n);
}

Result<Handled> Supervisor::HandleOne(int listener) {
  supervise::KernelNotifyFd fd(listener, /*owned=*/false);
  return Next(fd);
}

Result<void> Supervisor::Serve(int listener) {
  supervise::KernelNotifyFd fd(listener);
  stop_ = false;
  while (!stop_) {
    pollfd p{listener, POLLIN, 0};
    int r = poll(&p, 1, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return SystemError("poll", errno);
    }
    if (p.revents & POLLIN) {
      if (auto h = Next(fd); !h) return h.error();
    } else if (p.revents & (POLLHUP | POLLERR)) {
      break;  // no task uses the filter any more
    }
  }
  return {};
}

}  // namespace sysgate
