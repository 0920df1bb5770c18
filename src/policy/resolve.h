// Resolution: turns the arguments that conditions name into indices, widths and signedness
// from the syscall signature table, and normalises constants to the argument's width.
#pragma once

#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

// Resolves every condition of `policy` in place; returns errors for a policy over sysgate's
// size limits (size_limits.h; nothing is resolved then), names that do not
// resolve, indices out of range, widths that disagree between a rule's syscalls, and
// constants that do not fit a 32-bit argument.
std::vector<Diagnostic> Resolve(Policy& policy);

// The syscall names a rule's set covers on any arch (groups expanded), for signature lookups.
std::vector<std::string_view> RuleSyscallNames(const Rule& rule);

}  // namespace sysgate::policy
