#include "formats/flatten.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "policy/for_abi.h"
#include "policy/syscall_set.h"

namespace sysgate::formats {
namespace {

using Key = std::tuple<ActionKind, uint32_t, ArgTerm>;

class Flattener {
 public:
  Flattener(const Policy& p, const FlattenOptions& o, std::vector<Diagnostic>& d)
      : p_(p), o_(o), diags_(d), targets_(p.TargetArches()) {}

  std::vector<FlatRule> Run() {
    std::vector<std::string> order;  // names by first appearance
    std::map<std::string, std::vector<size_t>> rules_of;
    for (size_t i = 0; i < p_.rules.size(); ++i) {
      for (const std::string& n : NamesOf(i)) {
        auto [it, fresh] = rules_of.try_emplace(n);
        if (fresh) order.push_back(n);
        it->second.push_back(i);
      }
    }
    if (HasErrors(diags_)) return {};
    std::map<std::vector<size_t>, std::vector<std::pair<Action, ArgTerm>>> cache;
    for (const std::string& name : order) {
      const std::vector<size_t>& list = rules_of[name];
      auto it = cache.find(list);
      if (it == cache.end()) it = cache.emplace(list, Disjoint(name, list)).first;
      for (const auto& [action, term] : it->second) Add(action, term, name);
    }
    return std::move(out_);
  }

 private:
  void Error(const SourceLoc& loc, std::string msg) {
    diags_.push_back({Severity::kError, loc, std::move(msg), 1});
  }

  // The names rule i covers, the same syscalls on every target ABI.
  std::vector<std::string> NamesOf(size_t i) {
    const Rule& r = p_.rules[i];
    std::vector<Arch> on;
    for (Arch a : targets_) {
      if (policy::RuleAppliesTo(r, a)) on.push_back(a);
    }
    if (on.empty()) return {};
    // A guard that leaves out only ABIs where none of the rule's syscalls exist changes nothing.
    bool vacuous = std::ranges::all_of(targets_, [&](Arch a) {
      return policy::RuleAppliesTo(r, a) || policy::SyscallNumbers(r.syscalls, a).empty();
    });
    if (!vacuous) {
      Error(r.loc, fmt::format("this rule applies on {} only; {} rules apply to every "
                               "architecture of the profile: convert for one architecture "
                               "(--arch)",
                               Info(on[0]).name, o_.format));
      return {};
    }
    std::vector<std::string> names;
    std::map<Arch, std::vector<int32_t>> numbers;
    for (Arch a : on) {
      numbers[a] = policy::SyscallNumbers(r.syscalls, a);
      for (int32_t nr : numbers[a]) {
        auto n = SyscallName(a, nr);
        if (!n) {
          Error(r.loc, fmt::format("syscall number {} has no name on {}; {} names syscalls", nr,
                                   Info(a).name, o_.format));
          return {};
        }
        if (std::ranges::find(names, *n) == names.end()) names.emplace_back(*n);
      }
    }
    for (const std::string& n : names) {
      for (Arch a : on) {
        auto nr = SyscallNumber(a, n);
        if (nr && !std::ranges::binary_search(numbers[a], *nr)) {
          Error(r.loc, fmt::format("this rule covers {} on some architectures but not on {} "
                                   "(a raw number means different syscalls there); convert for "
                                   "one architecture (--arch)",
                                   n, Info(a).name));
          return {};
        }
      }
    }
    return names;
  }

  // Rule k applies where its condition holds and no earlier rule with another action's did
  // (an earlier rule with the same action gives the same verdict, so overlap is harmless).
  std::vector<std::pair<Action, ArgTerm>> Disjoint(const std::string& name,
                                                   const std::vector<size_t>& list) {
    std::vector<std::pair<Action, ArgTerm>> out;
    for (size_t k = 0; k < list.size(); ++k) {
      const Rule& r = p_.rules[list[k]];
      ArgDnf eff = DnfTrue();
      if (r.condition) {
        auto c = ConditionToDnf(*r.condition, false, o_.max_terms);
        if (!c) return Fail(r, name, c.error());
        eff = std::move(*c);
      }
      bool shadowed = false;
      for (size_t j = 0; j < k && !eff.empty(); ++j) {
        const Rule& earlier = p_.rules[list[j]];
        if (earlier.action == r.action) continue;
        if (!earlier.condition) {
          shadowed = true;
          break;
        }
        auto neg = ConditionToDnf(*earlier.condition, true, o_.max_terms);
        if (!neg) return Fail(r, name, neg.error());
        auto rest = DnfAnd(eff, *neg, o_.max_terms);
        if (!rest) return Fail(r, name, rest.error());
        eff = std::move(*rest);
      }
      if (!shadowed && r.action != p_.default_action) {
        for (ArgTerm& t : eff) out.emplace_back(r.action, std::move(t));
      }
      if (!r.condition) break;  // later rules never match first
    }
    return out;
  }

