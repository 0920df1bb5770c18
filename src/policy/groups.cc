#include "policy/groups.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace sysgate::policy {
namespace {

using GroupEntry = SyscallGroup;
#include "policy/generated/groups.inc"

static_assert(std::ranges::is_sorted(kGroupTable, {}, &SyscallGroup::name));

}  // namespace

const SyscallGroup* FindGroup(std::string_view name) {
  auto it = std::ranges::lower_bound(kGroupTable, name, {}, &SyscallGroup::name);
  if (it == kGroupTable.end() || it->name != name) return nullptr;
  return &*it;
}

std::span<const SyscallGroup> AllGroups() { return kGroupTable; }

std::vector<std::string_view> GroupNames() {
  std::vector<std::string_view> out;
  for (const SyscallGroup& g : kGroupTable) out.push_back(g.name);
  return out;
}

}  // namespace sysgate::policy
