// Checks a resolved policy and reports what is wrong or suspicious, with locations.
//
// Errors: unknown syscalls and groups (with "did you mean"), errno outside 1..4095 (0 only
// with allow_errno_zero), trap/trace data over 16 bits, a syscall that exists on none of the
// arches its rule covers, an empty arch list.
// Warnings: a rule that can never apply (its syscalls are all decided by earlier rules, or its
// condition is never true), a named syscall already decided by an earlier unconditional rule
// with another action, a pointer argument compared by value, a raw syscall number in a policy
// for several arches, an arch guard naming an arch the policy does not target.
// Notes: a syscall missing on some of the arches.
#pragma once

#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

std::vector<Diagnostic> Validate(const Policy& policy);
// The fs/net/scope part (part of Validate): absolute paths without '.', '..' or globs, rights
// the policy handles, port ranges in order, the count limit; repeated rules are warnings.
std::vector<Diagnostic> ValidateAccessRules(const AccessRules& rules);

}  // namespace sysgate::policy
