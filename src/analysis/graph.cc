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

std::string ArchName(uint32_t audit) {
  for (Arch a : AllArches()) {
    if (Info(a).audit_arch == audit && a != Arch::kX32) return std::string(Info(a).name);
  }
  return fmt::format("0x{:x}", audit);
}

// "read..write, open, close, ... (290 syscalls)" for the numbers of `set` on `arch`.
std::string SyscallsText(const ValueSet& set, std::optional<Arch> arch) {
  if (set.IsAll()) return "every number";
  std::vector<std::string> parts;
  uint64_t named = 0;
  for (auto [lo, hi] : set.ranges()) {
    std::vector<std::string_view> names;
    if (arch) {
      // The tables hold numbers below 2^16 (x32's carry its bit); past them nothing has a name.
      const uint64_t base = Info(*arch).syscall_bit;
      const uint64_t top = std::min<uint64_t>(hi, base + 0xffff);
      for (uint64_t n = std::max<uint64_t>(lo, base); n <= top; ++n) {
        if (auto name = SyscallName(*arch, static_cast<int32_t>(n))) names.push_back(*name);
      }
    }
    named += names.size();
    if (names.empty()) {
      auto num = [](uint64_t v) { return v < 0x10000 ? fmt::format("#{}", v) : fmt::format("#0x{:x}", v); };
      parts.push_back(lo == hi ? num(lo) : fmt::format("{}..{}", num(lo), num(hi)));
    } else if (names.size() <= 2) {
      for (std::string_view n : names) parts.emplace_back(n);
    } else {
      parts.push_back(fmt::format("{}..{}", names.front(), names.back()));
    }
  }
  constexpr size_t kShown = 6;
  std::string text = fmt::format("{}", fmt::join(parts.begin(), parts.begin() + std::min(parts.size(), kShown), ", "));
  if (parts.size() > kShown) text += ", ...";
  if (named > 0) text += fmt::format(" ({} syscall{})", named, named == 1 ? "" : "s");
  return text;
}

std::string ArchesText(const ValueSet& set) {
  if (set.Count() > 64) return set.IsAll() ? "every arch" : "other arches";
  std::vector<std::string> names;
  for (auto [lo, hi] : set.ranges()) {
    for (uint64_t v = lo; v <= hi; ++v) names.push_back(ArchName(static_cast<uint32_t>(v)));
  }
  return fmt::format("{}", fmt::join(names, ", "));
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
      if (!ctx_[leader].reachable || inner_.count(leader)) continue;
      AddBlock(leader);
    }
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
  std::vector<size_t> Successors(size_t pc) const {
    const bpf::Insn& in = p_[pc];
    if (Class(in.code) == kRet) return {};
    if (Class(in.code) != kJmp) return {pc + 1};
    if (Op(in.code) == kJa) return {pc + 1 + in.k};
    return {pc + 1 + in.jt, pc + 1 + in.jf};
  }

  void FindBlocks() {
    leaders_.insert(0);
    for (size_t pc = 0; pc < p_.size(); ++pc) {
      for (size_t s : Successors(pc)) {
        if (s < p_.size()) preds_[s].push_back(pc);
        if (Ends(pc) && s < p_.size()) leaders_.insert(s);
      }
      if (Ends(pc) && pc + 1 < p_.size()) leaders_.insert(pc + 1);
    }
  }

  // A comparison of the syscall number or the arch with a constant.
  bool Compares(size_t pc) const {
    const bpf::Insn& in = p_[pc];
    const A a = ctx_[pc].a;
    return ctx_[pc].reachable && Class(in.code) == kJmp && Src(in.code) == kK &&
           (Op(in.code) == kJeq || Op(in.code) == kJgt || Op(in.code) == kJge) && (a == A::kNr || a == A::kArch);
  }

  // Each comparison reached only from comparisons of the same word under the same root joins
  // that root's tree; the values reaching it are the union of what its parents send.
  void FindDispatch() {
    std::map<size_t, ValueSet> in;
    for (size_t pc = 0; pc < p_.size(); ++pc) {
      if (!Compares(pc)) continue;
      size_t root = pc;
      if (leaders_.count(pc) && !preds_[pc].empty()) {
        std::set<size_t> roots;
        bool all = true;
        for (size_t from : preds_[pc]) {
          auto r = root_.find(from);
          all = all && r != root_.end() && ctx_[from].a == ctx_[pc].a && ctx_[from].arch == ctx_[pc].arch;
          if (r != root_.end()) roots.insert(r->second);
        }
        if (all && roots.size() == 1) {
          root = *roots.begin();
          inner_.insert(pc);
        }
      }
      root_[pc] = root;
      const ValueSet here = root == pc ? ValueSet::All() : in[pc];
      const bpf::Insn& insn = p_[pc];
      const ValueSet t = here.Intersect(TrueSet(insn.code, insn.k));
      for (auto [to, set] : {std::pair{pc + 1 + insn.jt, t}, std::pair{pc + 1 + insn.jf, here.Minus(t)}}) {
        if (set.empty()) continue;
        pending_[root].push_back({to, set});
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
    return Compares(pc) && leaders_.count(pc) ? fmt::format("d{}", pc) : fmt::format("b{}", pc);
  }

  void AddBlock(size_t leader) {
    const size_t last = End(leader);
    const bpf::Insn& term = p_[last];
    if (leader == last && Class(term.code) == kRet && RetSrc(term.code) == kK) return;  // a verdict node
    GraphNode node{.id = fmt::format("b{}", leader), .first_insn = static_cast<int>(leader)};
    for (size_t pc = leader; pc < last || (pc == last && Class(term.code) != kJmp); ++pc) {
      node.lines.push_back(StatementText(p_[pc], ctx_[pc]));
    }
    const bool dispatch = Compares(last) && !inner_.count(last);
    std::string from = node.id;
    if (dispatch) {
      GraphNode d{.id = fmt::format("d{}", last), .kind = GraphNode::Kind::kDispatch,
                  .first_insn = static_cast<int>(last)};
      const bool arch = ctx_[last].a == A::kArch;
      d.lines = {arch ? "arch" : fmt::format("syscall number{}", ctx_[last].arch ? fmt::format(" ({})", Info(*ctx_[last].arch).name) : "")};
      for (auto& [to, set] : exits_[last]) {
        g_.edges.push_back({d.id, Target(to), arch ? ArchesText(set) : SyscallsText(set, ctx_[last].arch)});
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
  std::map<size_t, size_t> root_;   // each comparison: the root of its tree
  std::set<size_t> inner_;          // comparisons inside a tree (not its root)
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
  std::string out = "digraph filter {\n  rankdir=TB;\n  node [shape=box, fontname=\"monospace\", fontsize=10];\n"
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
        out += fmt::format("  {} [shape=box, style=\"rounded,filled\", fillcolor=\"{}\", label=\"{}\"];\n", n.id,
                           Colour(n.ret), Escape(n.lines.front()));
        break;
    }
  }
  for (const GraphEdge& e : g.edges) {
    out += e.label.empty() ? fmt::format("  {} -> {};\n", e.from, e.to)
                           : fmt::format("  {} -> {} [label=\"{}\"];\n", e.from, e.to, Escape(e.label));
  }
  return out + "}\n";
}

}  // namespace sysgate::analysis
