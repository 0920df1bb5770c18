// Policy -> Program. Reads like the spec:
//   CheckArch( for each audit value: LoadNr( BinarySearch(ranges, Chain) ) , else kill )
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "compile/codegen.h"
#include "compile/compiler.h"
#include "compile/decision.h"
#include "compile/lower.h"
#include "policy/for_abi.h"
#include "policy/resolve.h"

namespace sysgate {
namespace {

using namespace bpf::op;
using compile::ArchDecision;
using compile::Chain;
using compile::CodeGen;
using compile::ConditionLowering;
using compile::Frequencies;
using compile::Range;
using Node = CodeGen::Node;

class Compiler {
 public:
  Compiler(const Policy& p, const std::map<Arch, policy::AbiPolicy>& lowered,
           const Frequencies& frequencies)
      : policy_(p), lowered_(lowered), frequencies_(frequencies) {}

  bpf::Program Run() {
    std::vector<ArchDecision> decisions = compile::Decide(policy_, lowered_);
    Node kill = gen_.Ret(bpf::RetOf(policy_.foreign_abi_action));
    // Arch checks in target order: if (A == audit) goto tree, ..., else kill (foreign ABI).
    std::vector<Node> trees;
    for (const ArchDecision& d : decisions) trees.push_back(NumberTree(d));
    Node next = kill;
    for (size_t i = decisions.size(); i-- > 0;) {
      next = gen_.Jump(kJmp | kJeq | kK, decisions[i].audit_arch, trees[i], next);
    }
    Node head = gen_.Stmt(kLd | kW | kAbs, bpf::data::kArch, next);  // A = arch
    return gen_.Finish(head);
  }

 private:
  Node NumberTree(const ArchDecision& d) {
    ConditionLowering lower(gen_, d.endian);
    std::vector<Node> leaves;
    for (const Range& r : d.ranges) leaves.push_back(ChainCode(r.chain, lower));
    // prefix_[i]: the weight of ranges[0..i).
    std::vector<double> w = Weights(d);
    prefix_.assign(1, 0.0);
    for (double x : w) prefix_.push_back(prefix_.back() + x);
    Node tree = Search(d.ranges, leaves, 0, d.ranges.size() - 1);
    return gen_.Stmt(kLd | kW | kAbs, bpf::data::kNr, tree);  // A = nr
  }

  // How often each range's numbers are called, by the frequencies given; a little for every
  // range, so that holes still cost their share.
  std::vector<double> Weights(const ArchDecision& d) const {
    constexpr double kArgRuleWeight = 2;  // measured on Docker's profile: max 15, mean 10.6
    std::vector<double> w(d.ranges.size(), 0.01);
    for (Arch abi : AllArches()) {
      if (Info(abi).audit_arch != d.audit_arch) continue;
      for (const SyscallEntry& e : Syscalls(abi)) {
        uint32_t nr = static_cast<uint32_t>(e.nr);
        auto it = std::upper_bound(d.ranges.begin(), d.ranges.end(), nr,
                                   [](uint32_t x, const Range& r) { return x < r.lo; });
        size_t i = static_cast<size_t>(it - d.ranges.begin()) - 1;  // ranges cover 0..2^32-1
        if (frequencies_.empty()) {
          // Syscalls with argument rules run more code after the dispatch: nearer the root.
          w[i] += d.ranges[i].chain.conditional.empty() ? 1 : kArgRuleWeight;
        } else if (auto f = frequencies_.find(std::string(e.name)); f != frequencies_.end()) {
          w[i] += f->second;
        }
      }
    }
    return w;
  }

  // Search over ranges[lo..hi] with A = nr: if (A >= ranges[mid].lo) right else left. mid
  // splits the weight (Weights: syscalls per range, or the frequencies given) as evenly as
  // possible: each comparison halves the remaining probability, close to the optimal expected
  // depth for that mix.
  Node Search(const std::vector<Range>& ranges, const std::vector<Node>& leaves, size_t lo,
              size_t hi) {
    if (lo == hi) return leaves[lo];
    double half = (prefix_[lo] + prefix_[hi + 1]) / 2;
    // The first mid in (lo, hi] with prefix_[mid] >= half, or the one before it if closer.
    auto first = std::lower_bound(prefix_.begin() + static_cast<long>(lo) + 1,
                                  prefix_.begin() + static_cast<long>(hi) + 1, half);
    size_t mid = static_cast<size_t>(first - prefix_.begin());
    if (mid > hi) mid = hi;
    if (mid > lo + 1 && half - prefix_[mid - 1] < prefix_[mid] - half) --mid;
    Node right = Search(ranges, leaves, mid, hi);
    Node left = Search(ranges, leaves, lo, mid - 1);
    return gen_.Jump(kJmp | kJge | kK, ranges[mid].lo, right, left);
  }

