#include "analysis/decompile_conditions.h"

#include <algorithm>

#include <fmt/format.h>

namespace sysgate::analysis::decompile {
namespace {

using Ranges64 = std::vector<std::pair<uint64_t, uint64_t>>;
constexpr uint64_t kHigh = 0xffffffff00000000ULL;
constexpr size_t kMaxMergedPaths = 300;  // paths of one verdict merged pairwise at most

ArgRef Arg(int index, Width width) {
  ArgRef a;
  a.index = index;
  a.width = width;
  a.explicit_type = true;
  return a;
}

Condition Compare(const ArgRef& arg, CmpOp op, std::vector<uint64_t> values) {
  Comparison c;
  c.arg = arg;
  c.op = op;
  for (uint64_t v : values) c.operands.push_back({v, {}, nullptr});
  return Condition::Compare(std::move(c));
}

Condition MaskedEq(const ArgRef& arg, uint64_t mask, uint64_t value) {
  return Compare(arg, CmpOp::kMaskedEq, {mask, value});
}

// arg's value lies in `set` (sorted, disjoint, within the width's range, not empty).
Condition InSet(const ArgRef& arg, const Ranges64& set) {
  const uint64_t max = arg.width == Width::k32 ? 0xffffffffULL : ~0ULL;
  auto one = [&](uint64_t lo, uint64_t hi) {
    if (lo == hi) return Compare(arg, CmpOp::kEq, {lo});
    if (lo == 0) return Compare(arg, CmpOp::kLe, {hi});
    if (hi == max) return Compare(arg, CmpOp::kGe, {lo});
    return Compare(arg, CmpOp::kRange, {lo, hi});
  };
  if (set.size() == 1 && (set[0].second - set[0].first >= 4 || set[0].first == set[0].second)) {
    return one(set[0].first, set[0].second);
  }
  auto points = [](const Ranges64& s) {
    return std::ranges::all_of(s, [](const auto& r) { return r.first == r.second; });
  };
  // The complement, when it is a few values: `!= X`, `not in {...}`.
  Ranges64 comp;
  uint64_t next = 0;
  bool wrapped = false;
  for (const auto& [lo, hi] : set) {
    if (lo > next) comp.push_back({next, lo - 1});
    if (hi == max)
      wrapped = true;
    else
      next = hi + 1;
  }
  if (!wrapped) comp.push_back({next, max});
  auto list = [&](const Ranges64& s) {
    std::vector<uint64_t> v;
    for (const auto& r : s) v.push_back(r.first);
    return v;
  };
  if (points(comp) && comp.size() <= set.size()) {
    if (comp.size() == 1) return Compare(arg, CmpOp::kNe, {comp[0].first});
    return Condition::Not(Compare(arg, CmpOp::kIn, list(comp)));
  }
  if (points(set)) return Compare(arg, CmpOp::kIn, list(set));
  // A few values read better listed than as ranges.
  uint64_t count = 0;
  for (const auto& [lo, hi] : set) count += hi - lo + 1 > 16 ? 17 : hi - lo + 1;
  if (count <= 16) {
    std::vector<uint64_t> v;
    for (const auto& [lo, hi] : set) {
      for (uint64_t x = lo; x <= hi; ++x) v.push_back(x);
    }
    return Compare(arg, CmpOp::kIn, v);
  }
  std::vector<Condition> alts;
  for (const auto& [lo, hi] : set) alts.push_back(one(lo, hi));
  return Condition::Or(std::move(alts));
}

Ranges64 Ranges(const ValueSet& s, int shift, uint64_t fill, uint64_t base) {
  Ranges64 out;
  for (const auto& [lo, hi] : s.ranges()) {
    out.push_back({base | (uint64_t{lo} << shift), base | (uint64_t{hi} << shift) | fill});
  }
  return out;
}

// One argument's part of one path's condition. A `pure` part is a rectangle of the argument's
// values, a set of high halves times a set of low halves, which paths can merge; otherwise a
// list of comparisons.
struct ArgPart {
  bool constrained = false;
  bool pure = true;
  ValueSet hi, lo;
  std::vector<Condition> conds;
  std::string key;
};

// The bit facts of one half as comparisons (`shift` 32 for the high half, read at 64 bits).
void BitFacts(const WordFacts& w, const ArgRef& arg, int shift, std::vector<Condition>& out) {
  auto up = [&](uint32_t v) { return uint64_t{v} << shift; };
  if (w.known_mask != 0) out.push_back(MaskedEq(arg, up(w.known_mask), up(w.known_bits)));
  for (auto [m, k] : w.masked_ne) out.push_back(Condition::Not(MaskedEq(arg, up(m), up(k))));
  for (uint32_t m : w.any_set) out.push_back(Condition::Not(MaskedEq(arg, up(m), 0)));
}

// The high half of a 64-bit argument lies in `hi`. Each comparison has a constant beyond 32
// bits, so that no ABI reads only the low half for it.
Condition HighHalf(const ArgRef& a64, const ValueSet& hi) {
  if (auto h = hi.Single()) return MaskedEq(a64, kHigh, uint64_t{*h} << 32);
  ValueSet rest = ValueSet::All().Minus(hi);
  if (auto h = rest.Single()) return Condition::Not(MaskedEq(a64, kHigh, uint64_t{*h} << 32));
  std::vector<Condition> alts;
  for (const auto& [lo, hi_end] : hi.ranges()) {
    if (lo == 0 && hi_end == 0)
      alts.push_back(MaskedEq(a64, kHigh, 0));
    else
      alts.push_back(InSet(a64, Ranges(ValueSet::Of(lo, hi_end), 32, 0xffffffffULL, 0)));
  }
  return alts.size() == 1 ? alts[0] : Condition::Or(std::move(alts));
}

// The comparisons of a rectangle.
std::vector<Condition> RectangleConditions(int i, const ValueSet& hi, const ValueSet& lo,
                                           bool ilp32) {
  const ArgRef a32 = Arg(i, Width::k32), a64 = Arg(i, Width::k64);
  if (hi.IsAll()) return {InSet(a32, Ranges(lo, 0, 0, 0))};
  if (!ilp32 && hi.Single()) return {InSet(a64, Ranges(lo, 0, 0, uint64_t{*hi.Single()} << 32))};
  if (!ilp32 && lo.IsAll() && !hi.Single()) return {InSet(a64, Ranges(hi, 32, 0xffffffffULL, 0))};
  std::vector<Condition> out;
  if (!lo.IsAll()) out.push_back(InSet(a32, Ranges(lo, 0, 0, 0)));
  out.push_back(HighHalf(a64, hi));
  return out;
}

ArgPart MakeArgPart(const Leaf& leaf, Arch abi, int i) {
  const ArchInfo& info = Info(abi);
  const bool le = info.endian == Endian::kLittle;
  const WordFacts& lo = leaf.words[static_cast<size_t>(4 + 2 * i + (le ? 0 : 1))];
  const WordFacts& hi = leaf.words[static_cast<size_t>(4 + 2 * i + (le ? 1 : 0))];
  ArgPart p;
  if (lo.Unconstrained() && hi.Unconstrained()) return p;
  p.constrained = true;
  p.hi = hi.range;
  p.lo = lo.range;
  if (!lo.HasBitFacts() && !hi.HasBitFacts()) return p;
  p.pure = false;
  // A 64-bit comparison of a 32-bit ABI's argument reads only its low half when the constants
  // fit (policy-language.md): the halves stay apart there.
  const bool ilp32 = info.word_bits == 32;
  const ArgRef a32 = Arg(i, Width::k32), a64 = Arg(i, Width::k64);
  if (!ilp32 && hi.known_mask != 0 && lo.range.IsAll() && hi.range.IsAll() &&
      lo.masked_ne.empty() && hi.masked_ne.empty() && lo.any_set.empty() && hi.any_set.empty()) {
    p.conds.push_back(MaskedEq(a64, uint64_t{hi.known_mask} << 32 | lo.known_mask,
                               uint64_t{hi.known_bits} << 32 | lo.known_bits));
    return p;
  }
  if (!lo.range.IsAll() || !hi.range.IsAll())
    p.conds = RectangleConditions(i, hi.range, lo.range, ilp32);
  BitFacts(lo, a32, 0, p.conds);
  BitFacts(hi, a64, 32, p.conds);
  return p;
}

std::string OperandsKey(const Comparison& c) {
  std::vector<uint64_t> v;
  for (const Operand& o : c.operands) v.push_back(o.value);
  return fmt::format("{}", fmt::join(v, ","));
}

std::string PartKey(const ArgPart& p) {
  if (!p.constrained) return "-";
  if (p.pure) {
    std::vector<std::string> h, l;
    for (auto [lo, hi] : p.hi.ranges()) h.push_back(fmt::format("{}-{}", lo, hi));
    for (auto [lo, hi] : p.lo.ranges()) l.push_back(fmt::format("{}-{}", lo, hi));
    return fmt::format("[{}]x[{}]", fmt::join(h, ","), fmt::join(l, ","));
  }
  std::vector<std::string> k;
  for (const Condition& c : p.conds) k.push_back(ConditionKey(c));
  return fmt::format("{}", fmt::join(k, "&"));
}

ValueSet Union(const ValueSet& a, const ValueSet& b) {
  std::vector<ValueSet::Range> all = a.ranges();
  all.insert(all.end(), b.ranges().begin(), b.ranges().end());
  std::ranges::sort(all);
  return ValueSet::FromSorted(all);
}

using PathParts = std::vector<ArgPart>;  // by argument

// Merges paths whose rectangles differ in one argument and share a side there, until none do;
// first the merges that leave a side whole (which the language says shortest).
void MergePaths(std::vector<PathParts>& paths) {
  if (paths.size() > kMaxMergedPaths) return;
  for (bool only_whole : {true, false}) {
    for (bool changed = true; changed;) {
      changed = false;
      for (size_t j = 0; j < paths.size() && !changed; ++j) {
        for (size_t k = j + 1; k < paths.size() && !changed; ++k) {
          int differ = -1, count = 0;
          for (size_t i = 0; i < 6; ++i) {
            if (paths[j][i].key != paths[k][i].key) {
              differ = static_cast<int>(i);
              ++count;
            }
          }
          if (count == 0) {
            paths.erase(paths.begin() + static_cast<ptrdiff_t>(k));
            changed = true;
            break;
          }
          if (count != 1) continue;
          ArgPart& a = paths[j][static_cast<size_t>(differ)];
          const ArgPart& b = paths[k][static_cast<size_t>(differ)];
          if (!a.constrained || !b.constrained || !a.pure || !b.pure) continue;
          ValueSet hi = a.hi, lo = a.lo;
          if (a.hi == b.hi)
            lo = Union(a.lo, b.lo);
          else if (a.lo == b.lo)
            hi = Union(a.hi, b.hi);
          else
            continue;
          if (only_whole && !hi.IsAll() && !lo.IsAll()) continue;
          a.hi = hi;
          a.lo = lo;
          a.constrained = !(hi.IsAll() && lo.IsAll());
          a.key = PartKey(a);
          paths.erase(paths.begin() + static_cast<ptrdiff_t>(k));
          changed = true;
        }
      }
    }
  }
}

}  // namespace

std::string ConditionKey(const Condition& c) {
  using K = Condition::Kind;
  switch (c.kind()) {
    case K::kCompare: {
      const Comparison& x = c.comparison();
      return fmt::format("{}{}:{}{}", x.arg.index, x.arg.width == Width::k32 ? "w" : "d",
                         static_cast<int>(x.op), "(" + OperandsKey(x) + ")");
    }
    case K::kNot: return "!" + ConditionKey(c.children()[0]);
    case K::kAnd:
    case K::kOr: {
      std::vector<std::string> parts;
      for (const Condition& ch : c.children()) parts.push_back(ConditionKey(ch));
      return fmt::format("{}({})", c.kind() == K::kAnd ? "and" : "or", fmt::join(parts, ","));
    }
  }
  return "";
}

std::optional<Condition> PathsCondition(const std::vector<const Leaf*>& leaves, Arch abi) {
  std::vector<PathParts> paths;
  for (const Leaf* leaf : leaves) {
    PathParts parts;
    for (int i = 0; i < 6; ++i) {
      parts.push_back(MakeArgPart(*leaf, abi, i));
      parts.back().key = PartKey(parts.back());
    }
    paths.push_back(std::move(parts));
  }
  MergePaths(paths);
  std::vector<Condition> alts;
  for (const PathParts& parts : paths) {
    std::vector<Condition> all;
    for (size_t i = 0; i < parts.size(); ++i) {
      const ArgPart& p = parts[i];
      if (!p.constrained) continue;
      std::vector<Condition> c =
          p.pure ? RectangleConditions(static_cast<int>(i), p.hi, p.lo, Info(abi).word_bits == 32)
                 : p.conds;
      all.insert(all.end(), c.begin(), c.end());
    }
    if (all.empty()) return std::nullopt;
    alts.push_back(all.size() == 1 ? all[0] : Condition::And(std::move(all)));
  }
  return alts.size() == 1 ? alts[0] : Condition::Or(std::move(alts));
}

}  // namespace sysgate::analysis::decompile
