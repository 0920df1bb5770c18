// Symbolic execution of a seccomp BPF program: A, X and the scratch memory hold constants or
// (masked) words of seccomp_data; each conditional jump on a word splits the path by what it
// implies about that word, and a branch that contradicts what the path knows is not taken.
// Classic BPF jumps only forward, so every path ends at a RET.
#include "analysis/decompile_paths.h"

#include <algorithm>
#include <bit>
#include <functional>

#include <fmt/format.h>

namespace sysgate::analysis::decompile {

// ---- ValueSet ----

std::optional<uint32_t> ValueSet::Single() const {
  if (ranges_.size() == 1 && ranges_[0].first == ranges_[0].second) return ranges_[0].first;
  return std::nullopt;
}

bool ValueSet::Contains(uint32_t v) const {
  return std::ranges::any_of(ranges_,
                             [&](const Range& r) { return r.first <= v && v <= r.second; });
}

uint64_t ValueSet::Count() const {
  uint64_t n = 0;
  for (const Range& r : ranges_) n += uint64_t{r.second} - r.first + 1;
  return n;
}

ValueSet ValueSet::FromSorted(const std::vector<Range>& ranges) {
  std::vector<Range> out;
  for (const Range& r : ranges) {
    if (!out.empty() && uint64_t{out.back().second} + 1 >= r.first) {
      out.back().second = std::max(out.back().second, r.second);
    } else {
      out.push_back(r);
    }
  }
  return ValueSet(std::move(out));
}

ValueSet ValueSet::Intersect(const ValueSet& o) const {
  std::vector<Range> out;
  size_t i = 0, j = 0;
  while (i < ranges_.size() && j < o.ranges_.size()) {
    uint32_t lo = std::max(ranges_[i].first, o.ranges_[j].first);
    uint32_t hi = std::min(ranges_[i].second, o.ranges_[j].second);
    if (lo <= hi) out.push_back({lo, hi});
    (ranges_[i].second < o.ranges_[j].second) ? ++i : ++j;
  }
  return ValueSet(std::move(out));
}

ValueSet ValueSet::Minus(const ValueSet& o) const {
  // The complement of o, then the intersection.
  std::vector<Range> comp;
  uint64_t next = 0;
  for (const Range& r : o.ranges_) {
    if (r.first > next) comp.push_back({static_cast<uint32_t>(next), r.first - 1});
    next = uint64_t{r.second} + 1;
  }
  if (next <= UINT32_MAX) comp.push_back({static_cast<uint32_t>(next), UINT32_MAX});
  return Intersect(ValueSet(std::move(comp)));
}

namespace {

enum class Test : uint8_t { kEq, kGt, kGe, kSet };

// The values of `d` for which `test((v & mask), k)` holds, found by splitting aligned blocks
// until the test is decided on each; nullopt when that takes more than `limit` intervals or
// 16 times as many blocks (a mask with low bits over a wide range).
std::optional<ValueSet> Where(const ValueSet& d, Test test, uint32_t mask, uint32_t k,
                              size_t limit = 4096) {
  std::vector<ValueSet::Range> out;
  size_t blocks = 0;
  // Block: the values with the bits above `free` equal to prefix's.
  std::function<bool(uint32_t, int)> block = [&](uint32_t prefix, int free) -> bool {
    if (++blocks > 16 * limit) return false;
    uint64_t size = uint64_t{1} << free;
    uint32_t lo = prefix, hi = static_cast<uint32_t>(prefix + size - 1);
    ValueSet part = d.Intersect(ValueSet::Of(lo, hi));
    if (part.empty()) return true;
    uint32_t low_bits = static_cast<uint32_t>(size - 1);
    std::optional<bool> decided;
    switch (test) {
      case Test::kEq:
        if (((prefix ^ k) & mask & ~low_bits) != 0)
          decided = false;
        else if ((mask & low_bits) == 0)
          decided = true;
        break;
      case Test::kSet:
        if ((prefix & mask & k & ~low_bits) != 0)
          decided = true;
        else if ((mask & k & low_bits) == 0)
          decided = false;
        break;
      case Test::kGt:
      case Test::kGe: {
        // (v & mask) ranges over [prefix & mask & ~low, that | (mask & low)] in the block.
        uint32_t min = prefix & mask & ~low_bits, max = min | (mask & low_bits);
        bool lo_ok = test == Test::kGt ? min > k : min >= k;
        bool hi_ok = test == Test::kGt ? max > k : max >= k;
        if (lo_ok == hi_ok) decided = lo_ok;
        break;
      }
    }
    if (decided) {
      if (*decided) out.insert(out.end(), part.ranges().begin(), part.ranges().end());
      return out.size() <= limit;
    }
    return block(prefix, free - 1) &&
           block(static_cast<uint32_t>(prefix | (uint64_t{1} << (free - 1))), free - 1);
  };
  if (!block(0, 32)) return std::nullopt;
  return ValueSet::FromSorted(out);
}

// A value in A, X or M[]: a constant, a word of seccomp_data under a mask, or the result of
// arithmetic on a word (which a policy cannot test: `computed_at` names the instruction).
struct Value {
  enum class Kind : uint8_t { kConst, kWord, kComputed } kind = Kind::kConst;
  uint32_t k = 0;  // kConst: the value; kWord: the mask
  int word = 0;    // kWord: offset / 4
  int computed_at = 0;
  static Value Const(uint32_t v) { return {Kind::kConst, v, 0, 0}; }
};

struct State {
  size_t pc = 0;
  Value a, x;
  std::array<Value, bpf::kMemWords> mem{};
  std::array<WordFacts, kWords> words;
};

std::string WordName(int word) {
  if (word == kNrWord) return "the syscall number";
  if (word == kArchWord) return "the arch";
  if (word < 4) return "the instruction pointer";
  return fmt::format("a half of args[{}]", (word - 4) / 2);
}

Error Refuse(size_t insn, const std::string& why) {
  return MakeError(ErrorCode::kUnsupported,
                   fmt::format("instruction {}: {}; a sysgate policy cannot say this", insn, why));
}

// Whether a word's facts can all hold. Exact for ranges and for a word whose value they fix;
// otherwise true unless two bit facts contradict each other.
bool Feasible(const WordFacts& w) {
  if (w.range.empty()) return false;
  auto satisfies = [&](uint32_t v) {
    if ((v & w.known_mask) != w.known_bits) return false;
    for (auto [m, k] : w.masked_ne)
      if ((v & m) == k) return false;
    for (uint32_t m : w.any_set)
      if ((v & m) == 0) return false;
    return true;
  };
  if (auto v = w.range.Single()) return satisfies(*v);
  if (w.known_mask == UINT32_MAX) return w.range.Contains(w.known_bits) && satisfies(w.known_bits);
  for (auto [m, k] : w.masked_ne) {
    if ((m & ~w.known_mask) == 0 && (w.known_bits & m) == k) return false;
  }
  for (uint32_t m : w.any_set) {
    if ((m & ~w.known_mask) == 0 && (w.known_bits & m) == 0) return false;
  }
  // Known bits against the range: the smallest and largest values with those bits.
  if (w.known_mask != 0 && w.range.ranges().size() == 1) {
    uint32_t min = w.known_bits, max = w.known_bits | ~w.known_mask;
    if (max < w.range.ranges()[0].first || min > w.range.ranges()[0].second) return false;
  }
  return true;
}

// Whether the bit facts of `f` can all hold together: a bit both required and forbidden makes
// the path impossible, and so must end it (else the decompiler keeps facts that contradict).
bool BitsConsistent(const WordFacts& f) {
  const uint32_t known_zero = f.known_mask & ~f.known_bits;
  for (uint32_t m : f.any_set) {
    if ((m & ~known_zero) == 0) return false;  // no bit of m may be set
  }
  for (auto [mask, k] : f.masked_ne) {
    if ((mask & ~f.known_mask) == 0 && (f.known_bits & mask) == k) return false;
  }
  return true;
}

// `facts` narrowed by `test((w & mask), k) == taken`, or nullopt when a bit fact on the
// syscall number or the arch would not stay exact (those must be sets of values).
std::optional<WordFacts> Narrow(WordFacts facts, int word, Test test, uint32_t mask, uint32_t k,
                                bool taken) {
  const bool exact_only = word == kNrWord || word == kArchWord;
  if (mask == UINT32_MAX && test != Test::kSet) {
    ValueSet s = test == Test::kEq   ? ValueSet::Of(k, k)
                 : test == Test::kGe ? ValueSet::Of(k, UINT32_MAX)
                 : k == UINT32_MAX   ? ValueSet()
                                     : ValueSet::Of(k + 1, UINT32_MAX);
    facts.range = taken ? facts.range.Intersect(s) : facts.range.Minus(s);
    return facts;
  }
  if (exact_only || test == Test::kGt || test == Test::kGe) {
    auto s = Where(facts.range, test, mask, k);
    if (!s) return std::nullopt;
    facts.range = taken ? *s : facts.range.Minus(*s);
    return facts;
  }
  if (test == Test::kSet) {
    uint32_t m = mask & k;
    if (taken) {
      facts.any_set.push_back(m);
    } else if ((facts.known_bits & facts.known_mask & m) != 0) {
      facts.range = ValueSet();  // a bit already known set must be clear
      return facts;
    } else {
      facts.known_mask |= m;
      facts.known_bits &= ~m;
    }
  } else if (!taken) {  // (w & mask) != k
    if ((k & ~mask) == 0) facts.masked_ne.emplace_back(mask, k);
  } else if ((k & ~mask) != 0 || ((facts.known_bits ^ k) & facts.known_mask & mask) != 0) {
    facts.range = ValueSet();  // (w & mask) == k cannot hold
    return facts;
  } else {
    facts.known_mask |= mask;
    facts.known_bits = (facts.known_bits & ~mask) | k;
  }
  if (!BitsConsistent(facts)) facts.range = ValueSet();
  return facts;
}

class Explorer {
 public:
  Explorer(const bpf::Program& prog, size_t max_paths) : prog_(prog), max_paths_(max_paths) {}

