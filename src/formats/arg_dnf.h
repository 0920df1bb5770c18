// Conditions rewritten for formats whose argument tests are libseccomp's: 64-bit unsigned
// comparisons (==, !=, <, <=, >, >=, and (arg & mask) == value), ANDed within one rule, at most
// one per argument (runc and crun turn two on one argument into an OR), rules ORed.
//
// Everything sysgate's conditions say is expressible that way, exactly: 32-bit and signed
// comparisons become masked compares on bit prefixes ((x & 0xfffff000) == 0x1000 for a block of
// values), != on 32 bits becomes "some bit differs", negation is pushed down to comparisons.
// The result can be large; callers give a limit on the number of terms.
#pragma once

#include <cstdint>
#include <vector>

#include "sysgate/policy.h"
#include "sysgate/result.h"

namespace sysgate::formats {

// One libseccomp comparison: arg[index] op value, or (arg & value) == value_two for kMaskedEq.
struct ArgLit {
  int index = 0;
  CmpOp op = CmpOp::kEq;  // kEq..kGe or kMaskedEq
  uint64_t value = 0;
  uint64_t value_two = 0;
  friend bool operator==(const ArgLit&, const ArgLit&) = default;
  friend auto operator<=>(const ArgLit&, const ArgLit&) = default;
};

bool EvalArgLit(const ArgLit& lit, uint64_t arg);

using ArgTerm = std::vector<ArgLit>;  // AND; sorted by index, at most one per index; {} = true
using ArgDnf = std::vector<ArgTerm>;  // OR; {} = false

inline ArgDnf DnfTrue() { return {ArgTerm{}}; }

// `cond` (or its negation) as a DNF; an error when it would exceed `max_terms` terms.
Result<ArgDnf> ConditionToDnf(const Condition& cond, bool negate, size_t max_terms);
// a AND b, with literals on one argument intersected.
Result<ArgDnf> DnfAnd(const ArgDnf& a, const ArgDnf& b, size_t max_terms);

bool EvalDnf(const ArgDnf& dnf, const std::array<uint64_t, 6>& args);

}  // namespace sysgate::formats
