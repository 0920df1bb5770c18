#include "vulnerable.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "denials.h"

extern char** environ;

namespace web {
namespace {

// The query, percent-decoded ('+' stays '+').
std::string Query(const Request& r) {
  size_t q = r.target.find('?');
  std::string raw = q == std::string::npos ? "" : r.target.substr(q + 1);
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size()) {
      out += static_cast<char>(std::strtol(raw.substr(i + 1, 2).c_str(), nullptr, 16));
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

std::string Failed(const char* what) {
  return std::string(what) + " failed: " + std::strerror(errno) + "\n";
}

// fork and exec, as exploit code does (posix_spawn would block every signal around its
// clone, so a trapped clone there ends the process instead: see sysgate/trap.h).
std::string Exec(const std::string& cmd) {
  const char* argv[] = {"sh", "-c", cmd.c_str(), nullptr};
  pid_t pid = fork();
  if (pid < 0) return Failed("fork");
  if (pid == 0) {
    execve("/bin/sh", const_cast<char**>(argv), environ);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return "ran sh -c '" + cmd + "': exit status " + std::to_string(WEXITSTATUS(status)) + "\n";
}

std::string Write(const std::string& path) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EACCES) {
    ReportDeniedOpen(
        "openat(AT_FDCWD, " + Quoted(path) + ", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644)", path,
        O_WRONLY | O_CREAT | O_TRUNC, /*from_cwd=*/true);
    errno = EACCES;
  }
  if (fd < 0) return Failed("open for writing");
  ssize_t n = write(fd, "written by the web server\n", 26);
  close(fd);
  return n == 26 ? "wrote " + path + "\n" : Failed("write");
}

// A TCP socket bound (`binding`) or connected to 127.0.0.1:`port`; -1 after a failure, with
// its text in `failed`.
int PortSocket(const std::string& port, bool binding, std::string* failed) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *failed = Failed("socket");
    return -1;
  }
  const uint16_t n = static_cast<uint16_t>(std::atoi(port.c_str()));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(n);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const char* call = binding ? "bind" : "connect";
  int r = binding ? bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a)
                  : connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  if (r != 0) {
    if (errno == EACCES) {
      ReportDeniedPort(
          std::string(call) + "(" + std::to_string(fd) + ", {sa_family=AF_INET, sin_port=htons(" +
              std::to_string(n) + "), sin_addr=inet_addr(\"127.0.0.1\")}, 16)",
          binding ? sysgate::net_access::kBindTcp : sysgate::net_access::kConnectTcp, n);
      errno = EACCES;
    }
    *failed = Failed(call);
    close(fd);
    return -1;
  }
  return fd;
}

std::string Bind(const std::string& port) {
  std::string failed;
  int fd = PortSocket(port, /*binding=*/true, &failed);
  if (fd < 0) return failed;
  close(fd);
  return "bound port " + port + "\n";
}

std::string Connect(const std::string& port) {
  std::string failed;
  int fd = PortSocket(port, /*binding=*/false, &failed);
  if (fd < 0) return failed;
  ssize_t n = write(fd, "hello from the web server\n", 26);
  close(fd);
  return n == 26 ? "connected to port " + port + "\n" : Failed("write");
}

std::string Read(const std::string& path) {
  int fd = openat(vulnerable_root_fd, path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 && errno == EACCES) {
    ReportDeniedOpen("openat(ROOT_FD, " + Quoted(path) + ", O_RDONLY|O_CLOEXEC)", path, O_RDONLY);
    errno = EACCES;
  }
  if (fd < 0) return Failed("open for reading");
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n < 0 ? Failed("read") : "read " + path + ": " + std::string(buf, static_cast<size_t>(n));
}

}  // namespace

bool VulnerableEndpoints(const Request& request, int* status, std::string* body) {
  std::string_view path = request.path;
  if (!path.starts_with("/vuln/")) return false;
  std::string arg = Query(request);
  if (path == "/vuln/exec")
    *body = Exec(arg);
  else if (path == "/vuln/write")
    *body = Write(arg);
  else if (path == "/vuln/connect")
    *body = Connect(arg);
  else if (path == "/vuln/bind")
    *body = Bind(arg);
  else if (path == "/vuln/read")
    *body = Read(arg);
  else
    return false;
  *status = body->find(" failed: ") == std::string::npos ? 200 : 500;
  return true;
}

}  // namespace web
