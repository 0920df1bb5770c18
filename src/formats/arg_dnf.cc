#include "formats/arg_dnf.h"

#include <algorithm>
#include <array>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "policy/negation_normal.h"

namespace sysgate::formats {
namespace {

constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();

// A set of values given as (x & mask) == value, the form every literal can be split into.
struct Ternary {
  uint64_t mask;
  uint64_t value;
};

std::optional<ArgLit> LitOfTernary(int index, Ternary t) {
  if (t.mask == 0) return std::nullopt;  // always true: no literal
  if (t.mask == kMax) return ArgLit{index, CmpOp::kEq, t.value, 0};
  return ArgLit{index, CmpOp::kMaskedEq, t.mask, t.value};
}

// The blocks of [lo, hi] (unsigned, `bits` wide; `flip` is the sign bit for signed domains,
// already applied to lo and hi) as prefixes: at most 2 * bits of them.
std::vector<Ternary> Prefixes(uint64_t lo, uint64_t hi, int bits, uint64_t flip) {
  const uint64_t domain = bits == 64 ? kMax : (uint64_t{1} << bits) - 1;
  std::vector<Ternary> out;
  while (true) {
    // The largest aligned block starting at lo that stays within hi.
    int k = 0;
    while (k < bits) {
      uint64_t size = uint64_t{1} << k;  // try doubling to 2 * size
      if (lo & size) break;              // lo not aligned to 2 * size
      uint64_t last = lo + (size << 1) - 1;
      if (k + 1 < 64 && last > hi) break;
      if (k + 1 == 64 && !(lo == 0 && hi == kMax)) break;
      ++k;
    }
    uint64_t block_mask = k == 64 ? kMax : (uint64_t{1} << k) - 1;
    uint64_t mask = domain & ~block_mask;
    out.push_back({mask, (lo ^ flip) & mask});
    uint64_t last = lo | block_mask;
    if (last >= hi) break;
    lo = last + 1;
  }
  return out;
}

// The values of `lit` as ternaries.
std::vector<Ternary> TernariesOf(const ArgLit& l) {
  switch (l.op) {
    case CmpOp::kEq: return {{kMax, l.value}};
    case CmpOp::kNe: {
      std::vector<Ternary> out;
      for (int i = 0; i < 64; ++i) {
        uint64_t bit = uint64_t{1} << i;
        out.push_back({bit, ~l.value & bit});
      }
      return out;
    }
    case CmpOp::kMaskedEq:
      if (l.value_two & ~l.value) return {};
      return {{l.value, l.value_two}};
    case CmpOp::kLt: return l.value == 0 ? std::vector<Ternary>{} : Prefixes(0, l.value - 1, 64, 0);
    case CmpOp::kLe: return Prefixes(0, l.value, 64, 0);
    case CmpOp::kGt:
      return l.value == kMax ? std::vector<Ternary>{} : Prefixes(l.value + 1, kMax, 64, 0);
    case CmpOp::kGe: return Prefixes(l.value, kMax, 64, 0);
    default: return {};
  }
}

// [lo, hi] of a bound literal; false when empty.
bool BoundInterval(const ArgLit& l, uint64_t& lo, uint64_t& hi) {
  lo = 0;
  hi = kMax;
  switch (l.op) {
    case CmpOp::kLt:
      if (l.value == 0) return false;
      hi = l.value - 1;
      return true;
    case CmpOp::kLe: hi = l.value; return true;
    case CmpOp::kGt:
      if (l.value == kMax) return false;
      lo = l.value + 1;
      return true;
    case CmpOp::kGe: lo = l.value; return true;
    default: return false;
  }
}

// An unsigned 64-bit interval as literals (native bounds where one side is open).
ArgDnf Interval64(int index, uint64_t lo, uint64_t hi) {
  if (lo > hi) return {};
  if (lo == 0 && hi == kMax) return DnfTrue();
  if (lo == hi) return {{ArgLit{index, CmpOp::kEq, lo, 0}}};
  if (lo == 0) return {{ArgLit{index, CmpOp::kLe, hi, 0}}};
  if (hi == kMax) return {{ArgLit{index, CmpOp::kGe, lo, 0}}};
  ArgDnf out;
  for (Ternary t : Prefixes(lo, hi, 64, 0)) out.push_back({*LitOfTernary(index, t)});
  return out;
}

using Intervals = std::vector<std::pair<uint64_t, uint64_t>>;

// The values of a literal other than kMaskedEq as sorted, disjoint intervals.
Intervals IntervalsOf(const ArgLit& l) {
  if (l.op == CmpOp::kEq) return {{l.value, l.value}};
  if (l.op == CmpOp::kNe) {
    Intervals out;
    if (l.value > 0) out.emplace_back(0, l.value - 1);
    if (l.value < kMax) out.emplace_back(l.value + 1, kMax);
    return out;
  }
  uint64_t lo, hi;
  if (!BoundInterval(l, lo, hi)) return {};
  return {{lo, hi}};
}

// Two literals on one argument, intersected.
ArgDnf Intersect(const ArgLit& a, const ArgLit& b) {
  if (a == b) return {{a}};
  if (a.op == CmpOp::kEq) return EvalArgLit(b, a.value) ? ArgDnf{{a}} : ArgDnf{};
  if (b.op == CmpOp::kEq) return EvalArgLit(a, b.value) ? ArgDnf{{b}} : ArgDnf{};
  if (a.op != CmpOp::kMaskedEq && b.op != CmpOp::kMaskedEq) {
    ArgDnf out;
    for (auto [lo1, hi1] : IntervalsOf(a)) {
      for (auto [lo2, hi2] : IntervalsOf(b)) {
        ArgDnf part = Interval64(a.index, std::max(lo1, lo2), std::min(hi1, hi2));
        out.insert(out.end(), part.begin(), part.end());
      }
    }
    return out;
  }
  ArgDnf out;
  for (Ternary x : TernariesOf(a)) {
    for (Ternary y : TernariesOf(b)) {
      if ((x.value ^ y.value) & x.mask & y.mask) continue;  // disagree on a bit both fix
      auto lit = LitOfTernary(a.index, {x.mask | y.mask, x.value | y.value});
      out.push_back(lit ? ArgTerm{*lit} : ArgTerm{});
    }
  }
  return out;
}

// A term AND a term: the literals merged by index; several terms when an intersection splits.
ArgDnf TermAnd(const ArgTerm& a, const ArgTerm& b) {
  ArgDnf acc = {ArgTerm{}};
  size_t i = 0, j = 0;
  auto append = [&](const ArgDnf& alts) {
    ArgDnf next;
    for (const ArgTerm& t : acc) {
      for (const ArgTerm& alt : alts) {
        ArgTerm u = t;
        u.insert(u.end(), alt.begin(), alt.end());
        next.push_back(std::move(u));
      }
    }
    acc = std::move(next);
  };
  while (i < a.size() || j < b.size()) {
    if (j == b.size() || (i < a.size() && a[i].index < b[j].index)) {
      append({{a[i++]}});
    } else if (i == a.size() || b[j].index < a[i].index) {
      append({{b[j++]}});
    } else {
      append(Intersect(a[i++], b[j++]));
    }
    if (acc.empty()) return {};
  }
  return acc;
}

void Dedupe(ArgDnf& d) {
  for (const ArgTerm& t : d) {
    if (t.empty()) {  // true absorbs everything
      d = DnfTrue();
      return;
    }
  }
  std::sort(d.begin(), d.end());
  d.erase(std::unique(d.begin(), d.end()), d.end());
}

void Append(ArgDnf& out, const ArgDnf& more) { out.insert(out.end(), more.begin(), more.end()); }

// The values of one argument in its width and signedness, and its sets of them as literals.
// Values are in the domain (the low 32 bits of a 32-bit argument); "order" is the argument's,
// signed or not.
class ArgDomain {
 public:
  explicit ArgDomain(const ArgRef& arg)
      : idx_(arg.index),
        narrow_(arg.width == Width::k32),
        domain_(narrow_ ? 0xffffffffULL : kMax),
        sign_(arg.is_signed ? (narrow_ ? 0x80000000ULL : 0x8000000000000000ULL) : 0) {}

