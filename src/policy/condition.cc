#include "sysgate/policy.h"

namespace sysgate {

std::optional<uint64_t> Operand::On(Arch abi) const {
  if (!per_abi) return value;
  const auto i = static_cast<size_t>(abi);
  if (per_abi->missing & (uint32_t{1} << i)) return std::nullopt;
  return per_abi->values[i];
}

bool operator==(const Operand& a, const Operand& b) {
  if (a.value != b.value) return false;
  if (!a.per_abi && !b.per_abi) return true;
  for (Arch abi : AllArches()) {
    if (a.On(abi) != b.On(abi)) return false;
  }
  return true;
}

Condition Condition::Compare(Comparison c) {
  Condition out;
  out.kind_ = Kind::kCompare;
  out.cmp_ = std::move(c);
  return out;
}

Condition Condition::And(std::vector<Condition> children) {
  return Nary(Kind::kAnd, std::move(children));
}

Condition Condition::Or(std::vector<Condition> children) {
  return Nary(Kind::kOr, std::move(children));
}

Condition Condition::Nary(Kind kind, std::vector<Condition> children) {
  Condition out;
  out.kind_ = kind;
  for (Condition& c : children) {
    if (c.kind_ == kind) {  // flatten: And(a, And(b, c)) == And(a, b, c)
      for (Condition& g : c.children_) out.children_.push_back(std::move(g));
    } else {
      out.children_.push_back(std::move(c));
    }
  }
  return out;
}

Condition Condition::Not(Condition child) {
  Condition out;
  out.kind_ = Kind::kNot;
  out.children_.push_back(std::move(child));
  return out;
}

Condition operator&&(Condition a, Condition b) {
  std::vector<Condition> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return Condition::And(std::move(v));
}

Condition operator||(Condition a, Condition b) {
  std::vector<Condition> v;
  v.push_back(std::move(a));
  v.push_back(std::move(b));
  return Condition::Or(std::move(v));
}

Condition operator!(Condition a) { return Condition::Not(std::move(a)); }

std::string_view CmpOpSymbol(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "==";
    case CmpOp::kNe: return "!=";
    case CmpOp::kLt: return "<";
    case CmpOp::kLe: return "<=";
    case CmpOp::kGt: return ">";
    case CmpOp::kGe: return ">=";
    case CmpOp::kMaskedEq: return "&";
    case CmpOp::kIn: return "in";
    case CmpOp::kRange: return "..";
  }
  return "?";
}

}  // namespace sysgate