  std::vector<std::pair<Action, ArgTerm>> Fail(const Rule& r, const std::string& name,
                                               const sysgate::Error& e) {
    Error(r.loc, fmt::format("{} for {}: {}", o_.format, name, e.message));
    return {};
  }

  void Add(const Action& a, const ArgTerm& t, const std::string& name) {
    Key k{a.kind(), a.data(), t};
    auto [it, fresh] = index_.try_emplace(k, out_.size());
    if (fresh) out_.push_back({a, {}, t});
    out_[it->second].names.push_back(name);
  }

  const Policy& p_;
  const FlattenOptions& o_;
  std::vector<Diagnostic>& diags_;
  std::vector<Arch> targets_;
  std::vector<FlatRule> out_;
  std::map<Key, size_t> index_;
};

// The registers and constants a condition reads, in order; a 32-bit comparison's constants by
// their low halves (libseccomp compares those alone on 32-bit ABIs).
void Reading(const Condition& c, std::vector<uint64_t>& out) {
  if (c.kind() != Condition::Kind::kCompare) {
    for (const Condition& ch : c.children()) Reading(ch, out);
    return;
  }
  const Comparison& cmp = c.comparison();
  out.push_back(static_cast<uint64_t>(cmp.arg.index) << 8 | static_cast<uint8_t>(cmp.arg.hi_index));
  for (const Operand& o : cmp.operands) out.push_back(o.value);
}

// Rule `rule` of the policy as `p`'s ABI reads it (the rules derived for multiplexers follow it).
const Rule& Lowered(const policy::AbiPolicy& p, size_t rule) {
  return p.policy.rules[static_cast<size_t>(std::ranges::find(p.origin, rule) - p.origin.begin())];
}

std::vector<uint64_t> RuleReading(const policy::AbiPolicy& p, size_t rule) {
  std::vector<uint64_t> out;
  if (const Rule& r = Lowered(p, rule); r.condition) Reading(*r.condition, out);
  return out;
}

bool SameReading(std::vector<uint64_t> a, std::vector<uint64_t> b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i] != b[i] && (a[i] & 0xffffffffULL) != (b[i] & 0xffffffffULL)) return false;
  }
  return true;
}

}  // namespace

std::vector<FlatRule> Flatten(const Policy& policy, const FlattenOptions& options,
                              std::vector<Diagnostic>& diags) {
  // One list of rules for all architectures: as the first target reads them, which the others
  // must read alike (the same registers and constants).
  std::vector<Arch> targets = policy.TargetArches();
  policy::AbiPolicy first = policy::ForAbi(policy, targets.front(), &diags);
  for (size_t t = 1; t < targets.size(); ++t) {
    policy::AbiPolicy other = policy::ForAbi(policy, targets[t], &diags);
    for (size_t i = 0; i < policy.rules.size(); ++i) {
      const Rule& r = policy.rules[i];
      if (!r.condition || policy::SyscallNumbers(r.syscalls, targets[t]).empty() ||
          policy::SyscallNumbers(r.syscalls, targets.front()).empty()) {
        continue;
      }
      // A condition may not apply to some of the rule's syscalls on an ABI (an argument their
      // prototype lacks there): the rule leaves them out there, and must do so alike everywhere.
      std::string_view differs;
      if (!SameReading(RuleReading(first, i), RuleReading(other, i))) {
        differs = "read this condition differently (other argument registers or constants)";
      } else if (policy::SyscallNumbers(Lowered(first, i).syscalls, targets[t]) !=
                 policy::SyscallNumbers(Lowered(other, i).syscalls, targets[t])) {
        differs = "apply this condition to different syscalls (see the warnings above)";
      }
      if (!differs.empty()) {
        diags.push_back({Severity::kError, r.loc,
                         fmt::format("{} and {} {}; {} has one set of rules for every "
                                     "architecture: convert for one architecture (--arch)",
                                     Info(targets.front()).name, Info(targets[t]).name, differs,
                                     options.format),
                         1});
      }
    }
  }
  if (HasErrors(diags)) return {};
  first.policy.arches = policy.arches;
  return Flattener(first.policy, options, diags).Run();
}

}  // namespace sysgate::formats
