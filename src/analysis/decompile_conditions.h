// From what a path of a program knows about the argument words to a policy condition: the two
// 32-bit halves of each argument merged back into 64-bit comparisons where they can be, and the
// paths of one verdict merged into sets and ranges.
#pragma once

#include <string>
#include <vector>

#include "analysis/decompile_paths.h"
#include "sysgate/policy.h"

namespace sysgate::analysis::decompile {

// The condition under which one of `paths` (all of one syscall on `abi`) is taken: an OR of
// the paths, each an AND over the arguments; nullopt when one of them tests no argument.
std::optional<Condition> PathsCondition(const std::vector<const Leaf*>& paths, Arch abi);

// A stable text of a condition, for grouping rules with equal conditions.
std::string ConditionKey(const Condition& c);

}  // namespace sysgate::analysis::decompile
