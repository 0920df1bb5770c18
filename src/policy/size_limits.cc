#include "policy/size_limits.h"

#include <string>
#include <unordered_map>
#include <utility>

#include <fmt/format.h>

#include "base/nesting.h"
#include "sysgate/limits.h"

namespace sysgate::policy {
namespace {

// What is wrong with one condition's size, if anything. Walks the tree with its own stack:
// a condition built by hand may nest deeper than the call stack could follow.
std::optional<std::string> ConditionTooLarge(const Condition& c) {
  std::vector<std::pair<const Condition*, int>> todo = {{&c, 1}};
  size_t terms = 0;
  while (!todo.empty()) {
    auto [node, depth] = todo.back();
    todo.pop_back();
    if (depth > limits::kMaxNesting) {
      return base::TooDeepMessage("condition");
    }
    if (node->kind() == Condition::Kind::kCompare &&
        node->comparison().operands.size() > limits::kMaxSetValues) {
      return fmt::format("the set has more than {} values, sysgate's limit (docs/limits.md)",
                         limits::kMaxSetValues);
    }
    if (node->kind() == Condition::Kind::kCompare && ++terms > limits::kMaxConditionTerms) {
      return fmt::format(
          "the condition has more than {} comparisons, sysgate's limit per rule "
          "(docs/limits.md)",
          limits::kMaxConditionTerms);
    }
    for (const Condition& child : node->children()) todo.emplace_back(&child, depth + 1);
  }
  return std::nullopt;
}

}  // namespace

std::vector<Diagnostic> CheckSizeLimits(const Policy& policy) {
  std::vector<Diagnostic> out;
  if (policy.rules.size() > limits::kMaxRules) {
    const SourceLoc& loc = policy.rules[limits::kMaxRules].loc;
    out.push_back({Severity::kError, loc,
                   fmt::format("the policy has {} rules, more than {}, sysgate's rule limit "
                               "(docs/limits.md)",
                               policy.rules.size(), limits::kMaxRules),
                   1});
    return out;
  }
  std::unordered_map<std::string, size_t> conditional;  // rules with a condition, by name
  for (const Rule& r : policy.rules) {
    if (!r.condition) continue;
    if (auto why = ConditionTooLarge(*r.condition)) {
      out.push_back({Severity::kError, r.loc, std::move(*why), 1});
    }
    for (const SyscallSpec& s : r.syscalls) {
      std::string name = s.kind == SyscallSpec::Kind::kNumber ? std::to_string(s.number) : s.name;
      if (++conditional[name] == limits::kMaxConditionalRulesPerSyscall + 1) {
        out.push_back({Severity::kError, r.loc,
                       fmt::format("more than {} rules with a condition name {}, sysgate's limit "
                                   "(docs/limits.md)",
                                   limits::kMaxConditionalRulesPerSyscall, name),
                       1});
      }
    }
  }
  return out;
}

}  // namespace sysgate::policy