  Result<std::vector<Leaf>> Run() {
    std::vector<State> stack(1);
    while (!stack.empty()) {
      State s = std::move(stack.back());
      stack.pop_back();
      if (auto r = Step(std::move(s), stack); !r) return r.error();
    }
    return std::move(leaves_);
  }

 private:
  // Runs one path until it ends or splits (pushing the branches on `stack`).
  Result<void> Step(State s, std::vector<State>& stack) {
    using namespace bpf::op;
    while (true) {
      const size_t pc = s.pc;
      const bpf::Insn& in = prog_[pc];
      const uint16_t code = in.code;
      s.pc = pc + 1;
      switch (Class(code)) {
        case kLd:
        case kLdx: {
          Value v;
          if (Mode(code) == kImm)
            v = Value::Const(in.k);
          else if (Mode(code) == kLen)
            v = Value::Const(bpf::data::kSize);
          else if (Mode(code) == kMem)
            v = s.mem[in.k];
          else
            v = {Value::Kind::kWord, UINT32_MAX, static_cast<int>(in.k / 4), 0};  // kAbs
          (Class(code) == kLd ? s.a : s.x) = v;
          break;
        }
        case kSt: s.mem[in.k] = s.a; break;
        case kStx: s.mem[in.k] = s.x; break;
        case kMisc: (MiscOp(code) == kTax ? s.x : s.a) = MiscOp(code) == kTax ? s.a : s.x; break;
        case kAlu: {
          if (Op(code) == kNeg) {
            s.a = Alu(pc, s.a, Value::Const(0), kNeg);
            break;
          }
          Value operand = Src(code) == kX ? s.x : Value::Const(in.k);
          if ((Op(code) == kDiv || Op(code) == kMod) && operand.kind != Value::Kind::kConst) {
            return Refuse(pc, "a division by a value read from the call");
          }
          if ((Op(code) == kDiv || Op(code) == kMod) && operand.k == 0) {
            return AddLeaf(s, 0, static_cast<int>(pc));  // the kernel's filter returns 0 here
          }
          s.a = Alu(pc, s.a, operand, Op(code));
          break;
        }
        case kRet: {
          Value v = RetSrc(code) == kA ? s.a : Value::Const(in.k);
          if (v.kind != Value::Kind::kConst) {
            return Refuse(pc, "the verdict is a value read from the call, not a constant");
          }
          return AddLeaf(s, v.k, static_cast<int>(pc));
        }
        case kJmp: {
          if (Op(code) == kJa) {
            s.pc = pc + 1 + in.k;
            break;
          }
          Value rhs = Src(code) == kX ? s.x : Value::Const(in.k);
          const size_t t = pc + 1 + in.jt, f = pc + 1 + in.jf;
          auto split = Branch(pc, s, code, rhs);
          if (!split) return split.error();
          auto [on_true, on_false] = std::move(*split);
          if (on_true && on_false) {
            on_true->pc = t;
            on_false->pc = f;
            stack.push_back(std::move(*on_false));
            s = std::move(*on_true);
          } else if (on_true) {
            s = std::move(*on_true);
            s.pc = t;
          } else if (on_false) {
            s = std::move(*on_false);
            s.pc = f;
          } else {
            return {};  // the path was already infeasible (conservative facts)
          }
          break;
        }
        default: return Refuse(pc, fmt::format("opcode {:#x} is not one seccomp accepts", code));
      }
    }
  }

