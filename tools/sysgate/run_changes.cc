#include "run_changes.h"

#include <cerrno>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/strings.h"
#include "cli_util.h"
#include "policy/groups.h"
#include "sysgate/policy.h"

namespace sysgate::cli {
namespace {

Result<void> CheckName(std::string_view option, const std::string& name) {
  auto bad = [&](std::string msg) {
    return MakeError(ErrorCode::kInvalidArgument, fmt::format("{}: {}", option, msg));
  };
  if (name.starts_with("@")) {
    if (policy::FindGroup(name)) return {};
    std::string msg = fmt::format("unknown syscall group '{}'", base::Abbreviate(name));
    if (auto m = base::ClosestMatch(name, policy::GroupNames()))
      msg += fmt::format("; did you mean '{}'?", *m);
    return bad(msg + " (sysgate syscalls --groups lists them)");
  }
  if (name.empty()) return bad("an empty name (NAME,NAME,@GROUP...)");
  if (!IsSyscallName(name)) return bad(UnknownSyscallMessage(name));
  return {};
}

void AddRules(std::vector<Rule>& out, std::string_view option,
              const std::vector<std::string>& names, const Action& action) {
  for (const std::string& n : names) {
    Rule r;
    r.action = action;
    r.syscalls = {n.starts_with("@") ? SyscallSpec::Group(n) : SyscallSpec::Name(n)};
    r.loc.file = fmt::format("{} {}", option, n);
    r.syscalls[0].loc = r.loc;
    out.push_back(std::move(r));
  }
}

}  // namespace

std::vector<std::string> AllowOverrides(const Policy& policy, const RunChanges& changes) {
  std::vector<std::string> lines;
  std::vector<Rule> denied;  // what --deny puts in front of the --allow rules
  AddRules(denied, "--deny", changes.deny, Action::Errno(EPERM));
  auto names = [](std::string_view member) {
    return [member](const Rule& r) { return policy::SpecNaming(r, member) != nullptr; };
  };
  for (const std::string& group : changes.allow) {
    const policy::SyscallGroup* g = group.starts_with("@") ? policy::FindGroup(group) : nullptr;
    if (!g) continue;
    std::vector<std::string> overridden;
    for (std::string_view member : g->members) {
      if (std::ranges::find(changes.allow, member) != changes.allow.end())
        continue;                                                // said by name
      if (std::ranges::any_of(denied, names(member))) continue;  // still denied
      auto restricts = [&](const Rule& r) {
        return (r.action.kind() != ActionKind::kAllow || r.condition.has_value()) &&
               names(member)(r);
      };
      if (std::ranges::any_of(policy.rules, restricts)) overridden.emplace_back(member);
    }
    if (overridden.empty()) continue;
    lines.push_back(fmt::format("--allow {} overrides the policy's rules for {}: allowed outright",
                                group, fmt::join(overridden, ", ")));
  }
  return lines;
}

Result<void> CheckRunChanges(const RunChanges& changes) {
  for (const std::string& n : changes.allow) {
    if (auto ok = CheckName("--allow", n); !ok) return ok;
  }
  for (const std::string& n : changes.deny) {
    if (auto ok = CheckName("--deny", n); !ok) return ok;
    if (std::ranges::find(changes.allow, n) != changes.allow.end()) {
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("{} is given to both --allow and --deny", n));
    }
  }
  return {};
}

bool ApplyRunChanges(Policy& policy, const RunChanges& changes) {
  if (changes.empty()) return true;
  std::vector<Rule> front;
  AddRules(front, "--deny", changes.deny, Action::Errno(EPERM));
  AddRules(front, "--allow", changes.allow, Action::Allow());
  policy.rules.insert(policy.rules.begin(), front.begin(), front.end());
  return ResolveOrReport(policy, {});
}

}  // namespace sysgate::cli
