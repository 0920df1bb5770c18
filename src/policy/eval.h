// Evaluating conditions on argument values: the one definition of what a comparison means,
// shared by the reference interpreter and the policy checks.
#pragma once

#include <array>
#include <cstdint>

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

}  // namespace sysgate::policy
