// The decision structure of a program: basic blocks, with the comparison trees compilers build
// over the syscall number and the arch (linear chains, binary searches over ranges) collapsed
// into one node each, so that Docker's profile reads as a dozen nodes rather than a hundred.
#include "sysgate/graph.h"

#include <map>
#include <set>

#include <fmt/format.h>

#include "analysis/dataflow.h"
#include "analysis/decompile_paths.h"
#include "analysis/insn_text.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;
using decompile::ValueSet;
using A = InsnContext::A;

ValueSet Union(const ValueSet& a, const ValueSet& b) {
  return ValueSet::All().Minus(ValueSet::All().Minus(a).Intersect(ValueSet::All().Minus(b)));
}

// The values for which a comparison with k is true.
ValueSet TrueSet(uint16_t code, uint32_t k) {
  switch (Op(code)) {
    case kJeq: return ValueSet::Of(k, k);
    case kJgt: return k == UINT32_MAX ? ValueSet() : ValueSet::Of(k + 1, UINT32_MAX);
    default: return ValueSet::Of(k, UINT32_MAX);  // kJge
  }
}

// The syscall tables an arch's numbers are named from: its own, and on x86_64 x32's (numbers
// with the x32 bit), as the kernel runs both there.
std::vector<Arch> NamingTables(Arch arch) {
  if (arch == Arch::kX86_64) return {Arch::kX86_64, Arch::kX32};
  return {arch};
}

std::string Number(uint64_t v) {
  return v < 0x10000 ? fmt::format("#{}", v) : fmt::format("#0x{:x}", v);
}

// "read, write, close..fstat, x32.read..x32.close, #0x40000221..#0xffffffff (12 syscalls)": every
// number of `set`, those of the arch's tables by name (a run of named numbers as first..last,
// holes included), the others as numbers; the count is of named syscalls.
std::string SyscallsText(const ValueSet& set, std::optional<Arch> arch) {
  if (set.IsAll()) return "every number";
  std::vector<std::string> parts;
  uint64_t named = 0;
  auto numbers = [&](uint64_t lo, uint64_t hi) {
    parts.push_back(lo == hi ? Number(lo) : fmt::format("{}..{}", Number(lo), Number(hi)));
  };
  for (auto [lo, hi] : set.ranges()) {
    uint64_t at = lo;  // what of [lo, hi] is not yet said
    for (Arch table : arch ? NamingTables(*arch) : std::vector<Arch>{}) {
      const uint64_t base = Info(table).syscall_bit;
      const std::string prefix = arch && table != *arch ? fmt::format("{}.", Info(table).name) : "";
      const uint64_t from = std::max<uint64_t>(at, base),
                     to = std::min<uint64_t>(hi, base + 0xffff);
      if (from > to) continue;
      std::vector<std::pair<uint64_t, std::string_view>> names;
      for (uint64_t n = from; n <= to; ++n) {
        if (auto name = SyscallName(table, static_cast<int32_t>(n))) names.emplace_back(n, *name);
      }
      if (names.empty()) continue;
      if (at < names.front().first) numbers(at, names.front().first - 1);
      if (names.size() <= 2) {
        for (auto& [n, name] : names) parts.push_back(prefix + std::string(name));
      } else {
        parts.push_back(
            fmt::format("{}{}..{}{}", prefix, names.front().second, prefix, names.back().second));
      }
      named += names.size();
      at = names.back().first + 1;
    }
    if (at <= hi) numbers(at, hi);
  }
  constexpr size_t kShown = 8;
  std::string text = fmt::format(
      "{}", fmt::join(parts.begin(), parts.begin() + std::min(parts.size(), kShown), ", "));
  if (parts.size() > kShown) text += fmt::format(", ... ({} more ranges)", parts.size() - kShown);
  if (named > 0) text += fmt::format(" ({} syscall{})", named, named == 1 ? "" : "s");
  return text;
}

