// Fds over a Unix socket (SCM_RIGHTS) with a payload in the same message: how a runtime hands
// a container's seccomp listener to an agent (runtime spec, linux.seccomp.listenerPath).
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

#include "sysgate/supervisor.h"

namespace sysgate {
namespace {
constexpr size_t kMaxFds = 16;
}  // namespace

Result<void> SendFds(int socket, const std::vector<int>& fds, std::string_view payload) {
  if (fds.size() > kMaxFds) return MakeError(ErrorCode::kInvalidArgument, "too many fds to send");
  iovec iov{const_cast<char*>(payload.data()), payload.size()};
  char dummy = 0;
  if (payload.empty()) iov = {&dummy, 1};  // a message must carry at least one byte
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  if (!fds.empty()) {
    msg.msg_control = control;
    msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
    std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  }
  while (sendmsg(socket, &msg, MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return SystemError("sendmsg (SCM_RIGHTS)", errno);
  }
  return {};
}

Result<ReceivedFds> ReceiveFds(int socket, size_t max_payload) {
  ReceivedFds out;
  std::string buf(max_payload, '\0');
  iovec iov{buf.data(), buf.size()};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kMaxFds)] = {};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC)) < 0) {
    if (errno != EINTR) return SystemError("recvmsg (SCM_RIGHTS)", errno);
  }
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      out.fds.push_back(fd);
    }
  }
  if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
    for (int fd : out.fds) close(fd);
    return MakeError(ErrorCode::kInvalidArgument,
                     "the message was larger than expected (payload or fds cut off)");
  }
  buf.resize(static_cast<size_t>(n));
  out.payload = std::move(buf);
  return out;
}

}  // namespace sysgate
