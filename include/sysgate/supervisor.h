// Supervising syscalls from user space (seccomp user notification). A filter returns `notify`
// for some syscalls; the kernel then stops the calling thread and hands the call to whoever
// holds the filter's listener fd. A Supervisor answers each call with a handler:
//
//   sysgate::Supervisor sup;
//   sup.On("mknodat", [](sysgate::SyscallCall& c) {
//     return c.arg(3) == makedev(1, 3) ? MakeDevNull(c) : sysgate::Reply::Fail(EPERM);
//   });
//   sup.On("openat", [&](sysgate::SyscallCall& c) {
//     auto path = c.ReadString(c.arg(1));            // a copy; the target may change its own
//     if (!path || *path != "/srv/data.txt") return sysgate::Reply::Fail(EACCES);
//     return sysgate::Reply::InjectFd(open(path->c_str(), O_RDONLY | O_CLOEXEC));
//   });
//   sup.Otherwise([](sysgate::SyscallCall&) { return sysgate::Reply::Fail(ENOSYS); });
//   sup.Serve(listener);                                // until no task uses the filter
//
// The kernel's rule, which this API follows: never let a syscall run (Reply::Continue) because
// of what a pointer argument pointed to. The target (another thread, a shared mapping) can
// change that memory after the supervisor read it and before the kernel reads it again.
// Decide on register values alone, or emulate: do the work in the supervisor on the copy you
// read, and return the result (Reply::Return) or an fd (Reply::InjectFd).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/interpreter.h"

namespace sysgate {

namespace supervise {
class NotifyFd;
struct Notification;
}  // namespace supervise

// One notified syscall, while its thread waits for the answer.
class SyscallCall {
 public:
  SyscallCall(supervise::NotifyFd& fd, const supervise::Notification& n);
  ~SyscallCall();
  SyscallCall(const SyscallCall&) = delete;
  SyscallCall& operator=(const SyscallCall&) = delete;

  uint64_t id() const { return id_; }
  pid_t tid() const { return tid_; }  // the calling thread
  pid_t tgid();                       // its process (0 if gone)
  const SeccompData& data() const { return data_; }
  std::optional<Arch> abi() const { return abi_; }  // nullopt: an arch sysgate does not know
  std::string_view name() const { return name_; }   // "" for a number the tables do not know
  uint64_t arg(int i) const { return data_.args[static_cast<size_t>(i)]; }

  // Whether the thread is still waiting in this call (SECCOMP_IOCTL_NOTIF_ID_VALID). A read
  // of its memory means something only while this holds: the tid may be reused afterwards.
  bool Pending();
  // The target's memory, read safely: the call must be pending before and after the read,
  // else nullopt (also when unreadable). ReadString reads up to the NUL; a string longer
  // than max_len is nullopt, never a prefix (a cut path could name another file).
  std::optional<std::string> ReadString(uint64_t addr, size_t max_len = 4096);
  std::optional<std::vector<std::byte>> Read(uint64_t addr, size_t len);
  // A pidfd of the calling process (owned by the call, closed after it), opened and then
  // checked with ID_VALID, so it refers to the caller and not to a reused pid; -1 if gone.
  // pidfd_getfd(pidfd(), fd, 0) gets a copy of one of the target's fds.
  int pidfd();
  // The call as strace prints it: openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC).
  std::string Describe();

 private:
  supervise::NotifyFd& fd_;
  uint64_t id_;
  pid_t tid_;
  pid_t tgid_ = -1;
  const supervise::Notification& note_;
  SeccompData data_;
  std::optional<Arch> abi_;
  std::string name_;
  int pidfd_ = -1;
};

// The answer to a call.
struct Reply {
  enum class Kind : uint8_t {
    kContinue,     // the kernel runs the call as made (SECCOMP_USER_NOTIF_FLAG_CONTINUE)
    kFail,         // the call returns -1 with errno `value`, without running
    kReturn,       // the call returns `value`, without running (emulated)
    kInjectFd,     // `fd` is copied into the target; the call returns its number there
    kKillProcess,  // the calling process is killed with SIGKILL; the call never runs
  };
  Kind kind = Kind::kFail;
  int64_t value = 0;
  int fd = -1;          // kInjectFd: the supervisor's fd; closed after the reply
  bool cloexec = true;  // kInjectFd: O_CLOEXEC on the target's copy

  static Reply Continue() { return {Kind::kContinue, 0, -1, true}; }
  static Reply Fail(int err) { return {Kind::kFail, err, -1, true}; }  // 1..4095, else EPERM
  static Reply Return(int64_t v) { return {Kind::kReturn, v, -1, true}; }
  // A negative fd (open failed) becomes Fail(errno) at the time of the call.
  static Reply InjectFd(int fd, bool cloexec = true);
  static Reply KillProcess() { return {Kind::kKillProcess, 0, -1, true}; }
};

using Handler = std::function<Reply(SyscallCall&)>;

// What happened to one notification.
struct Handled {
  bool answered = false;  // false: the call went away first (a signal, or its thread died)
  Reply::Kind kind = Reply::Kind::kFail;
  pid_t killed = 0;  // kKillProcess: the process killed (0 if it was gone)
};

class Supervisor {
 public:
  Supervisor();
  // The handler for a syscall, by name, on every ABI that has it. A name no ABI has is a
  // programming error (SG_CHECK aborts).
  Supervisor& On(std::string_view syscall, Handler handler);
  // For every call without a handler of its own (default: Reply::Fail(ENOSYS)). A handler
  // that throws fails its call with EPERM.
  Supervisor& Otherwise(Handler handler);

  // Answers notifications on `listener` (taken over, closed at the end) until no task uses
  // the filter any more, or Stop() is called from a handler.
  Result<void> Serve(int listener);
  void Stop() { stop_ = true; }

  // One notification: reads it from `listener` (not taken over) and answers it. For event
  // loops of their own (the agent polls many listeners and a socket).
  Result<Handled> HandleOne(int listener);
  // The same on an already received notification (the runner, and tests with a fake fd).
  Result<Handled> Answer(supervise::NotifyFd& fd, const supervise::Notification& n);

 private:
  Result<Handled> Next(supervise::NotifyFd& fd);  // receive one and answer it

  std::map<std::string, Handler, std::less<>> by_name_;
  Handler otherwise_;
  bool stop_ = false;
};

// Passing a listener fd between processes over a Unix socket (SCM_RIGHTS), with a payload:
// the OCI runtime spec sends the container's state JSON this way to `listenerPath`.
Result<void> SendFds(int socket, const std::vector<int>& fds, std::string_view payload);
struct ReceivedFds {
  std::vector<int> fds;  // owned by the caller
  std::string payload;
};
Result<ReceivedFds> ReceiveFds(int socket, size_t max_payload = 1 << 20);

}  // namespace sysgate