  ArgDnf Eq(uint64_t x) const {
    return narrow_ ? ArgDnf{{ArgLit{idx_, CmpOp::kMaskedEq, domain_, x & domain_}}}
                   : ArgDnf{{ArgLit{idx_, CmpOp::kEq, x, 0}}};
  }
  ArgDnf Ne(uint64_t x) const {
    return narrow_ ? MaskedNe(domain_, x) : ArgDnf{{ArgLit{idx_, CmpOp::kNe, x, 0}}};
  }
  // Some bit of m differs from x.
  ArgDnf MaskedNe(uint64_t m, uint64_t x) const {
    ArgDnf out;
    for (int i = 0; i < 64; ++i) {
      uint64_t bit = uint64_t{1} << i;
      if (m & bit) out.push_back({ArgLit{idx_, CmpOp::kMaskedEq, bit, ~x & bit}});
    }
    return out;
  }
  // (arg & m) == x, or its negation.
  ArgDnf Masked(uint64_t m, uint64_t x, bool neg) const {
    m &= domain_;
    x &= domain_;
    if (x & ~m) return neg ? DnfTrue() : ArgDnf{};
    if (m == 0) return neg ? ArgDnf{} : DnfTrue();
    if (neg) return MaskedNe(m, x);
    if (!narrow_ && m == kMax) return Eq(x);
    return {{ArgLit{idx_, CmpOp::kMaskedEq, m, x}}};
  }

