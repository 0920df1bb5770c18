#include "kernel/audit_log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

namespace sysgate::kernel {
namespace {

// The initial pid namespace's inode number (PROC_PID_INIT_INO): the kernel's records name
// pids as that namespace sees them. The initial network namespace's has been fixed since
// Linux 6.18 (PROC_NET_INIT_INO); before, it was numbered as any other.
constexpr ino_t kInitialPidNamespace = 0xEFFFFFFCU;
constexpr ino_t kInitialNetNamespace = 0xEFFFFFF9U;

// A record's text as the kernel sends it: without the NUL or newline some records end with.
std::string RecordText(const nlmsghdr* h) {
  const char* data = static_cast<const char*>(NLMSG_DATA(h));
  size_t len = h->nlmsg_len - NLMSG_HDRLEN;
  while (len > 0 && (data[len - 1] == '\0' || data[len - 1] == '\n')) --len;
  return std::string(data, len);
}

}  // namespace

std::optional<bool> InInitialNetNamespace() {
  struct stat self {};
  if (stat("/proc/self/ns/net", &self) != 0) return std::nullopt;
  if (self.st_ino == kInitialNetNamespace) return true;
  utsname u{};
  int major = 0, minor = 0;
  if (uname(&u) == 0 && std::sscanf(u.release, "%d.%d", &major, &minor) == 2 &&
      (major > 6 || (major == 6 && minor >= 18))) {
    return false;  // the initial one has that number here
  }
  struct stat init {};
  if (stat("/proc/1/ns/net", &init) != 0) return std::nullopt;  // pid 1's cannot be read
  return self.st_dev == init.st_dev && self.st_ino == init.st_ino;
}

Result<AuditState> AskAuditState() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return SystemError("no audit socket", errno);
  const timeval timeout{.tv_sec = 2, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  nlmsghdr request{};
  request.nlmsg_len = NLMSG_LENGTH(0);
  request.nlmsg_type = AUDIT_GET;
  request.nlmsg_flags = NLM_F_REQUEST;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &request, request.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) < 0) {
    const int err = errno;
    close(fd);
    return SystemError("AUDIT_GET", err);
  }
  alignas(nlmsghdr) char buf[8192];
  const ssize_t n = recv(fd, buf, sizeof buf, 0);
  const int recv_errno = errno;
  close(fd);
  if (n < 0) return SystemError("AUDIT_GET", recv_errno);
  int len = static_cast<int>(n);
  for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
    if (h->nlmsg_type == NLMSG_ERROR) {
      const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      if (e->error != 0) return SystemError("AUDIT_GET", -e->error);
    } else if (h->nlmsg_type == AUDIT_GET) {
      const auto* s = static_cast<const audit_status*>(NLMSG_DATA(h));
      return AuditState{s->enabled != 0, s->pid, s->lost};
    }
  }
  return MakeError(ErrorCode::kSystem, "AUDIT_GET: no status in the kernel's answer");
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) close(fd_);
}

Result<void> AuditLog::Open() {
  struct stat ns {};
  if (stat("/proc/self/ns/pid", &ns) == 0 && ns.st_ino != kInitialPidNamespace) {
    return MakeError(ErrorCode::kUnsupported,
                     "this process is not in the initial pid namespace, whose pids the kernel's "
                     "records name");
  }
  if (InInitialNetNamespace() == false) {
    return MakeError(ErrorCode::kUnsupported,
                     "this process is not in the initial network namespace, the only one the "
                     "kernel sends its records to");
  }
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return SystemError("socket(NETLINK_AUDIT)", errno);
  // Above 2: with stdin, stdout or stderr closed it would take its place, and a program started
  // with them would get it.
  if (fd <= 2) {
    const int moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    const int err = errno;
    close(fd);
    if (moved < 0) return SystemError("moving the audit socket above fd 2", err);
    fd = moved;
  }
  // Room for a burst: records the kernel cannot queue here are lost (ENOBUFS, counted).
  const int size = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) != 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = 1U << (AUDIT_NLGRP_READLOG - 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    const int err = errno;
    close(fd);
    return SystemError("joining the kernel's audit log group (CAP_AUDIT_READ)", err);
  }
  // Connected to the kernel: what another process sends to this socket is refused before it
  // takes room in its buffer (what it sends to the group is dropped on receipt).
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (connect(fd, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) != 0) {
    const int err = errno;
    close(fd);
    return SystemError("connecting the audit socket to the kernel", err);
  }
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
  return {};
}

Result<std::vector<AuditLog::Record>> AuditLog::Receive(int timeout_ms) {
  std::vector<Record> out;
  pollfd p{.fd = fd_, .events = POLLIN, .revents = 0};
  const int ready = poll(&p, 1, timeout_ms);
  if (ready < 0) {
    if (errno == EINTR) return out;
    return SystemError("poll", errno);
  }
  // A record is at most MAX_AUDIT_MESSAGE_LENGTH (8970) bytes; a datagram holds one.
  alignas(nlmsghdr) char buf[16384];
  for (int i = 0; ready > 0 && i < 64; ++i) {
    sockaddr_nl from{};
    socklen_t from_len = sizeof from;
    const ssize_t n =
        recvfrom(fd_, buf, sizeof buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      if (errno == ENOBUFS) {
        ++overruns_;
        continue;
      }
      return SystemError("receiving the kernel's audit records", errno);
    }
    if (from.nl_pid != 0) continue;  // not the kernel
    int len = static_cast<int>(n);
    for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
      if (h->nlmsg_type < AUDIT_FIRST_USER_MSG) continue;  // netlink's own (NLMSG_*, AUDIT_GET)
      out.push_back({h->nlmsg_type, RecordText(h)});
    }
  }
  return out;
}

}  // namespace sysgate::kernel