  // The conditional rules in order, each `if (cond) return action`, then the tail. A run of
  // rules that each test one argument for equality (== or in) becomes one switch on its value:
  // equal-value tests are disjoint, so their order only matters for a repeated value (the
  // first rule keeps it).
  Node ChainCode(const Chain& c, ConditionLowering& lower) {
    Node n = gen_.Ret(TailRet(c));
    size_t end = c.conditional.size();
    while (end > 0) {
      const Rule& last = RuleAt(c, end - 1);
      auto key = EqualityArg(last);
      size_t begin = end - 1;
      while (key && begin > 0 && EqualityArg(RuleAt(c, begin - 1)) == key) --begin;
      if (!key || end - begin < 2) {
        n = lower.Condition(*last.condition, gen_.Ret(bpf::RetOf(last.action, c.abi)), n);
        end -= 1;
        continue;
      }
      std::vector<std::pair<uint64_t, Node>> cases;
      std::set<uint64_t> seen;
      for (size_t i = begin; i < end; ++i) {
        const Rule& r = RuleAt(c, i);
        for (const Operand& o : r.condition->comparison().operands) {
          if (seen.insert(o.value).second)
            cases.emplace_back(o.value, gen_.Ret(bpf::RetOf(r.action, c.abi)));
        }
      }
      n = lower.Switch(RuleAt(c, begin).condition->comparison().arg, std::move(cases), n);
      end = begin;
    }
    return n;
  }

  // The chain's i-th conditional rule, as its ABI reads it.
  const Rule& RuleAt(const Chain& c, size_t i) const { return AbiRule(c.abi, c.conditional[i]); }
  const Rule& AbiRule(Arch abi, int i) const {
    return lowered_.at(abi).policy.rules[static_cast<size_t>(i)];
  }

  // (registers, width, signedness) of the argument a rule tests for equality, if that is all
  // it does.
  static std::optional<std::tuple<int, int, Width, bool>> EqualityArg(const Rule& r) {
    if (!r.condition || r.condition->kind() != Condition::Kind::kCompare) return std::nullopt;
    const Comparison& cmp = r.condition->comparison();
    if (cmp.op != CmpOp::kEq && cmp.op != CmpOp::kIn) return std::nullopt;
    return std::tuple(cmp.arg.index, cmp.arg.hi_index, cmp.arg.width, cmp.arg.is_signed);
  }

  uint32_t TailRet(const Chain& c) const {
    switch (c.tail) {
      case Chain::kDefault: return bpf::RetOf(policy_.default_action, c.abi);
      case Chain::kUnknown: return bpf::RetOf(policy_.unknown_action, c.abi);
      case Chain::kBadAbi: return bpf::RetOf(policy_.foreign_abi_action);
      default: return bpf::RetOf(AbiRule(c.abi, c.tail).action, c.abi);
    }
  }

  const Policy& policy_;
  const std::map<Arch, policy::AbiPolicy>& lowered_;
  const Frequencies& frequencies_;
  CodeGen gen_;
  std::vector<double> prefix_;
};

// When the program is too large: the rules whose conditions cost the most instructions.
std::string CostliestRules(const Policy& policy) {
  std::vector<std::pair<size_t, size_t>> cost;  // (instructions, rule)
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    if (!policy.rules[i].condition) continue;
    CodeGen g;
    ConditionLowering lower(g, Endian::kLittle);
    lower.Condition(*policy.rules[i].condition, g.Ret(0), g.Ret(1));
    size_t syscalls = policy::RuleSyscallNames(policy.rules[i]).size();
    cost.emplace_back(g.size() * std::max<size_t>(syscalls, 1), i);
  }
  std::ranges::sort(cost, std::greater<>());
  std::vector<std::string> parts;
  for (size_t j = 0; j < cost.size() && j < 5; ++j) {
    const Rule& r = policy.rules[cost[j].second];
    std::vector<std::string> names;
    for (const SyscallSpec& s : r.syscalls) {
      names.push_back(s.kind == SyscallSpec::Kind::kNumber ? std::to_string(s.number) : s.name);
      if (names.size() == 3) break;
    }
    parts.push_back(
        fmt::format("{} ({}{}): about {} instructions",
                    r.loc.known() ? r.loc.ToString() : fmt::format("rule {}", cost[j].second + 1),
                    fmt::join(names, ", "), r.syscalls.size() > 3 ? ", ..." : "", cost[j].first));
  }
  if (parts.empty()) return "";
  return fmt::format("; the rules that cost most: {}", fmt::join(parts, "; "));
}

}  // namespace

namespace compile {

Result<bpf::Program> Generate(const Policy& policy, const Frequencies& frequencies) {
  // What each target reads; a policy that means nothing on one of them is refused.
  std::map<Arch, policy::AbiPolicy> lowered;
  std::vector<Diagnostic> diags;
  for (Arch a : policy.TargetArches()) lowered.emplace(a, policy::ForAbi(policy, a, &diags));
  if (HasErrors(diags)) return FirstError(diags);
  bpf::Program p = Compiler(policy, lowered, frequencies).Run();
  if (p.size() > bpf::kMaxInsns) {
    return MakeError(ErrorCode::kTooLarge,
                     fmt::format("the filter needs {} instructions, more than the kernel's limit "
                                 "of {}{}",
                                 p.size(), bpf::kMaxInsns, CostliestRules(policy)));
  }
  return p;
}

}  // namespace compile
}  // namespace sysgate
