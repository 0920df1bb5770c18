#include "server.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>

namespace web {
namespace {

std::time_t Now() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME_COARSE, &ts);  // the vDSO answers: no system call
  return ts.tv_sec;
}

std::time_t Monotonic() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return ts.tv_sec;
}

struct Connection {
  int fd = -1;
  std::string in;
  std::string out;
  size_t out_sent = 0;
  int file_fd = -1;
  off_t file_offset = 0;
  uint64_t file_left = 0;
  bool close_after = false;  // after the response being sent
  std::time_t last_active = 0;

  ~Connection() {
    if (file_fd >= 0) close(file_fd);
    if (fd >= 0) close(fd);
  }
  bool Busy() const { return out_sent < out.size() || file_left > 0; }
};

// The response to one parsed request: a head, maybe a small body, maybe a file.
void Respond(const ServerConfig& config, const ParseResult& parsed, Connection& c) {
  ResponseHead h;
  std::string body;
  int file = -1;
  bool file_response = false;  // Content-Length is the file's, sent or not (HEAD)
  const Request& req = parsed.request;
  bool head_only = req.method == "HEAD";
  auto error = [&](int status) {
    h.status = status;
    h.content_type = "text/html; charset=utf-8";
    body = ErrorBody(status);
  };
  if (parsed.status == ParseStatus::kError) {
    error(parsed.error);
    h.keep_alive = false;
    head_only = false;
  } else if (config.extra && config.extra(req, &h.status, &body)) {
    h.content_type = "text/plain; charset=utf-8";
    h.keep_alive = req.keep_alive;
  } else if (req.method != "GET" && req.method != "HEAD") {
    static constexpr std::string_view kKnown[] = {"POST",    "PUT",   "DELETE", "PATCH",
                                                  "OPTIONS", "TRACE", "CONNECT"};
    bool known = std::find(std::begin(kKnown), std::end(kKnown), req.method) != std::end(kKnown);
    error(known ? 405 : 501);
    if (known) h.allow = "GET, HEAD";
    h.keep_alive = req.keep_alive && !req.has_body;  // the body is not read: close after
  } else if (auto rel = RelativeFilePath(req.path); !rel) {
    error(400);
    h.keep_alive = req.keep_alive;
  } else {
    h.keep_alive = req.keep_alive;
    // Below the root only: openat relative to the root's fd, never following a final
    // symbolic link; the path was already refused if it had "..".
    file = openat(config.root_fd, rel->c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    // (No report of an EACCES here: `rel` has no "..", so the rules, which grant the root, would
    // say it is granted; only a symlink inside the root that leads out could be denied, and the
    // server cannot read where it leads.)
    struct stat st {};
    if (file < 0) {
      error(errno == ENOENT || errno == ENOTDIR ? 404
            : errno == EACCES || errno == ELOOP ? 403
                                                : 500);
    } else if (fstat(file, &st) != 0) {
      error(500);
    } else if (S_ISDIR(st.st_mode)) {
      h.status = 301;
      h.location = req.path + "/";
      h.content_type = "text/html; charset=utf-8";
      body = ErrorBody(301);
    } else if (!S_ISREG(st.st_mode)) {
      error(403);
    } else {
      h.last_modified = st.st_mtime;
      char etag[48];
      std::snprintf(etag, sizeof etag, "\"%lx-%lx\"", static_cast<unsigned long>(st.st_mtime),
                    static_cast<unsigned long>(st.st_size));
      h.etag = etag;
      bool not_modified = !req.if_none_match.empty()
                              ? (req.if_none_match == h.etag || req.if_none_match == "*")
                              : req.if_modified_since == HttpDate(st.st_mtime);
      if (not_modified) {
        h.status = 304;
      } else {
        h.content_type = std::string(MimeType(*rel));
        h.content_length = static_cast<uint64_t>(st.st_size);
        file_response = true;
        if (!head_only && st.st_size > 0) {
          c.file_fd = file;
          c.file_offset = 0;
          c.file_left = static_cast<uint64_t>(st.st_size);
          file = -1;  // the connection owns it now
        }
      }
    }
    if (file >= 0) close(file);
  }
  if (!file_response) h.content_length = body.size();
  c.out.erase(0, c.out_sent);
  c.out_sent = 0;
  c.out += FormatHead(h, Now());
  if (!head_only && h.status != 304) c.out += body;
  c.close_after = !h.keep_alive;
}

// Sends what is pending; false when the connection is finished (error or closed by peer).
bool Flush(Connection& c) {
  while (c.out_sent < c.out.size()) {
    ssize_t n = write(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    c.out_sent += static_cast<size_t>(n);
  }
  while (c.file_left > 0) {
    ssize_t n = sendfile(c.fd, c.file_fd, &c.file_offset, std::min<uint64_t>(c.file_left, 1 << 20));
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) return false;  // the file shrank
    c.file_left -= static_cast<uint64_t>(n);
  }
  if (c.file_fd >= 0) {
    close(c.file_fd);
    c.file_fd = -1;
  }
  return true;
}

}  // namespace

Server::Server(ServerConfig config) : config_(std::move(config)) {}

Server::~Server() {
  for (int fd : epoll_fds_) close(fd);
}

