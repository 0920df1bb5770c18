#include "policy/syscall_set.h"

#include <algorithm>

#include "policy/groups.h"

namespace sysgate::policy {

std::vector<int32_t> SyscallNumbers(const std::vector<SyscallSpec>& specs, Arch arch) {
  std::vector<int32_t> out;
  auto add_name = [&](std::string_view name) {
    if (auto nr = SyscallNumber(arch, name)) out.push_back(*nr);
  };
  for (const SyscallSpec& s : specs) {
    switch (s.kind) {
      case SyscallSpec::Kind::kName:
        add_name(s.name);
        break;
      case SyscallSpec::Kind::kGroup:
        if (const SyscallGroup* g = FindGroup(s.name)) {
          for (std::string_view m : g->members) add_name(m);
        }
        break;
      case SyscallSpec::Kind::kNumber:
        out.push_back(s.number);
        break;
    }
  }
  std::ranges::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool RuleAppliesTo(const Rule& rule, Arch arch) {
  return rule.arches.empty() || std::ranges::find(rule.arches, arch) != rule.arches.end();
}

}  // namespace sysgate::policy
