// Evaluating conditions on argument values: the one definition of what a comparison means,
// shared by the reference interpreter and the policy checks.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

// The value of `arg` as the comparison sees it: the low 32 bits for 32-bit arguments; for a
// 64-bit value in two registers, the low words of both.
uint64_t ArgValue(const ArgRef& arg, const std::array<uint64_t, 6>& args);

// a < b in the argument's width and signedness (both already in its domain).
bool ArgLess(const ArgRef& arg, uint64_t a, uint64_t b);

// `x` is the argument's value (ArgValue).
bool EvalComparison(const Comparison& cmp, uint64_t x);
bool EvalCondition(const Condition& cond, const std::array<uint64_t, 6>& args);

// The values at which `cmp` can change between true and false: each operand and its two
// neighbours (x - 1, x + 1, wrapping); for kMaskedEq with mask m and value v also v | ~m (every
// bit the mask ignores set) and v with m's lowest bit flipped, each with its neighbours. As
// 64-bit numbers, not reduced to the argument's width. The one list of boundary values:
// MaybeSatisfiable tries them (with the width's extremes), analysis::ForEachBoundaryInput
// puts them in registers (with the ways a kernel can fill the upper halves).
std::vector<uint64_t> BoundaryValues(const Comparison& cmp);

}  // namespace sysgate::policy
