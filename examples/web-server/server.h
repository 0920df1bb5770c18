// The serving part: worker threads, each with its own epoll set sharing the listening socket
// (EPOLLEXCLUSIVE), non-blocking connections with keep-alive and pipelining, files sent with
// sendfile from below the document root.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "http.h"

namespace web {

// A handler for extra paths (the test-only endpoints): returns false when the path is not
// its own; otherwise fills the status and the body.
using ExtraHandler = std::function<bool(const Request&, int* status, std::string* body)>;

struct ServerConfig {
  int listen_fd = -1;
  int root_fd = -1;
  int threads = 2;
  int idle_timeout_seconds = 30;
  ExtraHandler extra;
};

class Server {
 public:
  explicit Server(ServerConfig config);
  ~Server();
  // Creates the epoll sets and starts the threads, and returns once every thread is running:
  // a thread's own start (glibc registers rseq and its robust futex list, with signals
  // blocked) must not meet the filter, or the kernel ends the process. The threads then wait
  // for Serve() before accepting. Everything that needs system calls the locked-down server
  // may not make happens here.
  bool Start(std::string* error);
  // Lets the threads accept connections.
  void Serve();

 private:
  void Loop(int epfd);
  void PauseAccepting();
  void ResumeAccepting();

  ServerConfig config_;
  std::vector<int> epoll_fds_;
  std::vector<std::thread> threads_;
  std::atomic<int> running_{0};
  std::atomic<bool> serving_{false};
  std::mutex accept_mutex_;
  bool accept_paused_ = false;  // guarded by accept_mutex_
};

}  // namespace web