// The arches of `set` by name, and "other values" for the rest; a set of all but a few arches
// as "every value but x86_64" or "every value but {x86_64, i386}".
std::string ArchesText(const ValueSet& set) {
  std::vector<std::string> in, out;
  for (Arch a : AllArches()) {
    if (a == Arch::kX32) continue;  // x32 shares x86_64's value
    (set.Contains(Info(a).audit_arch) ? in : out).push_back(std::string(Info(a).name));
  }
  const uint64_t all = uint64_t{1} << 32;
  if (in.size() > 4 && set.Count() + out.size() == all) {
    return out.size() == 1 ? "every value but " + out[0]
                           : fmt::format("every value but {{{}}}", fmt::join(out, ", "));
  }
  if (set.Count() > in.size()) in.push_back(in.empty() ? "no arch sysgate knows" : "other values");
  return fmt::format("{}", fmt::join(in, ", "));
}

class Builder {
 public:
  Builder(const bpf::Program& p, const GraphOptions& o)
      : p_(p), arch_(o.arch ? o.arch : std::optional(HostArch())), ctx_(AnalyzeContexts(p, arch_)) {
    g_.title = o.title;
  }

  FilterGraph Run() {
    FindBlocks();
    FindDispatch();
    for (size_t leader : leaders_) {
      if (!ctx_[leader].reachable || inner_.count(leader) || IsJa(leader)) continue;
      AddBlock(leader);
    }
    if (!p_.empty()) (void)Target(0);  // a program that is one verdict
    for (auto& [ret, node] : verdicts_) g_.nodes.push_back(node);
    return std::move(g_);
  }

 private:
  size_t End(size_t leader) const {  // the last instruction of the block
    size_t pc = leader;
    while (pc + 1 < p_.size() && !Ends(pc) && !leaders_.count(pc + 1)) ++pc;
    return pc;
  }
  bool Ends(size_t pc) const { return Class(p_[pc].code) == kJmp || Class(p_[pc].code) == kRet; }
  bool IsJa(size_t pc) const { return Class(p_[pc].code) == kJmp && Op(p_[pc].code) == kJa; }
  // Where a jump to `pc` really goes: through `goto`s (jumps only go forward: this ends).
  size_t Resolve(size_t pc) const {
    while (pc < p_.size() && IsJa(pc)) pc += 1 + p_[pc].k;
    return pc;
  }
  std::vector<size_t> Successors(size_t pc) const {
    const bpf::Insn& in = p_[pc];
    if (Class(in.code) == kRet) return {};
    if (Class(in.code) != kJmp) return {pc + 1};
    if (Op(in.code) == kJa) return {pc + 1 + in.k};
    return {pc + 1 + in.jt, pc + 1 + in.jf};
  }

  // Blocks, and each instruction's predecessors with `goto`s seen through (a comparison that
  // jumps to a goto to a comparison is its parent). Which comparisons of the syscall number
  // (the arch) some path has passed before each instruction.
  void FindBlocks() {
    leaders_.insert(0);
    tested_.assign(p_.size() + 1, {false, false});
    for (size_t pc = 0; pc < p_.size(); ++pc) {
      for (size_t succ : Successors(pc)) {
        if (succ >= p_.size()) continue;
        if (Ends(pc)) leaders_.insert(succ);
        if (!ctx_[pc].reachable || IsJa(pc)) continue;
        const size_t to = Resolve(succ);
        if (to >= p_.size()) continue;
        preds_[to].push_back(pc);
        auto& t = tested_[to];
        t.first = t.first || tested_[pc].first || (Compares(pc) && ctx_[pc].a == A::kNr);
        t.second = t.second || tested_[pc].second || (Compares(pc) && ctx_[pc].a == A::kArch);
      }
      if (Ends(pc) && pc + 1 < p_.size()) leaders_.insert(pc + 1);
    }
  }

  // A comparison of the syscall number or the arch with a constant.
  bool Compares(size_t pc) const {
    const bpf::Insn& in = p_[pc];
    const A a = ctx_[pc].a;
    return ctx_[pc].reachable && Class(in.code) == kJmp && Src(in.code) == kK &&
           (Op(in.code) == kJeq || Op(in.code) == kJgt || Op(in.code) == kJge) &&
           (a == A::kNr || a == A::kArch);
  }

