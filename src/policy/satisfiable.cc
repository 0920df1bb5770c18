#include "policy/satisfiable.h"

#include <algorithm>
#include <map>
#include <optional>

#include "policy/eval.h"
#include "policy/negation_normal.h"

namespace sysgate::policy {
namespace {

struct Literal {
  const Comparison* cmp;
  bool negated;
};
using Term = std::vector<Literal>;  // a conjunction
constexpr size_t kMaxTerms = 512;

// Disjunctive normal form, negations pushed to the literals. nullopt if it grows too large.
struct DnfBuilder {
  std::optional<std::vector<Term>> Leaf(const Comparison& cmp, bool negated) {
    return std::vector<Term>{{Literal{&cmp, negated}}};
  }
  std::vector<Term> Identity(bool conj) {
    return conj ? std::vector<Term>{Term{}} : std::vector<Term>{};
  }
  std::optional<std::vector<Term>> Combine(bool conj, std::vector<Term> acc,
                                           std::vector<Term> sub) {
    if (!conj) {
      acc.insert(acc.end(), sub.begin(), sub.end());
      if (acc.size() > kMaxTerms) return std::nullopt;
      return acc;
    }
    std::vector<Term> next;
    for (const Term& a : acc) {
      for (const Term& b : sub) {
        Term t = a;
        t.insert(t.end(), b.begin(), b.end());
        next.push_back(std::move(t));
        if (next.size() > kMaxTerms) return std::nullopt;
      }
    }
    return next;
  }
};

// Can one value of one argument satisfy all `lits`? Values that can be the smallest member of
// a set built from intervals and finitely many excluded points are the constants, their
// neighbours and the extremes, so for non-mask literals trying those is a proof either way.
bool ArgSatisfiable(const std::vector<Literal>& lits) {
  const ArgRef& arg = lits.front().cmp->arg;
  const uint64_t umax = arg.width == Width::k32 ? 0xffffffffULL : ~0ULL;
  std::vector<uint64_t> cands = {0, umax};
  if (arg.is_signed) {
    uint64_t smin = arg.width == Width::k32 ? 0x80000000ULL : (1ULL << 63);
    cands.push_back(smin);
    cands.push_back(smin - 1);
  }
  bool has_mask = false;
  for (const Literal& l : lits) {
    if (l.cmp->op == CmpOp::kMaskedEq) has_mask = true;
    for (uint64_t v : BoundaryValues(*l.cmp)) cands.push_back(v & umax);
  }
  for (uint64_t x : cands) {
    bool ok = std::ranges::all_of(
        lits, [&](const Literal& l) { return EvalComparison(*l.cmp, x) != l.negated; });
    if (ok) return true;
  }
  if (!has_mask) return false;
  // With masks the candidates are not a proof; only report plain contradictions among them.
  for (const Literal& l : lits) {
    if (l.cmp->op != CmpOp::kMaskedEq || l.negated) continue;
    uint64_t m = l.cmp->operands[0].value, v = l.cmp->operands[1].value;
    if ((v & ~m) != 0) return false;  // the value has bits the mask clears
    for (const Literal& o : lits) {
      if (o.cmp->op != CmpOp::kMaskedEq || o.negated) continue;
      uint64_t m2 = o.cmp->operands[0].value, v2 = o.cmp->operands[1].value;
      if (((v ^ v2) & m & m2) != 0) return false;
    }
  }
  return true;
}

bool TermSatisfiable(const Term& term) {
  // Literals on different arguments are independent; one argument read at two different
  // widths is not reasoned about (assumed satisfiable).
  std::map<int, std::vector<Literal>> by_arg;
  for (const Literal& l : term) by_arg[l.cmp->arg.index].push_back(l);
  for (auto& [idx, lits] : by_arg) {
    const ArgRef& a = lits.front().cmp->arg;
    bool same_type = std::ranges::all_of(lits, [&](const Literal& l) {
      return l.cmp->arg.width == a.width && l.cmp->arg.is_signed == a.is_signed;
    });
    if (same_type && !ArgSatisfiable(lits)) return false;
  }
  return true;
}

}  // namespace

bool MaybeSatisfiable(const Condition& cond) {
  DnfBuilder dnf;
  auto terms = FoldNegationNormal(cond, /*negate=*/false, dnf);
  if (!terms) return true;
  return std::ranges::any_of(*terms, TermSatisfiable);
}

}  // namespace sysgate::policy
