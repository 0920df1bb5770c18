// The OCI seccomp agent: a Unix socket for runtimes, one Supervisor per container, one poll
// loop for all of them. The configuration is read in agent_config.cc.
#include "sysgate/agent.h"

#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <list>
#include <memory>

#include <fmt/format.h>

namespace sysgate {
namespace {

Reply Apply(const AgentRule& r, SyscallCall& call) {
  switch (r.kind) {
    case AgentRule::Kind::kContinue: return Reply::Continue();
    case AgentRule::Kind::kDeny: return Reply::Fail(r.err);
    case AgentRule::Kind::kReturn: return Reply::Return(r.value);
    case AgentRule::Kind::kKill: return Reply::KillProcess();
    case AgentRule::Kind::kEmulateMknod: return EmulateMknod(call, r.devices);
  }
  return Reply::Fail(EPERM);
}

std::string Outcome(const Reply& r, const AgentRule& rule) {
  switch (r.kind) {
    case Reply::Kind::kContinue: return "continued";
    case Reply::Kind::kFail: {
      auto name = ErrnoName(static_cast<int>(r.value));
      return fmt::format("= -1 {}", name ? std::string(*name) : std::to_string(r.value));
    }
    case Reply::Kind::kReturn:
      return fmt::format("= {}{}", r.value,
                         rule.kind == AgentRule::Kind::kEmulateMknod ? " (emulated)" : "");
    case Reply::Kind::kInjectFd: return "= fd";
    case Reply::Kind::kKillProcess: return "killed";
  }
  return "";
}

struct Container {
  ContainerInfo info;
  int listener = -1;
  Supervisor supervisor;
};

// A Supervisor answering by `profile`, reporting every call.
void Configure(Container& c, const AgentProfile& profile,
               const std::function<void(const AgentEvent&)>& on_event) {
  auto handler = [&c, on_event](const AgentRule& rule) {
    return [&c, &rule, on_event](SyscallCall& call) {
      Reply r = Apply(rule, call);
      if (on_event) {
        AgentEvent e{AgentEvent::Kind::kCall, c.info.id, call.tid(), call.Describe(),
                     Outcome(r, rule)};
        on_event(e);
      }
      return r;
    };
  };
  for (const AgentRule& rule : profile.rules) {
    for (const std::string& s : rule.syscalls) c.supervisor.On(s, handler(rule));
  }
  c.supervisor.Otherwise(handler(profile.fallback));
}

using OnEvent = std::function<void(const AgentEvent&)>;

// A listening Unix socket at `socket_path` (a socket left there is replaced), for root only.
Result<int> ListenOn(const std::string& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path)
    return MakeError(ErrorCode::kInvalidArgument, "socket path too long: " + socket_path);
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server < 0) return SystemError("socket", errno);
  struct stat st;
  if (lstat(socket_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) unlink(socket_path.c_str());
  mode_t old = umask(0077);  // the runtime runs as root; nobody else may hand us fds
  int b = bind(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  umask(old);
  if (b != 0 || listen(server, 64) != 0) {
    int err = errno;
    close(server);
    return SystemError("cannot listen on " + socket_path, err);
  }
  return server;
}

// Answers the containers whose listener poll found ready (`fds[1..]`, in the order of
// `containers`), and drops those whose listener failed or hung up.
void ServeContainers(std::list<std::unique_ptr<Container>>& containers,
                     const std::vector<pollfd>& fds, const OnEvent& on_event) {
  size_t i = 1;
  for (auto it = containers.begin(); it != containers.end(); ++i) {
    Container& c = **it;
    short ev = fds[i].revents;
    Result<Handled> h = Handled{};
    if (ev & POLLIN) h = c.supervisor.HandleOne(c.listener);
    // A listener that fails is given up: the container's notified calls then fail with
    // ENOSYS (they never run), rather than the loop spinning on it.
    if (!h || (!(ev & POLLIN) && (ev & (POLLHUP | POLLERR | POLLNVAL)))) {
      if (on_event) {
        on_event(h ? AgentEvent{AgentEvent::Kind::kGone, c.info.id, 0, "", ""}
                   : AgentEvent{AgentEvent::Kind::kError, c.info.id, 0, "", h.error().ToString()});
      }
      close(c.listener);
      it = containers.erase(it);
      continue;
    }
    ++it;
  }
}

// The container a runtime connecting to `server` hands over: its state and its seccomp
// listener (the other fds it sends are closed), served by its profile. Null when the
// connection fails or is refused.
std::unique_ptr<Container> Accept(int server, const AgentConfig& config, const OnEvent& on_event) {
  int conn = accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return nullptr;
  auto got = ReceiveFds(conn);
  close(conn);
  if (!got) {
    if (on_event) on_event({AgentEvent::Kind::kRefused, "", 0, "", got.error().ToString()});
    return nullptr;
  }
  auto info = ParseContainerState(got->payload);
  if (!info || info->seccomp_fd_index >= static_cast<int>(got->fds.size())) {
    for (int fd : got->fds) close(fd);
    std::string why = info ? "fewer fds than the state names" : info.error().ToString();
    if (on_event) on_event({AgentEvent::Kind::kRefused, "", 0, "", why});
    return nullptr;
  }
  auto c = std::make_unique<Container>();
  c->info = *info;
  for (size_t k = 0; k < got->fds.size(); ++k) {
    if (static_cast<int>(k) == info->seccomp_fd_index) {
      c->listener = got->fds[k];
    } else {
      close(got->fds[k]);
    }
  }
  const bool known = config.profiles.contains(c->info.metadata);
  Configure(*c, config.ProfileFor(c->info.metadata), on_event);
  if (on_event) {
    on_event(
        {AgentEvent::Kind::kConnected, c->info.id, c->info.pid, "",
         fmt::format("pid {}, profile {}", c->info.pid, known ? c->info.metadata : "default")});
  }
  return c;
}

}  // namespace

std::string AgentEvent::ToString() const {
  switch (kind) {
    case Kind::kConnected: return fmt::format("{}: connected ({})", container, outcome);
    case Kind::kGone: return fmt::format("{}: gone", container);
    case Kind::kRefused: return fmt::format("refused a connection: {}", outcome);
    case Kind::kError: return fmt::format("{}: stopped serving it: {}", container, outcome);
    case Kind::kCall: return fmt::format("{}: {} {}  [tid {}]", container, call, outcome, tid);
    case Kind::kListening: return fmt::format("listening on {}", outcome);
  }
  return "";
}

Agent::Agent(AgentConfig config, std::function<void(const AgentEvent&)> on_event)
    : config_(std::move(config)), on_event_(std::move(on_event)) {}

Result<void> Agent::Serve(const std::string& socket_path, const volatile sig_atomic_t* stop) {
  Result<int> listening = ListenOn(socket_path);
  if (!listening) return listening.error();
  const int server = *listening;
  if (on_event_) on_event_({AgentEvent::Kind::kListening, "", 0, "", socket_path});
  std::list<std::unique_ptr<Container>> containers;
  Result<void> result;
  while (!*stop) {
    std::vector<pollfd> fds{{server, POLLIN, 0}};
    for (const auto& c : containers) fds.push_back({c->listener, POLLIN, 0});
    int r = poll(fds.data(), fds.size(), 500);
    if (r < 0) {
      if (errno == EINTR) continue;
      result = SystemError("poll", errno);
      break;
    }
    ServeContainers(containers, fds, on_event_);
    if (fds[0].revents & POLLIN) {
      if (auto c = Accept(server, config_, on_event_)) containers.push_back(std::move(c));
    }
  }
  for (const auto& c : containers) close(c->listener);
  close(server);
  unlink(socket_path.c_str());
  return result;
}

}  // namespace sysgate
