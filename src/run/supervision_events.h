// What a runner's supervisor waits for: a notified call on the listener, the program's exit (a
// pidfd), the listener's hang-up (no process uses the filter any more), and in the forking
// runner the child's failure pipe. With epoll: the epoll fd is made before the program runs,
// and unlike poll(2), whose fd count RLIMIT_NOFILE bounds, waiting on it needs nothing a
// program could take from its supervisor later.
#pragma once

#include "sysgate/result.h"

namespace sysgate::run {

class SupervisionEvents {
 public:
  struct Ready {
    bool call = false;            // the listener has a notification
    bool hang_up = false;         // the listener has none and never will (no filter user left)
    bool program_exited = false;  // the pidfd became readable
    bool pipe = false;            // the failure pipe is readable (a record, or EOF)
  };

  SupervisionEvents() = default;
  ~SupervisionEvents();
  SupervisionEvents(const SupervisionEvents&) = delete;
  SupervisionEvents& operator=(const SupervisionEvents&) = delete;
  // Makes the epoll fd (before the program runs), then watches the fds (any may be -1): adding
  // takes no new fd. 0, or an errno. Raw calls only.
  int Open();
  int Watch(int listener, int pidfd, int pipe_fd);

  // Waits up to timeout_ms (-1: for ever). Ready is empty after EINTR or a timeout; an error
  // (anything but EINTR) is an errno in *err and an empty Ready. Raw calls only.
  Ready Wait(int timeout_ms, int* err);
  // Stops watching an fd: after its hang-up or EOF, which epoll would report again and again.
  void Forget(int fd);

 private:
  int epoll_ = -1;
  int listener_ = -1, pidfd_ = -1, pipe_ = -1;
};

}  // namespace sysgate::run
