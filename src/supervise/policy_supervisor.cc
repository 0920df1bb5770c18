#include "supervise/policy_supervisor.h"

#include <errno.h>

#include <algorithm>

#include "supervise/access_effects.h"
#include "sysgate/analysis.h"

namespace sysgate::supervise {
namespace {

// The data of a routed errno verdict: this bit and the errno (1..4095, or 0 with
// allow-errno-zero). The policy's own notify rules have data 0.
constexpr uint32_t kRoutedErrno = 0x8000;

// The policy with every action a replaced by route(a).
template <class Route>
Policy MapActions(const Policy& policy, Route route) {
  Policy p = policy;
  for (Action* a : {&p.default_action, &p.unknown_action, &p.foreign_abi_action}) *a = route(*a);
  for (Rule& r : p.rules) r.action = route(r.action);
  return p;
}

}  // namespace

// Only errno verdicts: a supervisor can be stopped, starved or killed by the program it
// supervises (the same user may signal it and change its limits), and then a notified call
// waits or fails with ENOSYS. For a denial that is still a denial; a kill must not depend on it.
Policy RouteForReports(const Policy& policy) {
  return MapActions(policy, [](const Action& a) {
    return a.kind() == ActionKind::kErrno ? Action::Notify(kRoutedErrno | (a.data() & 0xfff)) : a;
  });
}

Policy RouteForAudit(const Policy& policy) {
  Policy p = MapActions(policy, [](const Action& a) {
    return a.kind() == ActionKind::kAllow || a.kind() == ActionKind::kLog ? a : Action::Notify();
  });
  if (policy.access.empty()) return p;
  // The fs and net rules are checked on the calls that reach files and ports: those reach the
  // supervisor too, whatever the policy says of them.
  Rule watch{Action::Notify(), {}, {}, std::nullopt, {}};
  const std::vector<Arch> arches = policy.TargetArches();
  for (std::string_view name : AccessSyscalls()) {
    if (std::ranges::any_of(arches, [&](Arch a) { return SyscallNumber(a, name).has_value(); })) {
      watch.syscalls.push_back(SyscallSpec::Name(std::string(name)));
    }
  }
  p.rules.insert(p.rules.begin(), std::move(watch));
  return p;
}

Decision PolicySupervisor::Decide(const SeccompData& data) const {
  Decision d;
  auto r = analysis::Emulate(installed_, data);
  Action a = r ? bpf::ActionOfRet(r->ret) : Action::KillProcess();
  if (a.kind() == ActionKind::kNotify && (a.data() & kRoutedErrno)) {
    d.error = static_cast<int>(a.data() & 0xfff);
  } else if (a.kind() == ActionKind::kNotify) {
    d.error = ENOSYS;  // the policy's own notify: the runner has no handler for it
  } else if (a.kind() != ActionKind::kAllow && a.kind() != ActionKind::kLog) {
    // A verdict the kernel carries out, notified by the runner's exec gate for a call that is
    // not (or no longer) the runner's own exec: the policy would kill it.
    d.reply = Reply::KillProcess();
    return d;
  } else {
    d.error = EPERM;   // the kernel notified what the filter allows: never run it
  }
  // The errno as the calling ABI numbers it (the policy's are the generic ones).
  auto abi = ArchFromAudit(data.arch, data.nr);
  int on_abi = abi ? static_cast<int>(ErrnoOn(*abi, static_cast<uint32_t>(d.error))) : d.error;
  d.reply = d.error == 0 ? Reply::Return(0) : Reply::Fail(on_abi);
  return d;
}

RunnerExec::RunnerExec(pid_t runner, const SeccompData& exec, const bpf::Program& installed)
    : runner_(runner), exec_(exec) {
  auto r = analysis::Emulate(installed, exec);
  // Let through only what would otherwise reach us: if the filter allows the runner's exec, so
  // does the kernel, and there is nothing left over for the program to use.
  armed_ = r && bpf::ActionOfRet(r->ret).kind() == ActionKind::kNotify;
}

bool RunnerExec::Matches(const Notification& n) const {
  if (!armed_ || static_cast<pid_t>(n.pid) != runner_) return false;
  const SeccompData& d = n.data;
  return d.arch == exec_.arch && d.nr == exec_.nr && d.args[0] == exec_.args[0] &&
         d.args[1] == exec_.args[1] && d.args[2] == exec_.args[2];
}

}  // namespace sysgate::supervise
