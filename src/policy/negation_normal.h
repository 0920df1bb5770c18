// A condition with its negations pushed down to the comparisons (De Morgan), folded into
// whatever the caller builds from it: the one walk behind the policy checks' normal form
// (policy/satisfiable.cc) and libseccomp's argument rules (formats/arg_dnf.cc).
//
//   struct Count {  // how many comparisons, or nothing past 100
//     std::optional<int> Leaf(const Comparison&, bool negated) { return 1; }
//     int Identity(bool conj) { return 0; }
//     std::optional<int> Combine(bool conj, int acc, int next) {
//       return acc + next > 100 ? std::nullopt : std::optional(acc + next);
//     }
//   } count;
//   std::optional<int> n = FoldNegationNormal(cond, /*negate=*/false, count);
#pragma once

#include <utility>

#include "sysgate/policy.h"

namespace sysgate::policy {

// `c`, or !c when `negate`, as a fold over its comparisons: a `not` flips `negate`, and an
// `and` under an odd number of nots is an `or` (and the other way round). Each comparison is
// v.Leaf(cmp, negated); the children of a conjunction (conj true) or a disjunction are folded
// from v.Identity(conj) with v.Combine(conj, acc, child), in order. Leaf and Combine return R,
// a value or why there is none (std::optional, Result: a bool test and operator*); the first
// that has none is the result.
template <class Visitor>
auto FoldNegationNormal(const Condition& c, bool negate, Visitor& v)
    -> decltype(v.Leaf(c.comparison(), negate)) {
  using K = Condition::Kind;
  if (c.kind() == K::kCompare) return v.Leaf(c.comparison(), negate);
  if (c.kind() == K::kNot) return FoldNegationNormal(c.children().front(), !negate, v);
  const bool conj = (c.kind() == K::kAnd) != negate;  // De Morgan
  auto acc = v.Identity(conj);
  for (const Condition& child : c.children()) {
    auto sub = FoldNegationNormal(child, negate, v);
    if (!sub) return sub;
    auto next = v.Combine(conj, std::move(acc), std::move(*sub));
    if (!next) return next;
    acc = std::move(*next);
  }
  return acc;
}

}  // namespace sysgate::policy
