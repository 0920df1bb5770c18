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
      case SyscallSpec::Kind::kName: add_name(s.name); break;
      case SyscallSpec::Kind::kGroup:
        if (const SyscallGroup* g = FindGroup(s.name)) {
          for (std::string_view m : g->members) add_name(m);
        }
        break;
      case SyscallSpec::Kind::kNumber: out.push_back(s.number); break;
    }
  }
  std::ranges::sort(out);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool RuleAppliesTo(const Rule& rule, Arch arch) {
  return rule.arches.empty() || std::ranges::find(rule.arches, arch) != rule.arches.end();
}

const SyscallSpec* SpecNaming(const Rule& rule, std::string_view name) {
  const SyscallSpec* group = nullptr;
  for (const SyscallSpec& s : rule.syscalls) {
    if (s.kind == SyscallSpec::Kind::kName && s.name == name) return &s;
    if (s.kind != SyscallSpec::Kind::kGroup || group) continue;
    const SyscallGroup* g = FindGroup(s.name);
    if (g && std::ranges::binary_search(g->members, name)) group = &s;
  }
  return group;
}

}  // namespace sysgate::policy
