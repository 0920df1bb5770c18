// An OCI seccomp agent. A runtime (crun, runc) whose config has `linux.seccomp.listenerPath`
// connects to the agent's socket when it starts a container and sends the container's
// seccomp listener fd (SCM_RIGHTS) with the container process state as JSON (runtime spec,
// "containerProcessState"). The agent then answers the container's SCMP_ACT_NOTIFY syscalls
// with the handlers of its configuration, for as long as the container lives, and goes on
// accepting containers.
//
//   auto config = AgentConfig::Parse(text, "agent.json");   // or AgentConfig::Default()
//   Agent agent(*config, [](const AgentEvent& e) { std::cerr << e.ToString() << "\n"; });
//   agent.Serve("/run/sysgate-agent.sock", &stop_flag);
//
// Configuration (JSON): profiles chosen by the container's listenerMetadata ("default" when
// none matches), each a list of rules by syscall name and a default:
//   {"profiles": {"default": {
//      "default": {"action": "deny", "errno": "EPERM"},
//      "rules": [
//        {"syscalls": ["mknod", "mknodat"], "action": "emulate-mknod",
//         "devices": [{"type": "c", "major": 1, "minor": 3}]},
//        {"syscalls": ["sethostname"], "action": "return", "value": 0},
//        {"syscalls": ["mkdir"], "action": "continue"}]}}}
// Actions: continue (the kernel runs the call; see supervisor.h on why this is never a
// security decision), deny (errno, default EPERM), return (an emulated result), kill (the
// calling process), emulate-mknod (the agent makes the node itself, in the container's mount
// namespace, root and working directory, if its type and numbers are on the list; else EPERM).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sysgate/supervisor.h"

namespace sysgate {

struct AgentDevice {
  char type = 'c';  // 'c' or 'b'
  unsigned major = 0, minor = 0;
};

struct AgentRule {
  enum class Kind : uint8_t { kContinue, kDeny, kReturn, kKill, kEmulateMknod };
  std::vector<std::string> syscalls;
  Kind kind = Kind::kDeny;
  int err = 1;                       // kDeny: EPERM
  int64_t value = 0;                 // kReturn
  std::vector<AgentDevice> devices;  // kEmulateMknod
};

struct AgentProfile {
  AgentRule fallback;  // for syscalls without a rule (its `syscalls` is empty)
  std::vector<AgentRule> rules;
};

struct AgentConfig {
  std::map<std::string, AgentProfile> profiles;  // always has "default"
  // Every notified call is logged and denied with EPERM.
  static AgentConfig Default();
  // Errors name the file and the JSON path of the bad value.
  static Result<AgentConfig> Parse(std::string_view json, std::string_view filename);
  const AgentProfile& ProfileFor(const std::string& metadata) const;
};

// The runtime spec's containerProcessState, as far as the agent uses it.
struct ContainerInfo {
  std::string id;
  pid_t pid = 0;
  std::string metadata;
  std::string bundle;
  int seccomp_fd_index = -1;  // index of "seccompFd" in the fds that came with it
};
Result<ContainerInfo> ParseContainerState(std::string_view json);

struct AgentEvent {
  // kListening: the socket is ready (outcome: its path), before any other event.
  enum class Kind : uint8_t { kConnected, kCall, kGone, kRefused, kError, kListening };
  Kind kind = Kind::kCall;
  std::string container;
  pid_t tid = 0;
  std::string call;     // kCall: decoded
  std::string outcome;  // kCall: "= 0 (emulated)", "= -1 EPERM", "continued"; else detail
                        // (kError: why the agent gave up the container's listener)
  std::string ToString() const;
};

// Makes the device node a mknod/mknodat call asks for, if {type, major, minor} is on the
// list: in a helper process that joins the caller's mount namespace and uses its root,
// working directory (or dirfd) and umask. The path is the agent's copy, read once.
Reply EmulateMknod(SyscallCall& call, const std::vector<AgentDevice>& allowed);

class Agent {
 public:
  Agent(AgentConfig config, std::function<void(const AgentEvent&)> on_event);
  // Listens on `socket_path` (a stale socket there is replaced) until *stop becomes non-zero
  // (a signal handler sets it); the socket is removed at the end.
  Result<void> Serve(const std::string& socket_path, const volatile sig_atomic_t* stop);

 private:
  AgentConfig config_;
  std::function<void(const AgentEvent&)> on_event_;
};

}  // namespace sysgate
