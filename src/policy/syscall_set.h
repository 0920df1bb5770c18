// What syscall numbers a rule's syscall set means on one ABI.
#pragma once

#include <cstdint>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

// The numbers `specs` denote on `arch`, sorted and without duplicates. Names the arch does not
// have (and unknown names or groups) contribute nothing; numbers stand for themselves.
std::vector<int32_t> SyscallNumbers(const std::vector<SyscallSpec>& specs, Arch arch);

// True if the rule applies on `arch` (its arch guard is empty or names it).
bool RuleAppliesTo(const Rule& rule, Arch arch);

}  // namespace sysgate::policy
