#include "supervise/policy_supervisor.h"

#include <errno.h>

namespace sysgate::supervise {
namespace {

// Verdicts the supervisor can carry out exactly. kill-thread stays with the kernel: from user
// space a thread cannot be killed without its process (SIGKILL is process-wide).
bool Blocking(const Action& a) {
  return a.kind() == ActionKind::kErrno || a.kind() == ActionKind::kKillProcess;
}

bool IsExec(const SeccompData& d) {
  auto abi = ArchFromAudit(d.arch, d.nr);
  if (!abi) return false;
  auto name = SyscallName(*abi, d.nr);
  return name && (*name == "execve" || *name == "execveat");
}

}  // namespace

Policy RouteBlockingVerdicts(const Policy& policy) {
  Policy p = policy;
  auto route = [](Action& a) {
    if (Blocking(a)) a = Action::Notify();
  };
  route(p.default_action);
  route(p.unknown_action);
  for (Rule& r : p.rules) route(r.action);
  return p;
}

Policy RouteForAudit(const Policy& policy) {
  Policy p = policy;
  auto route = [](Action& a) {
    if (a.kind() != ActionKind::kAllow && a.kind() != ActionKind::kLog) a = Action::Notify();
  };
  route(p.default_action);
  route(p.unknown_action);
  for (Rule& r : p.rules) route(r.action);
  return p;
}

PolicySupervisor::PolicySupervisor(const Policy& policy) : interp_(policy) {}

bool RunnerExec::IsRunnerExec(const Notification& n) {
  if (seen_ || static_cast<pid_t>(n.pid) != child_ || !IsExec(n.data)) return false;
  seen_ = true;  // the runner's exec of the program: the child runs only our code so far
  return true;
}

Decision PolicySupervisor::Decide(const Notification& n) const {
  Decision d;
  d.verdict = interp_.Evaluate(n.data);
  switch (d.verdict.action.kind()) {
    case ActionKind::kErrno:
      d.response = Response::Error(n.id, static_cast<int>(d.verdict.action.data()));
      break;
    case ActionKind::kKillProcess:
      d.kill = true;
      d.response = Response::Error(n.id, EPERM);  // moot: the process is killed first
      break;
    case ActionKind::kNotify:  // the policy's own notify: no handler configured in the runner
      d.response = Response::Error(n.id, ENOSYS);
      break;
    default:  // allow, log, trap, trace are not routed here; never run a call by default
      d.response = Response::Error(n.id, EPERM);
      break;
  }
  return d;
}

}  // namespace sysgate::supervise