  Value Alu(size_t pc, Value a, Value b, uint16_t op) {
    using namespace bpf::op;
    if (a.kind == Value::Kind::kConst && b.kind == Value::Kind::kConst) {
      uint32_t x = a.k, y = b.k;
      switch (op) {
        case kAdd: return Value::Const(x + y);
        case kSub: return Value::Const(x - y);
        case kMul: return Value::Const(x * y);
        case kDiv: return Value::Const(x / y);
        case kMod: return Value::Const(x % y);
        case kOr: return Value::Const(x | y);
        case kAnd: return Value::Const(x & y);
        case kXor: return Value::Const(x ^ y);
        case kLsh: return Value::Const(y >= 32 ? 0 : x << y);
        case kRsh: return Value::Const(y >= 32 ? 0 : x >> y);
        case kNeg: return Value::Const(0U - x);
        default: break;
      }
    }
    if (a.kind == Value::Kind::kWord && b.kind == Value::Kind::kConst) {
      if (op == kAnd)
        return (a.k & b.k) == 0 ? Value::Const(0) : Value{a.kind, a.k & b.k, a.word, 0};
      // Operations that leave the value as it is.
      bool identity =
          ((op == kAdd || op == kSub || op == kOr || op == kXor || op == kLsh || op == kRsh) &&
           b.k == 0) ||
          ((op == kMul || op == kDiv) && b.k == 1);
      if (identity) return a;
    }
    if (a.kind == Value::Kind::kComputed) return a;
    return {Value::Kind::kComputed, 0, 0, static_cast<int>(pc)};
  }

