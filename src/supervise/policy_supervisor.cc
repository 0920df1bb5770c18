#include "supervise/policy_supervisor.h"

#include <errno.h>

#include <algorithm>

#include "policy/groups.h"
#include "supervise/access_effects.h"
#include "sysgate/analysis.h"

namespace sysgate::supervise {
namespace {

// The data of a routed errno verdict: this bit and the errno (1..4095, or 0 with
// allow-errno-zero). The policy's own notify rules have data 0.
constexpr uint32_t kRoutedErrno = 0x8000;
// The data of a call the policy allows, routed so that the fs and net rules' denials are
// reported (RouteAccessForReports): the supervisor lets it run.
constexpr uint32_t kRoutedAccess = 0x4000;

// AccessSyscalls that exist on one of `arches` at least.
std::vector<std::string> AccessSyscallsOn(const std::vector<Arch>& arches) {
  std::vector<std::string> out;
  for (std::string_view name : AccessSyscalls()) {
    if (std::ranges::any_of(arches, [&](Arch a) { return SyscallNumber(a, name).has_value(); })) {
      out.emplace_back(name);
    }
  }
  return out;
}

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
  for (const std::string& name : AccessSyscallsOn(policy.TargetArches())) {
    watch.syscalls.push_back(SyscallSpec::Name(name));
  }
  p.rules.insert(p.rules.begin(), std::move(watch));
  return p;
}

// Each allow rule split in two where it names access syscalls: those (by name, groups opened)
// notified with kRoutedAccess, the rest allowed, in the same place and under the same
// condition, so that the first rule to match a call is the same rule as before; and, when the
// default allows, the access syscalls no rule matched notified at the end. Nothing the policy
// denies, kills or logs changes.
Policy RouteAccessForReports(const Policy& routed) {
  Policy p = routed;
  const std::vector<std::string> names = AccessSyscallsOn(p.TargetArches());
  auto is_access = [&](std::string_view n) { return std::ranges::find(names, n) != names.end(); };
  std::vector<Rule> rules;
  for (const Rule& r : routed.rules) {
    if (r.action.kind() != ActionKind::kAllow) {
      rules.push_back(r);
      continue;
    }
    Rule access = r, rest = r;
    access.action = Action::Notify(kRoutedAccess);
    access.syscalls.clear();
    rest.syscalls.clear();
    for (const SyscallSpec& s : r.syscalls) {
      if (s.kind == SyscallSpec::Kind::kName) {
        (is_access(s.name) ? access : rest).syscalls.push_back(s);
      } else if (s.kind == SyscallSpec::Kind::kGroup && policy::FindGroup(s.name)) {
        for (std::string_view m : policy::FindGroup(s.name)->members) {
          if (is_access(m)) access.syscalls.push_back(SyscallSpec::Name(std::string(m)));
        }
        rest.syscalls.push_back(s);  // its access members are matched by `access` first
      } else {
        rest.syscalls.push_back(s);  // a number: allowed without a report
      }
    }
    if (!access.syscalls.empty()) rules.push_back(std::move(access));
    if (!rest.syscalls.empty()) rules.push_back(std::move(rest));
  }
  if (p.default_action.kind() == ActionKind::kAllow) {
    Rule tail{Action::Notify(kRoutedAccess), {}, {}, std::nullopt, {}};
    for (const std::string& n : names) tail.syscalls.push_back(SyscallSpec::Name(n));
    rules.push_back(std::move(tail));
  }
  p.rules = std::move(rules);
  return p;
}

Decision PolicySupervisor::Decide(const SeccompData& data) const {
  Decision d;
  auto r = analysis::Emulate(installed_, data);
  Action a = r ? bpf::ActionOfRet(r->ret) : Action::KillProcess();
  if (a.kind() == ActionKind::kNotify && a.data() == kRoutedAccess) {
    d.reply = Reply::Continue();  // the policy allows it: the kernel and the fs rules decide
    d.allowed = true;
    return d;
  }
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
    d.error = EPERM;  // the kernel notified what the filter allows: never run it
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
