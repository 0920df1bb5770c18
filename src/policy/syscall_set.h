// What syscall numbers a rule's syscall set means on one ABI. (Which ABIs a rule applies on
// and which of its specs names a syscall: RuleAppliesTo, SpecNaming in sysgate/policy.h.)
#pragma once

#include <cstdint>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

// The numbers `specs` denote on `arch`, sorted and without duplicates. Names the arch does not
// have (and unknown names or groups) contribute nothing; numbers stand for themselves.
std::vector<int32_t> SyscallNumbers(const std::vector<SyscallSpec>& specs, Arch arch);

}  // namespace sysgate::policy
