// example_web_server: a small HTTP/1.1 static file server that locks itself down with the
// sysgate library once it has started. After binding its port, opening its document root and
// starting its threads it applies server.sgp (a native policy file; ROOT_FD and LISTEN_FD are
// given when it is loaded) to every thread: from then on it can accept connections on its
// port, read files below its root and answer, and nothing else. A call the policy traps is
// reported on stderr by sysgate's SIGSYS handler and fails with EPERM, or, with
// --on-violation kill, ends the server with SIGSYS.
//
//   example_web_server --root DIR [--port N] [--threads N] [--policy FILE]
//                      [--on-violation fail|kill] [--no-filter]
//
// Prints "listening on 127.0.0.1:PORT" when it serves; stops on SIGINT or SIGTERM.
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>

#include <sysgate/policy_text.h>
#include <sysgate/sandbox.h>
#include <sysgate/trap.h>

#include "server.h"
#ifdef SYSGATE_EXAMPLE_VULNERABLE
#include "vulnerable.h"
#endif

namespace {

struct Options {
  std::string root;
  int port = 8080;
  int threads = 2;
  std::string policy = SYSGATE_WEB_SERVER_POLICY;
  bool kill_on_violation = false;
  bool no_filter = false;
};

[[noreturn]] void Die(const std::string& msg) {
  std::cerr << "example_web_server: " << msg << "\n";
  std::exit(1);
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--root") o.root = value();
    else if (a == "--port") o.port = std::atoi(value().c_str());
    else if (a == "--threads") o.threads = std::atoi(value().c_str());
    else if (a == "--policy") o.policy = value();
    else if (a == "--on-violation") {
      std::string v = value();
      if (v != "fail" && v != "kill") Die("--on-violation is fail or kill");
      o.kill_on_violation = v == "kill";
    } else if (a == "--no-filter") o.no_filter = true;
    else Die("unknown option " + a + " (see the comment at the top of main.cc)");
  }
  if (o.root.empty()) Die("--root DIR is required");
  if (o.port < 0 || o.port > 65535 || o.threads < 1 || o.threads > 64) Die("bad --port or --threads");
  return o;
}

int Listen(int port, int* bound_port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) Die(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // Accepted sockets inherit it: a head written before its body is not held back by Nagle's
  // algorithm waiting for the client's delayed ACK (no setsockopt needed once locked down).
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) Die(std::string("bind: ") + std::strerror(errno));
  if (listen(fd, 512) != 0) Die(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *bound_port = ntohs(a.sin_port);
  return fd;
}

// Everything from here on runs under the policy, in every thread. Nothing is served if the
// policy cannot be read or installed.
void LockDown(const Options& o, int root_fd, int listen_fd) {
  sysgate::ParseOptions parse;
  parse.constants = {{"ROOT_FD", static_cast<uint64_t>(root_fd)}, {"LISTEN_FD", static_cast<uint64_t>(listen_fd)}};
  sysgate::ParsedPolicy policy = sysgate::ParsePolicyFile(o.policy, parse);
  if (!policy.ok()) {
    std::cerr << policy.RenderDiagnostics();
    Die("no usable policy; not serving");
  }
  sysgate::TrapReporterOptions report;
  report.report_fd = 2;
  report.fail_errno = EPERM;
  report.abort_process = o.kill_on_violation;
  if (auto r = sysgate::InstallTrapReporter(report); !r) Die("SIGSYS handler: " + r.error().ToString());
  if (auto r = sysgate::ApplyToThisProcess(*policy.policy); !r) Die("lockdown: " + r.error().ToString() + "; not serving");
}

}  // namespace

int main(int argc, char** argv) {
  Options o = ParseArgs(argc, argv);
  signal(SIGPIPE, SIG_IGN);  // a client gone mid-response is an error return, not a signal
  tzset();  // glibc reads /etc/localtime on the first date it formats: now, not when locked down
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);  // the threads inherit it; main waits for them

  int port = 0;
  int listen_fd = Listen(o.port, &port);
  int root_fd = open(o.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0) Die("cannot open the document root " + o.root + ": " + std::strerror(errno));
  web::ServerConfig config;
  config.listen_fd = listen_fd;
  config.root_fd = root_fd;
  config.threads = o.threads;
#ifdef SYSGATE_EXAMPLE_VULNERABLE
  config.extra = web::VulnerableEndpoints;
#endif
  web::Server server(config);
  std::string error;
  if (!server.Start(&error)) Die(error);
  if (!o.no_filter) LockDown(o, root_fd, listen_fd);
  std::printf("listening on 127.0.0.1:%d (%s)\n", port, o.no_filter ? "no filter" : "locked down");
  std::fflush(stdout);
  server.Serve();

  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  std::fprintf(stderr, "example_web_server: stopping on %s\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stderr);
  _exit(0);  // the threads are serving: no destructors racing them
}
