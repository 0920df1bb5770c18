#include "run/supervision_events.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

namespace sysgate::run {

SupervisionEvents::~SupervisionEvents() {
  if (epoll_ >= 0) close(epoll_);
}

int SupervisionEvents::Open() {
  if (epoll_ < 0) epoll_ = epoll_create1(EPOLL_CLOEXEC);
  return epoll_ < 0 ? errno : 0;
}

int SupervisionEvents::Watch(int listener, int pidfd, int pipe_fd) {
  if (int err = Open(); err != 0) return err;
  listener_ = listener;
  pidfd_ = pidfd;
  pipe_ = pipe_fd;
  for (int fd : {listener, pidfd, pipe_fd}) {
    if (fd < 0) continue;
    epoll_event e{};
    e.events = EPOLLIN;
    e.data.fd = fd;
    if (epoll_ctl(epoll_, EPOLL_CTL_ADD, fd, &e) != 0) return errno;
  }
  return 0;
}

SupervisionEvents::Ready SupervisionEvents::Wait(int timeout_ms, int* err) {
  *err = 0;
  Ready r;
  epoll_event ev[3];
  int n = epoll_wait(epoll_, ev, 3, timeout_ms);
  if (n < 0) {
    if (errno != EINTR) *err = errno;
    return r;
  }
  for (int i = 0; i < n; ++i) {
    const int fd = ev[i].data.fd;
    const uint32_t what = ev[i].events;
    if (fd == listener_) {
      if (what & EPOLLIN)
        r.call = true;
      else if (what & (EPOLLHUP | EPOLLERR))
        r.hang_up = true;
    } else if (fd == pidfd_) {
      r.program_exited = true;
    } else if (fd == pipe_) {
      r.pipe = true;
    }
  }
  return r;
}

void SupervisionEvents::Forget(int fd) {
  if (fd < 0) return;
  epoll_ctl(epoll_, EPOLL_CTL_DEL, fd, nullptr);
  if (fd == listener_) listener_ = -1;
  if (fd == pidfd_) pidfd_ = -1;
  if (fd == pipe_) pipe_ = -1;
}

}  // namespace sysgate::run
