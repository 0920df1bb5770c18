// What syscall numbers a rule's syscall set means on one ABI.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

// The numbers `specs` denote on `arch`, sorted and without duplicates. Names the arch does not
// have (and unknown names or groups) contribute nothing; numbers stand for themselves.
std::vector<int32_t> SyscallNumbers(const std::vector<SyscallSpec>& specs, Arch arch);

// True if the rule applies on `arch` (its arch guard is empty or names it).
bool RuleAppliesTo(const Rule& rule, Arch arch);

// The spec of `rule` that names the syscall `name`: one that names it directly if there is one,
// else a group that holds it; nullptr when the rule does not name it by name (numbers aside).
const SyscallSpec* SpecNaming(const Rule& rule, std::string_view name);

}  // namespace sysgate::policy