  // [lo, hi] in order.
  ArgDnf Interval(uint64_t lo, uint64_t hi) const {
    uint64_t flo = lo ^ sign_, fhi = hi ^ sign_;  // unsigned order after flipping the sign
    if (flo > fhi) return {};
    if (!narrow_) {
      if (sign_ == 0) return Interval64(idx_, lo, hi);
      // Signed 64-bit: both ends in one half stays one unsigned interval; else two.
      if ((lo ^ hi) >> 63 == 0) return Interval64(idx_, lo, hi);
      ArgDnf out = Interval64(idx_, lo, kMax);
      Append(out, Interval64(idx_, 0, hi));
      return out;
    }
    ArgDnf out;
    for (Ternary t : Prefixes(flo, fhi, 32, sign_)) {
      auto lit = LitOfTernary(idx_, t);
      out.push_back(lit ? ArgTerm{*lit} : ArgTerm{});
    }
    return out;
  }
  // The values before x in order (and x itself when inclusive); Above: after it.
  ArgDnf Below(uint64_t x, bool inclusive) const {
    if (!inclusive && x == Min()) return {};
    return Interval(Min(), inclusive ? x : ((x - 1) & domain_));
  }
  ArgDnf Above(uint64_t x, bool inclusive) const {
    if (!inclusive && x == Max()) return {};
    return Interval(inclusive ? x : ((x + 1) & domain_), Max());
  }
  // Outside [lo, hi].
  ArgDnf Outside(uint64_t lo, uint64_t hi) const {
    ArgDnf out = Below(lo, false);
    Append(out, Above(hi, false));
    return out;
  }

  ArgDnf In(const std::vector<Operand>& values) const {
    ArgDnf out;
    for (const Operand& o : values) Append(out, Eq(o.value));
    return out;
  }
  // None of `values`: the gaps between them, in order.
  ArgDnf NotIn(const std::vector<Operand>& values) const {
    std::vector<uint64_t> pts;
    for (const Operand& o : values) pts.push_back(o.value ^ sign_);
    std::sort(pts.begin(), pts.end());
    ArgDnf out;
    uint64_t lo = 0;  // flipped domain: 0 is the smallest value
    for (uint64_t p : pts) {
      if (p > lo) Append(out, Interval(lo ^ sign_, (p - 1) ^ sign_));
      if (p == domain_) return out;  // nothing after the largest value
      lo = p + 1;
    }
    Append(out, Interval(lo ^ sign_, domain_ ^ sign_));
    return out;
  }

 private:
  uint64_t Min() const { return sign_; }            // the smallest value in order
  uint64_t Max() const { return domain_ ^ sign_; }  // the largest

