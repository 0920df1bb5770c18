// The OCI seccomp agent: a Unix socket for runtimes, one Supervisor per container, one poll
// loop for all of them.
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
#include <nlohmann/json.hpp>

#include "base/check.h"

namespace sysgate {
namespace {

using nlohmann::json;

Error ConfigError(std::string_view file, const std::string& where, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: {}: {}", file, where, what));
}

bool KnownSyscall(std::string_view name) {
  for (Arch a : AllArches()) {
    if (SyscallNumber(a, name)) return true;
  }
  return false;
}

Result<AgentRule> ParseRule(const json& j, std::string_view file, const std::string& where, bool fallback) {
  if (!j.is_object()) return ConfigError(file, where, "expected an object");
  AgentRule r;
  if (!fallback) {
    if (!j.contains("syscalls") || !j["syscalls"].is_array() || j["syscalls"].empty()) {
      return ConfigError(file, where + ".syscalls", "expected a non-empty list of syscall names");
    }
    for (const json& s : j["syscalls"]) {
      if (!s.is_string() || !KnownSyscall(s.get<std::string>())) {
        return ConfigError(file, where + ".syscalls", fmt::format("{} is not a syscall name", s.dump()));
      }
      r.syscalls.push_back(s.get<std::string>());
    }
  }
  std::string action = j.value("action", "");
  if (action == "continue" || action == "log") {
    r.kind = AgentRule::Kind::kContinue;
  } else if (action == "deny") {
    r.kind = AgentRule::Kind::kDeny;
    if (j.contains("errno")) {
      const json& e = j["errno"];
      std::optional<int> err;
      if (e.is_number_integer()) err = e.get<int>();
      if (e.is_string()) err = ErrnoFromName(e.get<std::string>());
      if (!err || *err <= 0 || *err >= 4096) return ConfigError(file, where + ".errno", "not an errno name or number 1..4095");
      r.err = *err;
    }
  } else if (action == "return") {
    r.kind = AgentRule::Kind::kReturn;
    if (!j.contains("value") || !j["value"].is_number_integer()) return ConfigError(file, where + ".value", "expected an integer");
    r.value = j["value"].get<int64_t>();
  } else if (action == "kill") {
    r.kind = AgentRule::Kind::kKill;
  } else if (action == "emulate-mknod") {
    r.kind = AgentRule::Kind::kEmulateMknod;
    for (const std::string& s : r.syscalls) {
      if (s != "mknod" && s != "mknodat") return ConfigError(file, where, "emulate-mknod handles mknod and mknodat only");
    }
    if (!j.contains("devices") || !j["devices"].is_array()) return ConfigError(file, where + ".devices", "expected a list");
    for (size_t i = 0; i < j["devices"].size(); ++i) {
      const json& d = j["devices"][i];
      std::string w = fmt::format("{}.devices[{}]", where, i);
      if (!d.is_object() || !d.contains("major") || !d.contains("minor") || !d["major"].is_number_unsigned() ||
          !d["minor"].is_number_unsigned()) {
        return ConfigError(file, w, "expected {\"type\": \"c\"|\"b\", \"major\": N, \"minor\": N}");
      }
      std::string type = d.value("type", "c");
      if (type != "c" && type != "b") return ConfigError(file, w + ".type", "expected \"c\" or \"b\"");
      r.devices.push_back({type[0], d["major"].get<unsigned>(), d["minor"].get<unsigned>()});
    }
  } else {
    return ConfigError(file, where + ".action",
                       fmt::format("unknown action '{}' (continue, deny, return, kill, emulate-mknod)", action));
  }
  return r;
}

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
      return fmt::format("= {}{}", r.value, rule.kind == AgentRule::Kind::kEmulateMknod ? " (emulated)" : "");
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
void Configure(Container& c, const AgentProfile& profile, const std::function<void(const AgentEvent&)>& on_event) {
  auto handler = [&c, on_event](const AgentRule& rule) {
    return [&c, &rule, on_event](SyscallCall& call) {
      Reply r = Apply(rule, call);
      if (on_event) {
        AgentEvent e{AgentEvent::Kind::kCall, c.info.id, call.tid(), call.Describe(), Outcome(r, rule)};
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

}  // namespace

AgentConfig AgentConfig::Default() {
  AgentConfig c;
  c.profiles["default"].fallback = AgentRule{{}, AgentRule::Kind::kDeny, EPERM, 0, {}};
  return c;
}

Result<AgentConfig> AgentConfig::Parse(std::string_view text, std::string_view file) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (j.is_discarded()) return ConfigError(file, "$", "not valid JSON");
  if (!j.is_object() || !j.contains("profiles") || !j["profiles"].is_object()) {
    return ConfigError(file, "$.profiles", "expected an object of profiles by metadata");
  }
  AgentConfig c;
  for (const auto& [name, p] : j["profiles"].items()) {
    std::string where = fmt::format("$.profiles.{}", name);
    if (!p.is_object()) return ConfigError(file, where, "expected an object");
    AgentProfile profile;
    profile.fallback = AgentRule{{}, AgentRule::Kind::kDeny, EPERM, 0, {}};
    if (p.contains("default")) {
      auto r = ParseRule(p["default"], file, where + ".default", /*fallback=*/true);
      if (!r) return r.error();
      if (r->kind == AgentRule::Kind::kEmulateMknod) return ConfigError(file, where + ".default", "emulate-mknod needs a rule of its own");
      profile.fallback = *r;
    }
    if (p.contains("rules")) {
      if (!p["rules"].is_array()) return ConfigError(file, where + ".rules", "expected a list");
      for (size_t i = 0; i < p["rules"].size(); ++i) {
        auto r = ParseRule(p["rules"][i], file, fmt::format("{}.rules[{}]", where, i), false);
        if (!r) return r.error();
        profile.rules.push_back(*r);
      }
    }
    c.profiles[name] = std::move(profile);
  }
  if (!c.profiles.contains("default")) c.profiles["default"] = Default().profiles["default"];
  return c;
}

const AgentProfile& AgentConfig::ProfileFor(const std::string& metadata) const {
  auto it = profiles.find(metadata);
  return it != profiles.end() ? it->second : profiles.at("default");
}

Result<ContainerInfo> ParseContainerState(std::string_view text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return MakeError(ErrorCode::kInvalidArgument, "the container state is not a JSON object");
  ContainerInfo c;
  if (j.contains("fds") && j["fds"].is_array()) {
    for (size_t i = 0; i < j["fds"].size(); ++i) {
      if (j["fds"][i] == "seccompFd") c.seccomp_fd_index = static_cast<int>(i);
    }
  }
  if (c.seccomp_fd_index < 0) return MakeError(ErrorCode::kInvalidArgument, "the container state names no \"seccompFd\"");
  c.pid = j.value("pid", 0);
  c.metadata = j.value("metadata", "");
  if (j.contains("state") && j["state"].is_object()) {
    c.id = j["state"].value("id", "");
    c.bundle = j["state"].value("bundle", "");
    if (c.pid == 0) c.pid = j["state"].value("pid", 0);
  }
  if (c.id.empty()) c.id = fmt::format("pid {}", c.pid);
  return c;
}

std::string AgentEvent::ToString() const {
  switch (kind) {
    case Kind::kConnected: return fmt::format("{}: connected ({})", container, outcome);
    case Kind::kGone: return fmt::format("{}: gone", container);
    case Kind::kRefused: return fmt::format("refused a connection: {}", outcome);
    case Kind::kCall: return fmt::format("{}: {} {}  [tid {}]", container, call, outcome, tid);
  }
  return "";
}

Agent::Agent(AgentConfig config, std::function<void(const AgentEvent&)> on_event)
    : config_(std::move(config)), on_event_(std::move(on_event)) {}

Result<void> Agent::Serve(const std::string& socket_path, const volatile sig_atomic_t* stop) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof addr.sun_path) return MakeError(ErrorCode::kInvalidArgument, "socket path too long: " + socket_path);
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
    return SystemError("listening on " + socket_path, err);
  }
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
    size_t i = 1;
    for (auto it = containers.begin(); it != containers.end(); ++i) {
      Container& c = **it;
      short ev = fds[i].revents;
      if (ev & POLLIN) {
        auto h = c.supervisor.HandleOne(c.listener);
        if (!h && on_event_) on_event_({AgentEvent::Kind::kRefused, c.info.id, 0, "", h.error().ToString()});
      } else if (ev & (POLLHUP | POLLERR | POLLNVAL)) {
        if (on_event_) on_event_({AgentEvent::Kind::kGone, c.info.id, 0, "", ""});
        close(c.listener);
        it = containers.erase(it);
        continue;
      }
      ++it;
    }
    if (fds[0].revents & POLLIN) {
      int conn = accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      auto got = ReceiveFds(conn);
      close(conn);
      if (!got) {
        if (on_event_) on_event_({AgentEvent::Kind::kRefused, "", 0, "", got.error().ToString()});
        continue;
      }
      auto info = ParseContainerState(got->payload);
      if (!info || info->seccomp_fd_index >= static_cast<int>(got->fds.size())) {
        for (int fd : got->fds) close(fd);
        std::string why = info ? "fewer fds than the state names" : info.error().ToString();
        if (on_event_) on_event_({AgentEvent::Kind::kRefused, "", 0, "", why});
        continue;
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
      const bool known = config_.profiles.contains(c->info.metadata);
      Configure(*c, config_.ProfileFor(c->info.metadata), on_event_);
      if (on_event_) {
        on_event_({AgentEvent::Kind::kConnected, c->info.id, c->info.pid, "",
                   fmt::format("pid {}, profile {}", c->info.pid, known ? c->info.metadata : "default")});
      }
      containers.push_back(std::move(c));
    }
  }
  for (const auto& c : containers) close(c->listener);
  close(server);
  unlink(socket_path.c_str());
  return result;
}

}  // namespace sysgate
