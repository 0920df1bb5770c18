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

// The policy with every action for which routed(action) holds turned into notify.
template <class Pred>
Policy RouteToNotify(const Policy& policy, Pred routed) {
  Policy p = policy;
  auto route = [&](Action& a) {
    if (routed(a)) a = Action::Notify();
  };
  route(p.default_action);
  route(p.unknown_action);
  for (Rule& r : p.rules) route(r.action);
  return p;
}

}  // namespace

Policy RouteBlockingVerdicts(const Policy& policy) { return RouteToNotify(policy, Blocking); }

Policy RouteForAudit(const Policy& policy) {
  return RouteToNotify(policy, [](const Action& a) {
    return a.kind() != ActionKind::kAllow && a.kind() != ActionKind::kLog;
  });
}

PolicySupervisor::PolicySupervisor(const Policy& policy) : interp_(policy) {}

bool RunnerExec::IsRunnerExec(const Notification& n) {
  if (seen_ || static_cast<pid_t>(n.pid) != child_ || !IsExec(n.data)) return false;
  seen_ = true;  // the runner's exec of the program: the child runs only our code so far
  return true;
}

Decision PolicySupervisor::Decide(const SeccompData& data) const {
  Decision d;
  d.verdict = interp_.Evaluate(data);
  switch (d.verdict.action.kind()) {
    case ActionKind::kErrno: d.reply = Reply::Fail(static_cast<int>(d.verdict.action.data())); break;
    case ActionKind::kKillProcess: d.reply = Reply::KillProcess(); break;
    // The policy's own notify: the runner has no handler for it.
    case ActionKind::kNotify: d.reply = Reply::Fail(ENOSYS); break;
    // allow, log, trap, trace are not routed here; never run a call by default.
    default: d.reply = Reply::Fail(EPERM); break;
  }
  return d;
}

}  // namespace sysgate::supervise
