#include "supervise/notify_fd.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>

namespace sysgate::supervise {

Notification FromKernel(const seccomp_notif& n) {
  Notification out;
  out.id = n.id;
  out.pid = n.pid;
  out.data.nr = n.data.nr;
  out.data.arch = n.data.arch;
  out.data.instruction_pointer = n.data.instruction_pointer;
  for (int i = 0; i < 6; ++i) out.data.args[static_cast<size_t>(i)] = n.data.args[i];
  return out;
}

KernelNotifyFd::~KernelNotifyFd() {
  if (owned_ && fd_ >= 0) close(fd_);
}

Result<Notification> KernelNotifyFd::Receive() {
  seccomp_notif n;
  while (true) {
    std::memset(&n, 0, sizeof n);  // the kernel requires a zeroed struct
    if (ioctl(fd_, SECCOMP_IOCTL_NOTIF_RECV, &n) == 0) break;
    if (errno == EINTR) continue;
    return SystemError("SECCOMP_IOCTL_NOTIF_RECV", errno);
  }
  return FromKernel(n);
}

Result<bool> KernelNotifyFd::Send(const Response& r) {
  seccomp_notif_resp resp;
  std::memset(&resp, 0, sizeof resp);
  resp.id = r.id;
  if (r.continue_call) {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else if (r.error != 0) {
    resp.error = -r.error;
  } else {
    resp.val = r.val;
  }
  while (ioctl(fd_, SECCOMP_IOCTL_NOTIF_SEND, &resp) != 0) {
    if (errno == EINTR) continue;
    if (errno == ENOENT) return false;  // the call went away (signal, or the thread died)
    return SystemError("SECCOMP_IOCTL_NOTIF_SEND", errno);
  }
  return true;
}

bool KernelNotifyFd::IdValid(uint64_t id) {
  return ioctl(fd_, SECCOMP_IOCTL_NOTIF_ID_VALID, &id) == 0;
}

Result<int> KernelNotifyFd::AddFd(uint64_t id, int src_fd, bool cloexec, bool send) {
  seccomp_notif_addfd add;
  std::memset(&add, 0, sizeof add);
  add.id = id;
  add.flags = send ? SECCOMP_ADDFD_FLAG_SEND : 0;
  add.srcfd = static_cast<uint32_t>(src_fd);
  add.newfd_flags = cloexec ? O_CLOEXEC : 0;
  while (true) {
    int r = ioctl(fd_, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
    if (r >= 0) return r;
    if (errno != EINTR) return SystemError("SECCOMP_IOCTL_NOTIF_ADDFD", errno);
  }
}

}  // namespace sysgate::supervise