bool Server::Start(std::string* error) {
  for (int i = 0; i < config_.threads; ++i) {
    int epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
      *error = std::string("epoll_create1: ") + std::strerror(errno);
      return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = config_.listen_fd;
    if (epoll_ctl(epfd, EPOLL_CTL_ADD, config_.listen_fd, &ev) != 0) {
      *error = std::string("epoll_ctl: ") + std::strerror(errno);
      close(epfd);
      return false;
    }
    epoll_fds_.push_back(epfd);
  }
  for (int epfd : epoll_fds_) {
    threads_.emplace_back([this, epfd] { Loop(epfd); });
    threads_.back().detach();  // they serve until the process exits
  }
  for (int n = running_.load(); n < config_.threads; n = running_.load()) running_.wait(n);
  return true;
}

// Out of descriptors, the listening socket stays readable and would wake every thread for
// nothing: it leaves all the sets until a connection closes (or a second passes).
// The flag and the sets change together (a resume racing a pause could otherwise leave the
// socket in a set while paused, and that thread spinning until the next resume).
void Server::PauseAccepting() {
  std::lock_guard lock(accept_mutex_);
  if (accept_paused_) return;
  accept_paused_ = true;
  for (int epfd : epoll_fds_) epoll_ctl(epfd, EPOLL_CTL_DEL, config_.listen_fd, nullptr);
}

void Server::ResumeAccepting() {
  std::lock_guard lock(accept_mutex_);
  if (!accept_paused_) return;
  accept_paused_ = false;
  for (int epfd : epoll_fds_) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = config_.listen_fd;
    epoll_ctl(epfd, EPOLL_CTL_ADD, config_.listen_fd, &ev);
  }
}

void Server::Serve() {
  serving_.store(true);
  serving_.notify_all();
}

void Server::Loop(int epfd) {
  running_.fetch_add(1);
  running_.notify_all();
  serving_.wait(false);
  std::map<int, std::unique_ptr<Connection>> conns;
  std::time_t last_sweep = Monotonic();
  epoll_event events[64];
  auto watch = [&](Connection& c) {
    epoll_event ev{};
    ev.events = (c.Busy() ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP;
    ev.data.fd = c.fd;
    epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd, &ev);
  };
  auto drop = [&](int fd) {
    epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr);
    conns.erase(fd);  // closes
    ResumeAccepting();
  };
  while (true) {
    int n = epoll_wait(epfd, events, 64, 1000);
    if (n < 0 && errno != EINTR) {
      std::perror("epoll_wait");
      return;
    }
    for (int i = 0; i < n; ++i) {
      int fd = events[i].data.fd;
      if (fd == config_.listen_fd) {
        while (true) {
          int cfd = accept4(config_.listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
          if (cfd < 0) {  // EAGAIN: another thread took it, or none is left
            if (errno == EMFILE || errno == ENFILE) PauseAccepting();
            break;
          }
          auto c = std::make_unique<Connection>();
          c->fd = cfd;
          c->last_active = Monotonic();
          epoll_event ev{};
          ev.events = EPOLLIN | EPOLLRDHUP;
          ev.data.fd = cfd;
          if (epoll_ctl(epfd, EPOLL_CTL_ADD, cfd, &ev) != 0) continue;  // closed by ~Connection
          conns[cfd] = std::move(c);
        }
        continue;
      }
      auto it = conns.find(fd);
      if (it == conns.end()) continue;
      Connection& c = *it->second;
      c.last_active = Monotonic();
      bool alive = true, peer_closed = false;
      if (events[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
        char buf[16384];
        while (c.in.size() <= 4 * kMaxHead) {  // enough to answer; more waits
          ssize_t r = read(fd, buf, sizeof buf);
          if (r > 0) {
            c.in.append(buf, static_cast<size_t>(r));
            continue;
          }
          if (r == 0)
            peer_closed = true;
          else if (errno != EAGAIN && errno != EINTR)
            alive = false;
          break;
        }
      }
      if (alive && c.Busy() && !Flush(c)) alive = false;
      // Answer what is complete, in order (pipelining), one response at a time.
      while (alive && !c.Busy() && !c.close_after) {
        ParseResult parsed = ParseRequest(c.in);
        if (parsed.status == ParseStatus::kIncomplete) break;
        c.in.erase(0, parsed.status == ParseStatus::kDone ? parsed.consumed : c.in.size());
        Respond(config_, parsed, c);
        if (!Flush(c)) alive = false;
      }
      if (alive && !c.Busy() && (c.close_after || peer_closed)) alive = false;
      if (alive) {
        watch(c);
      } else {
        drop(fd);
      }
    }
    std::time_t now = Monotonic();
    if (now - last_sweep >= 1) {  // idle keep-alive connections
      last_sweep = now;
      ResumeAccepting();  // descriptors may have been freed elsewhere: try again, once a second
      for (auto it = conns.begin(); it != conns.end();) {
        int fd = it->first;
        ++it;
        if (now - conns[fd]->last_active > config_.idle_timeout_seconds && !conns[fd]->Busy())
          drop(fd);
      }
    }
  }
}

}  // namespace web