  // A tree starts at a comparison no path reaches having compared the same word before (so
  // every value can reach it: the sets on its edges are exact); a comparison reached only from
  // comparisons of one tree, of the same word and arch, joins it, with the union of what its
  // parents send. Other comparisons (a reload after an argument test, a suffix two arches'
  // trees share) are drawn as tests of their own, never with sets they cannot vouch for.
  void FindDispatch() {
    std::map<size_t, ValueSet> in;
    for (size_t pc = 0; pc < p_.size(); ++pc) {
      if (!Compares(pc)) continue;
      std::optional<size_t> root;
      if (leaders_.count(pc) && !preds_[pc].empty()) {
        std::set<size_t> roots;
        bool all = true;
        for (size_t from : preds_[pc]) {
          auto r = root_.find(from);
          all = all && r != root_.end() && ctx_[from].a == ctx_[pc].a &&
                ctx_[from].arch == ctx_[pc].arch;
          if (r != root_.end()) roots.insert(r->second);
        }
        if (all && roots.size() == 1) {
          root = *roots.begin();
          inner_.insert(pc);
        }
      }
      const bool tested = ctx_[pc].a == A::kNr ? tested_[pc].first : tested_[pc].second;
      if (!root && tested) continue;  // not a tree's root: a plain test
      if (!root) root = pc;
      root_[pc] = *root;
      const ValueSet here = *root == pc ? ValueSet::All() : in[pc];
      const bpf::Insn& insn = p_[pc];
      const ValueSet t = here.Intersect(TrueSet(insn.code, insn.k));
      for (auto [to, set] : {std::pair{Resolve(pc + 1 + insn.jt), t},
                             std::pair{Resolve(pc + 1 + insn.jf), here.Minus(t)}}) {
        if (set.empty() || to >= p_.size()) continue;
        pending_[*root].push_back({to, set});
        auto it = in.find(to);
        in[to] = it == in.end() ? set : Union(it->second, set);
      }
    }
    // What leaves each tree: the sets of the edges to instructions outside it, per target.
    for (auto& [root, edges] : pending_) {
      std::map<size_t, ValueSet> out;
      for (auto& [to, set] : edges) {
        if (inner_.count(to) && root_[to] == root) continue;
        auto it = out.find(to);
        out[to] = it == out.end() ? set : Union(it->second, set);
      }
      exits_[root] = std::move(out);
    }
  }

  std::string Target(size_t pc) {
    pc = Resolve(pc);
    if (Class(p_[pc].code) == kRet && RetSrc(p_[pc].code) == kK && leaders_.count(pc)) {
      const uint32_t ret = p_[pc].k;
      auto [it, added] = verdicts_.try_emplace(ret);
      if (added) {
        it->second.id = fmt::format("v{:08x}", ret);
        it->second.kind = GraphNode::Kind::kVerdict;
        it->second.lines = {bpf::RetName(ret)};
        it->second.first_insn = static_cast<int>(pc);
        it->second.ret = ret;
      }
      return it->second.id;
    }
    return root_.count(pc) && root_.at(pc) == pc ? fmt::format("d{}", pc) : fmt::format("b{}", pc);
  }

