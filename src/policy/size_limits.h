// sysgate's limits on a policy's size (sysgate/limits.h), checked before anything else looks
// at the policy, so that resolving, validating, compiling and converting stay quick on any
// input.
#pragma once

#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

// Errors for more than limits::kMaxRules rules, for a syscall (or group) named by more than
// limits::kMaxConditionalRulesPerSyscall rules with a condition, and for each rule whose
// condition has more
// than limits::kMaxConditionTerms comparisons, a set of more than limits::kMaxSetValues values,
// or nests deeper than limits::kMaxNesting.
std::vector<Diagnostic> CheckSizeLimits(const Policy& policy);

}  // namespace sysgate::policy
