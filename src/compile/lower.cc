#include "compile/lower.h"

#include <algorithm>
#include <bit>
#include <map>

#include "base/check.h"

namespace sysgate::compile {

using namespace bpf::op;
using Node = CodeGen::Node;

namespace {
constexpr uint32_t kSignBit = 0x80000000U;
uint32_t Hi(uint64_t v) { return static_cast<uint32_t>(v >> 32); }
uint32_t Lo(uint64_t v) { return static_cast<uint32_t>(v); }
}  // namespace

uint32_t ConditionLowering::LowWord(int index) const {
  return bpf::data::kArgs + 8 * static_cast<uint32_t>(index) + (endian_ == Endian::kLittle ? 0 : 4);
}
uint32_t ConditionLowering::LoOffset(const ArgRef& arg) const { return LowWord(arg.index); }
uint32_t ConditionLowering::HiOffset(const ArgRef& arg) const {
  // A 64-bit value in two registers has its high half in the low word of the other.
  if (arg.hi_index >= 0) return LowWord(arg.hi_index);
  return bpf::data::kArgs + 8 * static_cast<uint32_t>(arg.index) +
         (endian_ == Endian::kLittle ? 4 : 0);
}

Node ConditionLowering::Load(uint32_t offset, Node next) {
  return gen_.Stmt(kLd | kW | kAbs, offset, next);  // A = data[offset]
}

Node ConditionLowering::Search32(const std::vector<std::pair<uint32_t, Node>>& cases, size_t lo,
                                 size_t hi, Node f) {
  constexpr size_t kLinear = 5;  // up to this many, a run of JEQs is shorter and as fast
  if (hi - lo <= kLinear) {
    Node n = f;
    for (size_t i = hi; i-- > lo;)
      n = gen_.Jump(kJmp | kJeq | kK, cases[i].first, cases[i].second, n);
    return n;
  }
  size_t mid = lo + (hi - lo) / 2;
  Node right = Search32(cases, mid, hi, f);
  Node left = Search32(cases, lo, mid, f);
  return gen_.Jump(kJmp | kJge | kK, cases[mid].first, right, left);
}

Node ConditionLowering::Switch(const ArgRef& arg, std::vector<std::pair<uint64_t, Node>> cases,
                               Node f) {
  SG_CHECK(arg.index >= 0 && arg.index < 6 && arg.hi_index < 6, "unresolved argument");
  std::ranges::sort(cases);
  const uint32_t lo_off = LoOffset(arg);
  if (arg.width == Width::k32) {
    std::vector<std::pair<uint32_t, Node>> words;
    for (auto& [v, n] : cases) words.emplace_back(Lo(v), n);
    return Load(lo_off, Search32(words, 0, words.size(), f));
  }
  // Group by high word: search the high words, then each group's low words.
  std::vector<std::pair<uint32_t, Node>> groups;
  for (size_t i = 0; i < cases.size();) {
    size_t j = i;
    std::vector<std::pair<uint32_t, Node>> words;
    while (j < cases.size() && Hi(cases[j].first) == Hi(cases[i].first)) {
      words.emplace_back(Lo(cases[j].first), cases[j].second);
      ++j;
    }
    groups.emplace_back(Hi(cases[i].first), Load(lo_off, Search32(words, 0, words.size(), f)));
    i = j;
  }
  return Load(HiOffset(arg), Search32(groups, 0, groups.size(), f));
}

Node ConditionLowering::Condition(const sysgate::Condition& c, Node t, Node f) {
  using K = sysgate::Condition::Kind;
  switch (c.kind()) {
    case K::kCompare: return Compare(c.comparison(), t, f);
    case K::kNot: return Condition(c.children().front(), f, t);
    case K::kAnd: {  // a && b: a ? (b ? t : f) : f
      Node n = t;
      for (auto it = c.children().rbegin(); it != c.children().rend(); ++it)
        n = Condition(*it, n, f);
      return n;
    }
    case K::kOr: {  // a || b: a ? t : (b ? t : f)
      Node n = f;
      for (auto it = c.children().rbegin(); it != c.children().rend(); ++it)
        n = Condition(*it, t, n);
      return n;
    }
  }
  return f;
}

Node ConditionLowering::Compare(const Comparison& c, Node t, Node f) {
  SG_CHECK(c.arg.index >= 0 && c.arg.index < 6 && c.arg.hi_index < 6, "unresolved argument");
  if (c.arg.width == Width::k32) return Compare32(c, LoOffset(c.arg), t, f);
  return Compare64(c, t, f);
}

// A holds the (sign-flipped, for signed) word; v likewise.
Node ConditionLowering::Ordered32(CmpOp op, uint32_t v, Node t, Node f) {
  switch (op) {
    case CmpOp::kEq: return gen_.Jump(kJmp | kJeq | kK, v, t, f);
    case CmpOp::kNe: return gen_.Jump(kJmp | kJeq | kK, v, f, t);
    case CmpOp::kLt: return v == 0 ? f : gen_.Jump(kJmp | kJge | kK, v, f, t);  // !(x >= v)
    case CmpOp::kLe: return v == 0xffffffffU ? t : gen_.Jump(kJmp | kJgt | kK, v, f, t);
    case CmpOp::kGt: return v == 0xffffffffU ? f : gen_.Jump(kJmp | kJgt | kK, v, t, f);
    case CmpOp::kGe: return v == 0 ? t : gen_.Jump(kJmp | kJge | kK, v, t, f);
    default: SG_CHECK(false, "not an ordered comparison");
  }
  return f;
}

Node ConditionLowering::Masked32(uint32_t offset, uint32_t mask, uint32_t value, Node t, Node f) {
  if ((value & ~mask) != 0) return f;  // bits the mask clears can never match
  if (mask == 0) return t;             // (x & 0) == 0
  if (value == 0) {                    // LD; JSET mask -> f, t
    return Load(offset, gen_.Jump(kJmp | kJset | kK, mask, f, t));
  }
  if (value == mask && std::has_single_bit(mask)) {  // one bit set: LD; JSET bit -> t, f
    return Load(offset, gen_.Jump(kJmp | kJset | kK, mask, t, f));
  }
  if (mask == 0xffffffffU) return Load(offset, gen_.Jump(kJmp | kJeq | kK, value, t, f));
  // LD; AND mask; JEQ value
  return Load(offset, gen_.Stmt(kAlu | kAnd | kK, mask, gen_.Jump(kJmp | kJeq | kK, value, t, f)));
}

Node ConditionLowering::Compare32(const Comparison& c, uint32_t off, Node t, Node f) {
  const auto& ops = c.operands;
  auto v32 = [](const Operand& o) { return Lo(o.value); };
  switch (c.op) {
    case CmpOp::kMaskedEq: return Masked32(off, v32(ops[0]), v32(ops[1]), t, f);
    case CmpOp::kIn: {  // LD; JEQ v1 -> t, JEQ v2 -> t, ..., f
      Node n = f;
      for (auto it = ops.rbegin(); it != ops.rend(); ++it)
        n = gen_.Jump(kJmp | kJeq | kK, v32(*it), t, n);
      return Load(off, n);
    }
    case CmpOp::kEq:
    case CmpOp::kNe: return Load(off, Ordered32(c.op, v32(ops[0]), t, f));
    default: break;
  }
  // Ordered comparisons; signed ones compare with the sign bit flipped (x ^ 0x80000000 orders
  // signed values as unsigned ones).
  const bool s = c.arg.is_signed;
  const uint32_t flip = s ? kSignBit : 0;
  Node body;
  if (c.op == CmpOp::kRange) {  // lo <= x && x <= hi
    Node upper = Ordered32(CmpOp::kLe, v32(ops[1]) ^ flip, t, f);
    body = Ordered32(CmpOp::kGe, v32(ops[0]) ^ flip, upper, f);
  } else {
    body = Ordered32(c.op, v32(ops[0]) ^ flip, t, f);
  }
  if (body == t || body == f) return body;  // decided without looking at the argument
  if (s) body = gen_.Stmt(kAlu | kXor | kK, kSignBit, body);
  return Load(off, body);
}

Node ConditionLowering::Equal64(uint32_t hi_off, uint32_t lo_off, uint64_t v, Node t, Node f) {
  Node lo = Load(lo_off, gen_.Jump(kJmp | kJeq | kK, Lo(v), t, f));
  return Load(hi_off, gen_.Jump(kJmp | kJeq | kK, Hi(v), lo, f));
}

// x < v (or x <= v): decided by the high words unless they are equal, then by the low words
// (unsigned). Signed comparisons flip the sign bit of the high words.
Node ConditionLowering::Less64(const ArgRef& arg, uint64_t v, bool or_equal, Node t, Node f) {
  const uint32_t flip = arg.is_signed ? kSignBit : 0;
  const uint32_t vh = Hi(v) ^ flip;
  const uint32_t vl = Lo(v);
  // When the high words are equal: lo < vl (or lo <= vl).
  Node low = or_equal ? Ordered32(CmpOp::kLe, vl, t, f) : Ordered32(CmpOp::kLt, vl, t, f);
  if (low != t && low != f) low = Load(LoOffset(arg), low);
  // hi > vh -> f; hi == vh -> low; hi < vh -> t
  Node eq = gen_.Jump(kJmp | kJeq | kK, vh, low, t);
  Node body = vh == 0xffffffffU ? eq : gen_.Jump(kJmp | kJgt | kK, vh, f, eq);
  if (body == t || body == f) return body;
  if (flip) body = gen_.Stmt(kAlu | kXor | kK, kSignBit, body);
  return Load(HiOffset(arg), body);
}

Node ConditionLowering::Compare64(const Comparison& c, Node t, Node f) {
  const auto& ops = c.operands;
  const uint32_t hi = HiOffset(c.arg), lo = LoOffset(c.arg);
  switch (c.op) {
    case CmpOp::kEq: return Equal64(hi, lo, ops[0].value, t, f);
    case CmpOp::kNe: return Equal64(hi, lo, ops[0].value, f, t);
    case CmpOp::kLt: return Less64(c.arg, ops[0].value, false, t, f);
    case CmpOp::kLe: return Less64(c.arg, ops[0].value, true, t, f);
    case CmpOp::kGt: return Less64(c.arg, ops[0].value, true, f, t);   // !(x <= v)
    case CmpOp::kGe: return Less64(c.arg, ops[0].value, false, f, t);  // !(x < v)
    case CmpOp::kRange: {                                              // !(x < lo) && x <= hi
      Node upper = Less64(c.arg, ops[1].value, true, t, f);
      return Less64(c.arg, ops[0].value, false, f, upper);
    }
    case CmpOp::kMaskedEq: {
      uint64_t m = ops[0].value, v = ops[1].value;
      if ((v & ~m) != 0) return f;
      Node low = Masked32(lo, Lo(m), Lo(v), t, f);
      return Masked32(hi, Hi(m), Hi(v), low, f);
    }
    case CmpOp::kIn: {
      // Group the values by high word: LD hi; JEQ h1 -> (LD lo; JEQ l.. -> t, f), JEQ h2 ...
      std::map<uint32_t, std::vector<uint32_t>> by_hi;
      for (const Operand& o : ops) by_hi[Hi(o.value)].push_back(Lo(o.value));
      Node n = f;
      for (auto it = by_hi.rbegin(); it != by_hi.rend(); ++it) {
        Node lows = f;
        for (auto l = it->second.rbegin(); l != it->second.rend(); ++l) {
          lows = gen_.Jump(kJmp | kJeq | kK, *l, t, lows);
        }
        n = gen_.Jump(kJmp | kJeq | kK, it->first, Load(lo, lows), n);
      }
      return n == f ? f : Load(hi, n);
    }
  }
  return f;
}

}  // namespace sysgate::compile
