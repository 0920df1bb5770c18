// NotifyFd: the seam in front of a seccomp user-notification fd (SECCOMP_IOCTL_NOTIF_*), so
// that the supervisor's decisions are unit-tested with a fake and only tests/kernel and the
// runner touch the real thing.
//
//   KernelNotifyFd fd(listener);                   // takes ownership
//   Result<Notification> n = fd.Receive();          // blocks until a syscall is notified
//   fd.Send(Response::Error(n->id, EPERM));         // the syscall fails with EPERM
#pragma once

#include <cstdint>

#include "sysgate/interpreter.h"

struct seccomp_notif;  // <linux/seccomp.h>

namespace sysgate::supervise {

struct Notification {
  uint64_t id = 0;
  uint32_t pid = 0;  // the thread that made the call (in the supervisor's pid namespace)
  SeccompData data;
};

// The kernel's record, as the supervisor reads it.
Notification FromKernel(const ::seccomp_notif& n);

struct Response {
  uint64_t id = 0;
  int64_t val = 0;             // the syscall's return value (when error == 0)
  int32_t error = 0;           // a positive errno to fail with
  bool continue_call = false;  // let the kernel run the syscall (SECCOMP_USER_NOTIF_FLAG_CONTINUE)

  static Response Error(uint64_t id, int err) { return {id, 0, err, false}; }
  static Response Continue(uint64_t id) { return {id, 0, 0, true}; }
};

class NotifyFd {
 public:
  virtual ~NotifyFd() = default;
  virtual Result<Notification> Receive() = 0;
  // Whether the answer reached the call. False is not an error of the supervisor: the kernel
  // said ENOENT (the call was interrupted by a signal, or its thread died), and it is gone.
  virtual Result<bool> Send(const Response& r) = 0;
  // Whether notification `id` is still pending (its thread is still in the syscall). Check it
  // after reading the target's memory: the pid may have been reused.
  virtual bool IdValid(uint64_t id) = 0;
  // Copies the supervisor's `src_fd` into the target (SECCOMP_IOCTL_NOTIF_ADDFD) and, with
  // `send`, answers notification `id` with its number in one step (ADDFD_FLAG_SEND), so the
  // target gets the fd exactly when its call returns. Returns the target's fd number; ENOENT
  // (the call went away) is an error with that errno.
  virtual Result<int> AddFd(uint64_t id, int src_fd, bool cloexec, bool send) = 0;
  virtual int fd() const = 0;
};

class KernelNotifyFd : public NotifyFd {
 public:
  // owned: closes fd on destruction.
  explicit KernelNotifyFd(int fd, bool owned = true) : fd_(fd), owned_(owned) {}
  ~KernelNotifyFd() override;
  KernelNotifyFd(const KernelNotifyFd&) = delete;
  KernelNotifyFd& operator=(const KernelNotifyFd&) = delete;

  Result<Notification> Receive() override;
  Result<bool> Send(const Response& r) override;
  bool IdValid(uint64_t id) override;
  Result<int> AddFd(uint64_t id, int src_fd, bool cloexec, bool send) override;
  int fd() const override { return fd_; }

 private:
  int fd_;
  bool owned_;
};

}  // namespace sysgate::supervise
