// The reference semantics of a Policy. Kept deliberately simple: it is the oracle the compiler
// is checked against.
#include "sysgate/interpreter.h"

#include <algorithm>

#include "policy/eval.h"
#include "policy/for_abi.h"
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

Interpreter::Interpreter(const Policy& policy) : policy_(policy) {
  for (Arch a : policy.TargetArches()) {
    policy::AbiPolicy lowered = policy::ForAbi(policy, a);
    Abi& abi = abis_[a];
    abi.policy = std::move(lowered.policy);
    abi.origin = std::move(lowered.origin);
    for (size_t i = 0; i < abi.policy.rules.size(); ++i) {
      const Rule& r = abi.policy.rules[i];
      if (!policy::RuleAppliesTo(r, a)) continue;
      for (int32_t nr : policy::SyscallNumbers(r.syscalls, a)) {
        std::vector<size_t>& rules = abi.rules[nr];
        if (rules.empty() || rules.back() != i) rules.push_back(i);
      }
    }
  }
}

Verdict Interpreter::Evaluate(const SeccompData& data) const {
  std::optional<Arch> abi = ArchFromAudit(data.arch, data.nr);
  auto it = abi ? abis_.find(*abi) : abis_.end();
  if (it == abis_.end()) return {policy_.foreign_abi_action, Verdict::Reason::kBadArch, -1};
  const Abi& a = it->second;
  if (auto rules = a.rules.find(data.nr); rules != a.rules.end()) {
    for (size_t i : rules->second) {
      const Rule& r = a.policy.rules[i];
      if (r.condition && !policy::EvalCondition(*r.condition, data.args)) continue;
      return {r.action, Verdict::Reason::kRule, static_cast<int>(a.origin[i])};
    }
  }
  if (SyscallName(*abi, data.nr)) return {policy_.default_action, Verdict::Reason::kDefault, -1};
  return {policy_.unknown_action, Verdict::Reason::kUnknown, -1};
}

std::vector<Interpreter::Candidate> Interpreter::Candidates(uint32_t audit_arch, int32_t nr) const {
  std::optional<Arch> abi = ArchFromAudit(audit_arch, nr);
  auto it = abi ? abis_.find(*abi) : abis_.end();
  if (it == abis_.end()) return {{{policy_.foreign_abi_action, Verdict::Reason::kBadArch, -1}}};
  const Abi& a = it->second;
  std::vector<Candidate> out;
  if (auto rules = a.rules.find(nr); rules != a.rules.end()) {
    for (size_t i : rules->second) {
      const Rule& r = a.policy.rules[i];
      out.push_back({{r.action, Verdict::Reason::kRule, static_cast<int>(a.origin[i])},
                     r.condition.has_value()});
      if (!r.condition) return out;
    }
  }
  const bool known = SyscallName(*abi, nr).has_value();
  out.push_back({{known ? policy_.default_action : policy_.unknown_action,
                  known ? Verdict::Reason::kDefault : Verdict::Reason::kUnknown, -1}});
  return out;
}

Verdict Evaluate(const Policy& policy, const SeccompData& data) {
  return Interpreter(policy).Evaluate(data);
}

}  // namespace sysgate
