#include "policy/eval.h"

#include "base/check.h"

namespace sysgate::policy {

uint64_t ArgValue(const ArgRef& arg, const std::array<uint64_t, 6>& args) {
  SG_CHECK(arg.index >= 0 && arg.index < 6 && arg.hi_index < 6,
           "unresolved argument in a condition");
  const uint64_t raw = args[static_cast<size_t>(arg.index)];
  if (arg.hi_index >= 0)
    return args[static_cast<size_t>(arg.hi_index)] << 32 | (raw & 0xffffffffULL);
  return arg.width == Width::k32 ? (raw & 0xffffffffULL) : raw;
}

bool ArgLess(const ArgRef& arg, uint64_t a, uint64_t b) {
  if (!arg.is_signed) return a < b;
  if (arg.width == Width::k32) return static_cast<int32_t>(a) < static_cast<int32_t>(b);
  return static_cast<int64_t>(a) < static_cast<int64_t>(b);
}

bool EvalComparison(const Comparison& cmp, uint64_t x) {
  const auto& ops = cmp.operands;
  auto need = [&](size_t n) { SG_CHECK(ops.size() == n, "comparison with wrong operand count"); };
  switch (cmp.op) {
    case CmpOp::kEq: need(1); return x == ops[0].value;
    case CmpOp::kNe: need(1); return x != ops[0].value;
    case CmpOp::kLt: need(1); return ArgLess(cmp.arg, x, ops[0].value);
    case CmpOp::kLe: need(1); return !ArgLess(cmp.arg, ops[0].value, x);
    case CmpOp::kGt: need(1); return ArgLess(cmp.arg, ops[0].value, x);
    case CmpOp::kGe: need(1); return !ArgLess(cmp.arg, x, ops[0].value);
    case CmpOp::kMaskedEq: need(2); return (x & ops[0].value) == ops[1].value;
    case CmpOp::kIn:
      for (const Operand& o : ops) {
        if (x == o.value) return true;
      }
      return false;
    case CmpOp::kRange:
      need(2);
      return !ArgLess(cmp.arg, x, ops[0].value) && !ArgLess(cmp.arg, ops[1].value, x);
  }
  return false;
}

bool EvalCondition(const Condition& cond, const std::array<uint64_t, 6>& args) {
  switch (cond.kind()) {
    case Condition::Kind::kCompare: {
      const Comparison& c = cond.comparison();
      return EvalComparison(c, ArgValue(c.arg, args));
    }
    case Condition::Kind::kAnd:
      for (const Condition& c : cond.children()) {
        if (!EvalCondition(c, args)) return false;
      }
      return true;
    case Condition::Kind::kOr:
      for (const Condition& c : cond.children()) {
        if (EvalCondition(c, args)) return true;
      }
      return false;
    case Condition::Kind::kNot: return !EvalCondition(cond.children().front(), args);
  }
  return false;
}

std::vector<uint64_t> BoundaryValues(const Comparison& cmp) {
  std::vector<uint64_t> base;
  for (const Operand& o : cmp.operands) base.push_back(o.value);
  if (cmp.op == CmpOp::kMaskedEq && cmp.operands.size() == 2) {
    uint64_t m = cmp.operands[0].value, v = cmp.operands[1].value;
    base.push_back(v | ~m);
    base.push_back(v ^ (m & (~m + 1)));  // flip the lowest bit the mask looks at
  }
  std::vector<uint64_t> out;
  out.reserve(base.size() * 3);
  for (uint64_t v : base) {
    for (uint64_t x : {v, v + 1, v - 1}) out.push_back(x);
  }
  return out;
}

}  // namespace sysgate::policy
