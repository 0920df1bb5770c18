// Policy -> Program. Reads like the spec:
//   CheckArch( for each audit value: LoadNr( BinarySearch(ranges, Chain) ) , else kill )
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "compile/codegen.h"
#include "compile/decision.h"
#include "compile/lower.h"
#include "policy/resolve.h"
#include "sysgate/compiler.h"

namespace sysgate {
namespace {

using namespace bpf::op;
using compile::ArchDecision;
using compile::Chain;
using compile::CodeGen;
using compile::ConditionLowering;
using compile::Range;
using Node = CodeGen::Node;

class Compiler {
 public:
  Compiler(const Policy& p) : policy_(p) {}

  bpf::Program Run() {
    std::vector<ArchDecision> decisions = compile::Decide(policy_);
    Node kill = gen_.Ret(bpf::ret::kKillProcess);
    // Arch checks in target order: if (A == audit) goto tree, ..., else kill.
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
    Node tree = Search(d.ranges, leaves, 0, d.ranges.size() - 1);
    return gen_.Stmt(kLd | kW | kAbs, bpf::data::kNr, tree);  // A = nr
  }

  // Binary search over ranges[lo..hi] with A = nr: if (A >= ranges[mid].lo) right else left.
  Node Search(const std::vector<Range>& ranges, const std::vector<Node>& leaves, size_t lo, size_t hi) {
    if (lo == hi) return leaves[lo];
    size_t mid = lo + (hi - lo + 1) / 2;
    Node right = Search(ranges, leaves, mid, hi);
    Node left = Search(ranges, leaves, lo, mid - 1);
    return gen_.Jump(kJmp | kJge | kK, ranges[mid].lo, right, left);
  }

  // The conditional rules in order, each `if (cond) return action`, then the tail.
  Node ChainCode(const Chain& c, ConditionLowering& lower) {
    Node n = gen_.Ret(TailRet(c.tail));
    for (auto it = c.conditional.rbegin(); it != c.conditional.rend(); ++it) {
      const Rule& r = policy_.rules[static_cast<size_t>(*it)];
      n = lower.Condition(*r.condition, gen_.Ret(bpf::RetOf(r.action)), n);
    }
    return n;
  }

  uint32_t TailRet(int tail) const {
    switch (tail) {
      case Chain::kDefault: return bpf::RetOf(policy_.default_action);
      case Chain::kUnknown: return bpf::RetOf(policy_.unknown_action);
      case Chain::kBadAbi: return bpf::ret::kKillProcess;
      default: return bpf::RetOf(policy_.rules[static_cast<size_t>(tail)].action);
    }
  }

  const Policy& policy_;
  CodeGen gen_;
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
    parts.push_back(fmt::format("{} ({}{}): about {} instructions",
                                r.loc.known() ? r.loc.ToString() : fmt::format("rule {}", cost[j].second + 1),
                                fmt::join(names, ", "), r.syscalls.size() > 3 ? ", ..." : "",
                                cost[j].first));
  }
  if (parts.empty()) return "";
  return fmt::format("; the rules that cost most: {}", fmt::join(parts, "; "));
}

}  // namespace

Result<bpf::Program> Compile(const Policy& policy, const CompileOptions& options) {
  (void)options;
  bpf::Program p = Compiler(policy).Run();
  if (p.size() > bpf::kMaxInsns) {
    return MakeError(ErrorCode::kTooLarge,
                     fmt::format("the filter needs {} instructions, more than the kernel's limit "
                                 "of {}{}",
                                 p.size(), bpf::kMaxInsns, CostliestRules(policy)));
  }
  return p;
}

}  // namespace sysgate