  int idx_;
  bool narrow_;
  uint64_t domain_;
  uint64_t sign_;  // the sign bit for a signed argument, else 0
};

// One comparison (or its negation) in the argument's width and signedness.
ArgDnf CompareToDnf(const Comparison& cmp, bool neg) {
  const ArgDomain d(cmp.arg);
  auto v = [&](size_t i) { return cmp.operands[i].value; };
  switch (cmp.op) {
    case CmpOp::kEq: return neg ? d.Ne(v(0)) : d.Eq(v(0));
    case CmpOp::kNe: return neg ? d.Eq(v(0)) : d.Ne(v(0));
    case CmpOp::kLt: return neg ? d.Above(v(0), true) : d.Below(v(0), false);
    case CmpOp::kLe: return neg ? d.Above(v(0), false) : d.Below(v(0), true);
    case CmpOp::kGt: return neg ? d.Below(v(0), true) : d.Above(v(0), false);
    case CmpOp::kGe: return neg ? d.Below(v(0), false) : d.Above(v(0), true);
    case CmpOp::kMaskedEq: return d.Masked(v(0), v(1), neg);
    case CmpOp::kIn: return neg ? d.NotIn(cmp.operands) : d.In(cmp.operands);
    case CmpOp::kRange: return neg ? d.Outside(v(0), v(1)) : d.Interval(v(0), v(1));
  }
  return {};
}

class Converter {
 public:
  explicit Converter(size_t max_terms) : max_(max_terms) {}

  Result<ArgDnf> Convert(const Condition& c, bool neg) {
    return policy::FoldNegationNormal(c, neg, *this);
  }

  // policy::FoldNegationNormal's visitor.
  Result<ArgDnf> Leaf(const Comparison& cmp, bool neg) { return Limit(CompareToDnf(cmp, neg)); }
  ArgDnf Identity(bool conj) const { return conj ? DnfTrue() : ArgDnf{}; }
  Result<ArgDnf> Combine(bool conj, ArgDnf acc, const ArgDnf& d) {
    if (conj) return And(acc, d);
    acc.insert(acc.end(), d.begin(), d.end());
    Dedupe(acc);
    return Limit(std::move(acc));
  }

  Result<ArgDnf> And(const ArgDnf& a, const ArgDnf& b) {
    ArgDnf out;
    for (const ArgTerm& x : a) {
      for (const ArgTerm& y : b) {
        ArgDnf t = TermAnd(x, y);
        out.insert(out.end(), t.begin(), t.end());
        if (out.size() > 4 * max_) Dedupe(out);
        if (out.size() > max_) return TooBig();
      }
    }
    Dedupe(out);
    return out;
  }

 private:
  Result<ArgDnf> Limit(ArgDnf d) {
    if (d.size() > max_) return TooBig();
    return d;
  }
  Error TooBig() const {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("the condition needs more than {} libseccomp argument rules", max_));
  }

  size_t max_;
};

}  // namespace

bool EvalArgLit(const ArgLit& l, uint64_t x) {
  switch (l.op) {
    case CmpOp::kEq: return x == l.value;
    case CmpOp::kNe: return x != l.value;
    case CmpOp::kLt: return x < l.value;
    case CmpOp::kLe: return x <= l.value;
    case CmpOp::kGt: return x > l.value;
    case CmpOp::kGe: return x >= l.value;
    case CmpOp::kMaskedEq: return (x & l.value) == l.value_two;
    default: return false;
  }
}

bool EvalDnf(const ArgDnf& dnf, const std::array<uint64_t, 6>& args) {
  return std::ranges::any_of(dnf, [&](const ArgTerm& t) {
    return std::ranges::all_of(
        t, [&](const ArgLit& l) { return EvalArgLit(l, args[static_cast<size_t>(l.index)]); });
  });
}

Result<ArgDnf> ConditionToDnf(const Condition& cond, bool negate, size_t max_terms) {
  return Converter(max_terms).Convert(cond, negate);
}

Result<ArgDnf> DnfAnd(const ArgDnf& a, const ArgDnf& b, size_t max_terms) {
  return Converter(max_terms).And(a, b);
}

}  // namespace sysgate::formats