  void AddBlock(size_t leader) {
    const size_t last = End(leader);
    const bpf::Insn& term = p_[last];
    if (leader == last && Class(term.code) == kRet && RetSrc(term.code) == kK)
      return;  // a verdict node
    GraphNode node{.id = fmt::format("b{}", leader), .first_insn = static_cast<int>(leader)};
    for (size_t pc = leader; pc < last || (pc == last && Class(term.code) != kJmp); ++pc) {
      node.lines.push_back(StatementText(p_[pc], ctx_[pc]));
    }
    const bool dispatch = root_.count(last) && root_.at(last) == last;
    std::string from = node.id;
    if (dispatch) {
      GraphNode d{.id = fmt::format("d{}", last),
                  .kind = GraphNode::Kind::kDispatch,
                  .first_insn = static_cast<int>(last)};
      const bool arch = ctx_[last].a == A::kArch;
      d.lines = {arch ? "arch"
                      : fmt::format("syscall number{}",
                                    ctx_[last].arch
                                        ? fmt::format(" ({})", Info(*ctx_[last].arch).name)
                                        : "")};
      for (auto& [to, set] : exits_[last]) {
        g_.edges.push_back(
            {d.id, Target(to), arch ? ArchesText(set) : SyscallsText(set, ctx_[last].arch)});
      }
      if (!node.lines.empty()) {
        g_.nodes.push_back(node);
        g_.edges.push_back({node.id, d.id, ""});
      }
      g_.nodes.push_back(std::move(d));
      return;
    }
    if (Class(term.code) == kJmp && Op(term.code) != kJa) {
      node.lines.push_back(ConditionText(term, ctx_[last], false) + " ?");
      g_.nodes.push_back(node);
      g_.edges.push_back({node.id, Target(last + 1 + term.jt), "true"});
      g_.edges.push_back({node.id, Target(last + 1 + term.jf), "false"});
      return;
    }
    g_.nodes.push_back(node);
    if (Class(term.code) == kJmp) {
      g_.edges.push_back({node.id, Target(last + 1 + term.k), ""});
    } else if (Class(term.code) != kRet && last + 1 < p_.size()) {
      g_.edges.push_back({node.id, Target(last + 1), ""});
    }
  }

  const bpf::Program& p_;
  std::optional<Arch> arch_;
  std::vector<InsnContext> ctx_;
  std::set<size_t> leaders_;
  std::map<size_t, std::vector<size_t>> preds_;
  std::map<size_t, size_t> root_;  // each comparison: the root of its tree
  std::set<size_t> inner_;         // comparisons inside a tree (not its root)
  // Per instruction: whether some path to it compared the syscall number, the arch, before.
  std::vector<std::pair<bool, bool>> tested_;
  std::map<size_t, std::vector<std::pair<size_t, ValueSet>>> pending_;
  std::map<size_t, std::map<size_t, ValueSet>> exits_;  // root -> target -> values sent there
  std::map<uint32_t, GraphNode> verdicts_;
  FilterGraph g_;
};

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string_view Colour(uint32_t ret) {
  switch (ret & bpf::ret::kActionFull) {
    case bpf::ret::kAllow: return "#c8e6c9";
    case bpf::ret::kLog: return "#bbdefb";
    case bpf::ret::kErrno: return "#ffe0b2";
    case bpf::ret::kTrap:
    case bpf::ret::kTrace: return "#fff9c4";
    case bpf::ret::kUserNotif: return "#e1bee7";
    default: return "#ffcdd2";  // kill-process, kill-thread, unknown actions (kill)
  }
}

}  // namespace

FilterGraph BuildGraph(const bpf::Program& prog, const GraphOptions& options) {
  return Builder(prog, options).Run();
}

std::string ToDot(const FilterGraph& g) {
  std::string out =
      "digraph filter {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
      "  edge [fontname=\"monospace\", fontsize=9];\n";
  if (!g.title.empty()) out += fmt::format("  label=\"{}\";\n  labelloc=t;\n", Escape(g.title));
  for (const GraphNode& n : g.nodes) {
    std::string label;
    for (const std::string& l : n.lines) label += Escape(l) + "\\l";
    switch (n.kind) {
      case GraphNode::Kind::kBlock:
        out += fmt::format("  {} [label=\"{:04}:\\l{}\"];\n", n.id, n.first_insn, label);
        break;
      case GraphNode::Kind::kDispatch:
        out += fmt::format("  {} [shape=diamond, label=\"{}\"];\n", n.id, Escape(n.lines.front()));
        break;
      case GraphNode::Kind::kVerdict:
        out += fmt::format(
            "  {} [shape=box, style=\"rounded,filled\", fillcolor=\"{}\", label=\"{}\"];\n", n.id,
            Colour(n.ret), Escape(n.lines.front()));
        break;
    }
  }
  for (const GraphEdge& e : g.edges) {
    out += e.label.empty()
               ? fmt::format("  {} -> {};\n", e.from, e.to)
               : fmt::format("  {} -> {} [label=\"{}\"];\n", e.from, e.to, Escape(e.label));
  }
  return out + "}\n";
}

}  // namespace sysgate::analysis
