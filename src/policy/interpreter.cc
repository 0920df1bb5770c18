// The reference semantics of a Policy. Kept deliberately simple: it is the oracle the compiler
// is checked against.
#include "sysgate/interpreter.h"

#include <algorithm>

#include "policy/eval.h"
#include "policy/syscall_set.h"

namespace sysgate {

SeccompData SeccompData::For(Arch arch, int32_t nr, std::initializer_list<uint64_t> args) {
  SeccompData d;
  d.nr = nr;
  d.arch = Info(arch).audit_arch;
  size_t i = 0;
  for (uint64_t a : args) {
    if (i < d.args.size()) d.args[i++] = a;
  }
  return d;
}

Interpreter::Interpreter(const Policy& policy)
    : policy_(policy), targets_(policy.TargetArches()) {
  for (Arch a : targets_) {
    auto& by_nr = rules_[a];
    for (size_t i = 0; i < policy.rules.size(); ++i) {
      const Rule& r = policy.rules[i];
      if (!policy::RuleAppliesTo(r, a)) continue;
      for (int32_t nr : policy::SyscallNumbers(r.syscalls, a)) {
        std::vector<size_t>& rules = by_nr[nr];
        if (rules.empty() || rules.back() != i) rules.push_back(i);
      }
    }
  }
}

Verdict Interpreter::Evaluate(const SeccompData& data) const {
  std::optional<Arch> abi = ArchFromAudit(data.arch, data.nr);
  if (!abi || std::ranges::find(targets_, *abi) == targets_.end()) {
    return {Action::KillProcess(), Verdict::Reason::kBadArch, -1};
  }
  const auto& by_nr = rules_.at(*abi);
  if (auto it = by_nr.find(data.nr); it != by_nr.end()) {
    for (size_t i : it->second) {
      const Rule& r = policy_.rules[i];
      if (r.condition && !policy::EvalCondition(*r.condition, data.args)) continue;
      return {r.action, Verdict::Reason::kRule, static_cast<int>(i)};
    }
  }
  if (SyscallName(*abi, data.nr)) return {policy_.default_action, Verdict::Reason::kDefault, -1};
  return {policy_.unknown_action, Verdict::Reason::kUnknown, -1};
}

Verdict Evaluate(const Policy& policy, const SeccompData& data) {
  return Interpreter(policy).Evaluate(data);
}

}  // namespace sysgate
