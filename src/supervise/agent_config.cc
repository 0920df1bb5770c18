// The agent's configuration (profiles of handler rules, JSON) and the container process state
// a runtime sends (runtime spec, containerProcessState).
#include <errno.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "sysgate/agent.h"

namespace sysgate {
namespace {

using nlohmann::json;

Error ConfigError(std::string_view file, const std::string& where, const std::string& what) {
  return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: {}: {}", file, where, what));
}

Result<AgentRule> ParseRule(const json& j, std::string_view file, const std::string& where,
                            bool fallback) {
  if (!j.is_object()) return ConfigError(file, where, "expected an object");
  AgentRule r;
  if (!fallback) {
    if (!j.contains("syscalls") || !j["syscalls"].is_array() || j["syscalls"].empty()) {
      return ConfigError(file, where + ".syscalls", "expected a non-empty list of syscall names");
    }
    for (const json& s : j["syscalls"]) {
      if (!s.is_string() || !IsSyscallName(s.get<std::string>())) {
        return ConfigError(file, where + ".syscalls",
                           fmt::format("{} is not a syscall name", s.dump()));
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
      if (!err || *err <= 0 || *err >= 4096)
        return ConfigError(file, where + ".errno", "not an errno name or number 1..4095");
      r.err = *err;
    }
  } else if (action == "return") {
    r.kind = AgentRule::Kind::kReturn;
    if (!j.contains("value") || !j["value"].is_number_integer())
      return ConfigError(file, where + ".value", "expected an integer");
    r.value = j["value"].get<int64_t>();
  } else if (action == "kill") {
    r.kind = AgentRule::Kind::kKill;
  } else if (action == "emulate-mknod") {
    r.kind = AgentRule::Kind::kEmulateMknod;
    for (const std::string& s : r.syscalls) {
      if (s != "mknod" && s != "mknodat")
        return ConfigError(file, where, "emulate-mknod handles mknod and mknodat only");
    }
    if (!j.contains("devices") || !j["devices"].is_array())
      return ConfigError(file, where + ".devices", "expected a list");
    for (size_t i = 0; i < j["devices"].size(); ++i) {
      const json& d = j["devices"][i];
      std::string w = fmt::format("{}.devices[{}]", where, i);
      if (!d.is_object() || !d.contains("major") || !d.contains("minor") ||
          !d["major"].is_number_unsigned() || !d["minor"].is_number_unsigned()) {
        return ConfigError(file, w, "expected {\"type\": \"c\"|\"b\", \"major\": N, \"minor\": N}");
      }
      std::string type = d.value("type", "c");
      if (type != "c" && type != "b")
        return ConfigError(file, w + ".type", "expected \"c\" or \"b\"");
      r.devices.push_back({type[0], d["major"].get<unsigned>(), d["minor"].get<unsigned>()});
    }
  } else {
    return ConfigError(
        file, where + ".action",
        fmt::format("unknown action '{}' (continue, deny, return, kill, emulate-mknod)", action));
  }
  return r;
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
      if (r->kind == AgentRule::Kind::kEmulateMknod)
        return ConfigError(file, where + ".default", "emulate-mknod needs a rule of its own");
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
  if (j.is_discarded() || !j.is_object())
    return MakeError(ErrorCode::kInvalidArgument, "the container state is not a JSON object");
  ContainerInfo c;
  if (j.contains("fds") && j["fds"].is_array()) {
    for (size_t i = 0; i < j["fds"].size(); ++i) {
      if (j["fds"][i] == "seccompFd") c.seccomp_fd_index = static_cast<int>(i);
    }
  }
  if (c.seccomp_fd_index < 0)
    return MakeError(ErrorCode::kInvalidArgument, "the container state names no \"seccompFd\"");
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

}  // namespace sysgate