  using Split = std::pair<std::optional<State>, std::optional<State>>;

  // The states on the true and false sides of a conditional jump (nullopt: not feasible).
  Result<Split> Branch(size_t pc, const State& s, uint16_t code, Value rhs) {
    using namespace bpf::op;
    Test test = Op(code) == kJeq   ? Test::kEq
                : Op(code) == kJgt ? Test::kGt
                : Op(code) == kJge ? Test::kGe
                                   : Test::kSet;
    Value lhs = s.a;
    bool flip = false;  // a constant in A compared with a word in X
    if (lhs.kind == Value::Kind::kConst && rhs.kind == Value::Kind::kWord) {
      std::swap(lhs, rhs);
      flip = true;
    }
    for (const Value& v : {lhs, rhs}) {
      if (v.kind == Value::Kind::kComputed) {
        return Refuse(pc, fmt::format("a test on a value computed by instruction {} from the call",
                                      v.computed_at));
      }
    }
    if (lhs.kind == Value::Kind::kConst) {  // both constants
      bool r = test == Test::kEq   ? lhs.k == rhs.k
               : test == Test::kGt ? lhs.k > rhs.k
               : test == Test::kGe ? lhs.k >= rhs.k
                                   : (lhs.k & rhs.k) != 0;
      return r ? Split{s, std::nullopt} : Split{std::nullopt, s};
    }
    if (rhs.kind == Value::Kind::kWord)
      return Refuse(pc, "a comparison of two values read from the call");
    if (lhs.word == 2 || lhs.word == 3) {
      return Refuse(pc, "a test on the instruction pointer");
    }
    // Flipped: c > w is !(w >= c), c >= w is !(w > c); == and & are symmetric.
    bool invert = false;
    if (flip && test == Test::kGt) {
      test = Test::kGe;
      invert = true;
    } else if (flip && test == Test::kGe) {
      test = Test::kGt;
      invert = true;
    }
    const WordFacts& before = s.words[static_cast<size_t>(lhs.word)];
    Split out;
    for (bool taken : {true, false}) {
      auto w = Narrow(before, lhs.word, test, lhs.k, rhs.k, taken != invert);
      if (!w) {
        return Refuse(
            pc, fmt::format("a masked test on {} that is not a set of ranges", WordName(lhs.word)));
      }
      if (!Feasible(*w)) continue;
      State n = s;
      n.words[static_cast<size_t>(lhs.word)] = std::move(*w);
      (taken ? out.first : out.second) = std::move(n);
    }
    return out;
  }

  Result<void> AddLeaf(const State& s, uint32_t ret, int insn) {
    if (leaves_.size() >= max_paths_) {
      return MakeError(ErrorCode::kTooLarge,
                       fmt::format("the program has more than {} paths", max_paths_));
    }
    leaves_.push_back({s.words, ret, insn});
    return {};
  }

  const bpf::Program& prog_;
  size_t max_paths_;
  std::vector<Leaf> leaves_;
};

}  // namespace

Result<std::vector<Leaf>> ExplorePaths(const bpf::Program& prog, size_t max_paths) {
  return Explorer(prog, max_paths).Run();
}

}  // namespace sysgate::analysis::decompile
