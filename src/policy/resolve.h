// Resolution: turns the arguments that conditions name into indices, widths and signedness
// from the syscall signature table, and normalises constants to the argument's width.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

// Resolves every condition of `policy` in place; returns errors for a policy over sysgate's
// size limits (size_limits.h; nothing is resolved then), names that do not
// resolve, indices out of range, widths that disagree between a rule's syscalls, and
// constants that do not fit a 32-bit argument.
std::vector<Diagnostic> Resolve(Policy& policy);

// True if `v` is a 32-bit value, as int32 (sign-extended) or uint32.
bool FitsIn32Bits(uint64_t v);

// Brings a comparison's constants into its argument's domain (32-bit arguments keep the low 32
// bits), sorts the values of `in` and drops repeats. An error when a constant does not fit a
// 32-bit argument or a range is empty; `where` (" on i386") goes into its message.
std::optional<std::string> NormaliseOperands(Comparison& cmp, std::string_view where);

// The syscall names a rule's set covers on any arch (groups expanded), for signature lookups.
std::vector<std::string_view> RuleSyscallNames(const Rule& rule);

}  // namespace sysgate::policy
