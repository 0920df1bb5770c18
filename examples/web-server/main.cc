// example_web_server: a small HTTP/1.1 static file server that locks itself down with the
// sysgate library once it has started. After binding its port and opening its document root it
// confines its files and ports to the root, read-only, and no TCP port at all (server.sgp's
// fs, net and scope rules, with `fs read ROOT` added here: Landlock, which restricts the
// calling thread and the threads it starts afterwards); then it starts its threads and applies
// server.sgp's syscall rules (ROOT_FD and LISTEN_FD are given when it is loaded) to every
// thread: from then on it can accept connections on its port, read files below its root and
// answer, and nothing else. A call the policy traps is reported on stderr by sysgate's SIGSYS
// handler and fails with EPERM, or, with --on-violation kill, ends the server with SIGSYS; a
// file or port the fs and net rules deny fails with EACCES, and the server says on stderr which
// rule reason denied it (denials.h: sysgate::FsDenial and NetDenial, in sysgate run's words).
//
//   example_web_server --root DIR [--port N] [--threads N] [--policy FILE]
//                      [--on-violation fail|kill] [--no-filter] [--no-fs-rules]
//
// Prints "listening on 127.0.0.1:PORT" when it serves; stops on SIGINT or SIGTERM.
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>

#include <sysgate/landlock.h>
#include <sysgate/policy_text.h>
#include <sysgate/sandbox.h>
#include <sysgate/trap.h>

#include "denials.h"
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
  bool no_fs_rules = false;  // the syscall rules alone (to show what the fs rules add)
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
    if (a == "--root")
      o.root = value();
    else if (a == "--port")
      o.port = std::atoi(value().c_str());
    else if (a == "--threads")
      o.threads = std::atoi(value().c_str());
    else if (a == "--policy")
      o.policy = value();
    else if (a == "--on-violation") {
      std::string v = value();
      if (v != "fail" && v != "kill") Die("--on-violation is fail or kill");
      o.kill_on_violation = v == "kill";
    } else if (a == "--no-filter")
      o.no_filter = true;
    else if (a == "--no-fs-rules")
      o.no_fs_rules = true;
    else
      Die("unknown option " + a + " (see the comment at the top of main.cc)");
  }
  if (o.root.empty()) Die("--root DIR is required");
  if (o.port < 0 || o.port > 65535 || o.threads < 1 || o.threads > 64)
    Die("bad --port or --threads");
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
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
    Die(std::string("bind: ") + std::strerror(errno));
  if (listen(fd, 512) != 0) Die(std::string("listen: ") + std::strerror(errno));
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  *bound_port = ntohs(a.sin_port);
  return fd;
}

sysgate::Policy LoadPolicy(const Options& o, int root_fd, int listen_fd) {
  sysgate::ParseOptions parse;
  parse.constants = {{"ROOT_FD", static_cast<uint64_t>(root_fd)},
                     {"LISTEN_FD", static_cast<uint64_t>(listen_fd)}};
  sysgate::ParsedPolicy policy = sysgate::ParsePolicyFile(o.policy, parse);
  if (!policy.ok()) {
    std::cerr << policy.RenderDiagnostics();
    Die("no usable policy; not serving");
  }
  return std::move(*policy.policy);
}

// The policy's fs, net and scope rules, and `fs read ROOT` (the root is known only now), on
// this thread and on the threads it starts from now on. Before the threads: Landlock cannot
// restrict threads that already run.
void ConfineFiles(const Options& o, sysgate::Policy& policy) {
  sysgate::AccessRules& access = policy.access;
  if (o.no_fs_rules || access.empty()) {
    access = {};
    return;
  }
  char root[PATH_MAX];
  if (!realpath(o.root.c_str(), root)) Die("cannot resolve the document root " + o.root);
  access.handled_fs = sysgate::fs_access::kAll;
  access.paths.push_back({sysgate::fs_access::kRead, root, {}});
  auto ruleset = sysgate::kernel::LandlockRuleset::Make(access);
  if (!ruleset) {
    Die("fs rules: " + ruleset.error().ToString() +
        "; not serving (--no-fs-rules serves under the syscall rules alone)");
  }
  // Under `fs best-effort`, what this kernel's Landlock cannot enforce is left out: said.
  for (const std::string& d : ruleset->dropped())
    std::cerr << "example_web_server: fs rules: not enforced by this kernel: " << d << "\n";
  // For the reports of what the rules deny (their paths resolved now, while that is allowed).
  web::SetAccessRules(access, ruleset->handled_fs(), ruleset->handled_net(), root);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || ruleset->RestrictRaw() != 0) {
    Die(std::string("fs rules: landlock_restrict_self: ") + std::strerror(errno) + "; not serving");
  }
  access = {};  // applied: what is left for every thread is the syscall rules
}

// Everything from here on runs under the policy, in every thread. Nothing is served if the
// policy cannot be installed.
void LockDown(const Options& o, const sysgate::Policy& policy) {
  sysgate::TrapReporterOptions report;
  report.report_fd = 2;
  report.fail_errno = EPERM;
  report.abort_process = o.kill_on_violation;
  if (auto r = sysgate::InstallTrapReporter(report); !r)
    Die("SIGSYS handler: " + r.error().ToString());
  if (auto r = sysgate::ApplyToThisProcess(policy); !r)
    Die("lockdown: " + r.error().ToString() + "; not serving");
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
  web::vulnerable_root_fd = root_fd;
#endif
  sysgate::Policy policy;
  if (!o.no_filter) {
    policy = LoadPolicy(o, root_fd, listen_fd);
    ConfineFiles(o, policy);
  }
  web::Server server(config);
  std::string error;
  if (!server.Start(&error)) Die(error);
  if (!o.no_filter) LockDown(o, policy);
  std::printf("listening on 127.0.0.1:%d (%s)\n", port,
              o.no_filter     ? "no filter"
              : o.no_fs_rules ? "locked down, no fs rules"
                              : "locked down");
  std::fflush(stdout);
  server.Serve();

  int sig = 0;
  while (sigwait(&stop, &sig) != 0) {
  }
  std::fprintf(stderr, "example_web_server: stopping on %s\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  std::fflush(stderr);
  _exit(0);  // the threads are serving: no destructors racing them
}
