// sysgate decompile: the paths of a program (decompile_paths.h) grouped per ABI and syscall
// number into verdicts as functions of the arguments (decompile_conditions.h), those into the
// rules of a policy, and the policy proven equal to the program.
#include "sysgate/decompile.h"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "analysis/decompile_conditions.h"
#include "analysis/decompile_paths.h"
#include "analysis/describe_input.h"
#include "policy/groups.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/policy_text.h"

namespace sysgate::analysis {
namespace {

using decompile::Leaf;
using decompile::ValueSet;

constexpr uint64_t kMaxNumberRules = 4096;  // numbers outside the tables given rules of their own

// What the program decides for one set of paths (one ABI, a range of numbers): conditional
// verdicts, then the verdict of all other calls.
struct Decision {
  std::vector<std::pair<Action, Condition>> conditional;
  std::vector<std::vector<int>> conditional_insns;
  Action fallback;
  std::vector<int> fallback_insns;
  std::string key;  // equal for equal conditional parts
};

// What a return value makes the kernel do: its action, without the data the kernel ignores
// (USER_NOTIF's; `sysgate run` keeps the errno it answers with there).
Action KernelAction(uint32_t ret) {
  Action a = bpf::ActionOfRet(ret);
  return a.kind() == ActionKind::kNotify ? Action::Notify() : a;
}

// The action of a return value on `abi`, errno numbers as policies write them (generic).
Action ActionOn(uint32_t ret, Arch abi) {
  Action a = bpf::ActionOfRet(ret, abi);
  return a.kind() == ActionKind::kNotify ? Action::Notify() : a;
}

std::vector<int> Insns(const std::vector<const Leaf*>& leaves) {
  std::set<int> s;
  for (const Leaf* l : leaves) s.insert(l->ret_insn);
  return {s.begin(), s.end()};
}

// `prefer`: the verdict left for the calls no condition picks, when it is one of them (the
// policy's default, so that no rule needs saying it).
Decision Decide(const std::vector<const Leaf*>& leaves, Arch abi,
                const std::optional<Action>& prefer) {
  std::map<std::string, std::pair<Action, std::vector<const Leaf*>>> by_action;
  for (const Leaf* l : leaves) {
    Action a = ActionOn(l->ret, abi);
    auto& slot = by_action[a.ToString()];
    slot.first = a;
    slot.second.push_back(l);
  }
  Decision d;
  std::vector<std::pair<Action, std::optional<Condition>>> conds;
  std::vector<std::vector<const Leaf*>> groups;
  for (auto& [name, group] : by_action) {
    conds.emplace_back(group.first, by_action.size() == 1
                                        ? std::nullopt
                                        : decompile::PathsCondition(group.second, abi));
    groups.push_back(group.second);
  }
  // The verdict left for the calls no condition picks: one whose paths test nothing, else
  // the one with most paths.
  // The verdict left for the calls no condition picks: one whose paths test nothing, else the
  // one whose condition is longest (`prefer` among equals).
  auto cost = [&](size_t i) {
    return conds[i].second ? decompile::ConditionKey(*conds[i].second).size() : SIZE_MAX;
  };
  size_t fallback = 0;
  for (size_t i = 1; i < conds.size(); ++i) {
    bool preferred = prefer && conds[i].first == *prefer;
    if (cost(i) > cost(fallback) || (cost(i) == cost(fallback) && preferred)) fallback = i;
  }
  d.fallback = conds[fallback].first;
  d.fallback_insns = Insns(groups[fallback]);
  for (size_t i = 0; i < conds.size(); ++i) {
    if (i == fallback || !conds[i].second) continue;
    d.key += conds[i].first.ToString() + "?" + decompile::ConditionKey(*conds[i].second) + ";";
    d.conditional.emplace_back(conds[i].first, *conds[i].second);
    d.conditional_insns.push_back(Insns(groups[i]));
  }
  d.key += "else " + d.fallback.ToString();
  return d;
}

// The syscalls of one ABI whose numbers lie in a range of paths.
struct NumberClass {
  Arch abi;
  uint32_t lo, hi;
  int decision;
};

// The numbers of `abi` in seccomp_data of its audit value.
ValueSet AbiNumbers(Arch abi) {
  if (abi == Arch::kX32) return ValueSet::Of(0x40000000U, 0x7fffffffU);
  if (abi == Arch::kX86_64) return ValueSet::All().Minus(ValueSet::Of(0x40000000U, 0x7fffffffU));
  return ValueSet::All();
}

class Builder {
 public:
  explicit Builder(const std::vector<Leaf>& leaves) : leaves_(leaves) {}

  Result<void> Run() {
    if (auto r = SplitByAbi(); !r) return r;
    for (Arch abi : targets_) Sweep(abi);
    ChooseDefaults();
    for (size_t i = 0; i < decisions_.size(); ++i) {
      decisions_[i] =
          Decide(decision_leaves_[i].second, decision_leaves_[i].first, policy.default_action);
    }
    if (auto r = UnknownNumbers(); !r) return r;
    EmitRules();
    // A program may answer errno 0 (a faked success); the policy that says so must opt in.
    auto zero = [](const Action& a) { return a == Action::Errno(0); };
    policy.allow_errno_zero =
        zero(policy.default_action) || zero(policy.unknown_action) ||
        zero(policy.foreign_abi_action) ||
        std::ranges::any_of(policy.rules, [&](const Rule& r) { return zero(r.action); });
    return {};
  }

  Policy policy;
  std::vector<std::vector<int>> rule_insns;

 private:
  // The paths of each ABI, by the audit values their arch range holds. The rest of the range
  // (no ABI's audit value) gives the foreign action, which must be one; an ABI all of whose
  // calls get it need not be a target.
  Result<void> SplitByAbi() {
    std::vector<ValueSet::Range> audits;
    for (Arch a : AllArches()) audits.push_back({Info(a).audit_arch, Info(a).audit_arch});
    std::ranges::sort(audits);
    const ValueSet known = ValueSet::FromSorted(audits);
    const Leaf* foreign = nullptr;
    for (const Leaf& l : leaves_) {
      if (l.words[decompile::kArchWord].range.Minus(known).empty()) continue;
      if (foreign && !(KernelAction(foreign->ret) == KernelAction(l.ret))) {
        return MakeError(ErrorCode::kUnsupported,
                         fmt::format("instructions {} and {}: calls of arches no ABI has get {} "
                                     "and {}; a sysgate policy gives them one action (`foreign`)",
                                     foreign->ret_insn, l.ret_insn, bpf::RetName(foreign->ret),
                                     bpf::RetName(l.ret)));
      }
      foreign = &l;
    }
    policy.foreign_abi_action = KernelAction(foreign->ret);  // some path has them
    std::set<Arch> targets;
    for (const Leaf& l : leaves_) {
      const ValueSet& arch = l.words[decompile::kArchWord].range;
      for (Arch abi : AllArches()) {
        if (!arch.Contains(Info(abi).audit_arch)) continue;
        ValueSet nrs = l.words[decompile::kNrWord].range.Intersect(AbiNumbers(abi));
        if (nrs.empty()) continue;
        by_abi_[abi].push_back({&l, nrs});
        if (!(ActionOn(l.ret, abi) == ActionOn(bpf::RetOf(policy.foreign_abi_action, abi), abi))) {
          targets.insert(abi);
        }
      }
    }
    for (Arch abi : AllArches()) {
      if (targets.count(abi)) targets_.push_back(abi);
    }
    if (targets_.empty()) targets_.push_back(HostArch());
    return {};
  }

  // The ranges of numbers of `abi` that share their paths, each with its decision.
  void Sweep(Arch abi) {
    std::vector<std::tuple<uint64_t, int, size_t>> events;  // at, +1/-1, path
    const auto& paths = by_abi_[abi];
    for (size_t i = 0; i < paths.size(); ++i) {
      for (auto [lo, hi] : paths[i].second.ranges()) {
        events.emplace_back(lo, 1, i);
        events.emplace_back(uint64_t{hi} + 1, -1, i);
      }
    }
    std::ranges::sort(events);
    std::set<size_t> active;
    for (size_t e = 0; e < events.size();) {
      uint64_t at = std::get<0>(events[e]);
      for (; e < events.size() && std::get<0>(events[e]) == at; ++e) {
        auto [_, delta, i] = events[e];
        if (delta > 0)
          active.insert(i);
        else
          active.erase(i);
      }
      if (active.empty() || at > UINT32_MAX) continue;
      uint64_t end = e < events.size() ? std::get<0>(events[e]) - 1 : UINT32_MAX;
      std::vector<const Leaf*> leaves;
      for (size_t i : active) leaves.push_back(paths[i].first);
      std::vector<int> key;
      for (const Leaf* l : leaves) key.push_back(static_cast<int>(l - leaves_.data()));
      key.push_back(static_cast<int>(abi));
      auto [it, fresh] = decision_of_.try_emplace(key, static_cast<int>(decisions_.size()));
      if (fresh) {
        decisions_.push_back(Decide(leaves, abi, std::nullopt));
        decision_leaves_.push_back({abi, leaves});
      }
      classes_.push_back({abi, static_cast<uint32_t>(at), static_cast<uint32_t>(end), it->second});
    }
  }

  // The unknown action is the verdict of most numbers outside the tables, the default the
  // commonest verdict of the syscalls in them (or the unknown action, below).
  void ChooseDefaults() {
    std::map<std::string, std::pair<Action, uint64_t>> known, unknown;
    for (const NumberClass& c : classes_) {
      const Decision& d = decisions_[static_cast<size_t>(c.decision)];
      uint64_t in_table = 0;
      for (const SyscallEntry& e : Syscalls(c.abi)) {
        uint32_t n = static_cast<uint32_t>(e.nr);
        if (n < c.lo || n > c.hi) continue;
        ++in_table;
        auto& k = known[d.fallback.ToString()];
        k.first = d.fallback;
        ++k.second;
        syscalls_.push_back({c.abi, e.nr, std::string(e.name), c.decision});
      }
      if (d.conditional.empty()) {
        auto& u = unknown[d.fallback.ToString()];
        u.first = d.fallback;
        u.second += uint64_t{c.hi} - c.lo + 1 - in_table;
      }
    }
    auto most = [](const auto& m, Action dflt) {
      Action best = dflt;
      uint64_t n = 0;
      for (const auto& [_, v] : m) {
        if (v.second > n) {
          n = v.second;
          best = v.first;
        }
      }
      return best;
    };
    policy.unknown_action = most(unknown, Action::Errno(38));
    policy.default_action = most(known, Action::KillProcess());
    // A filter's own default (libseccomp's, say) decides the numbers it does not know as well
    // as the syscalls it does not list: when that verdict is common among the syscalls, it is
    // the default, even if another is commoner (Docker's allow list stays an allow list).
    uint64_t all = 0;
    for (const auto& [_, v] : known) all += v.second;
    if (auto it = known.find(policy.unknown_action.ToString());
        it != known.end() && it->second.second * 8 >= all) {
      policy.default_action = policy.unknown_action;
    }
  }

  // Numbers outside the tables that the unknown action does not decide get rules of their own,
  // while there are few.
  Result<void> UnknownNumbers() {
    uint64_t total = 0;
    for (const NumberClass& c : classes_) {
      const Decision& d = decisions_[static_cast<size_t>(c.decision)];
      if (d.conditional.empty() && d.fallback == policy.unknown_action) continue;
      for (uint64_t n = c.lo; n <= c.hi; ++n) {
        int32_t nr = static_cast<int32_t>(static_cast<uint32_t>(n));
        if (SyscallName(c.abi, nr)) continue;
        if (++total > kMaxNumberRules) {
          int insn = d.conditional_insns.empty() ? d.fallback_insns[0] : d.conditional_insns[0][0];
          return MakeError(
              ErrorCode::kUnsupported,
              fmt::format("instruction {}: numbers outside {}'s syscall table ({:#x}..{:#x}) are "
                          "decided apart from the others; a sysgate policy gives them one action "
                          "(`unknown`) beyond {} numbers",
                          insn, Info(c.abi).name, c.lo, c.hi, kMaxNumberRules));
        }
        syscalls_.push_back({c.abi, nr, "", c.decision});
      }
    }
    return {};
  }

  struct Entry {
    Arch abi;
    int32_t nr;
    std::string name;  // empty: a number outside the table
    int decision;
  };

  std::vector<Arch> ExistsOn(const std::string& name) {
    std::vector<Arch> out;
    for (Arch a : targets_) {
      if (SyscallNumber(a, name)) out.push_back(a);
    }
    return out;
  }

  // Rules: the multiplexers' first (a rule on `socket` also decides socketcall(SYS_SOCKET) on
  // i386 unless socketcall is decided before it), then conditional verdicts, then the rest.
  void EmitRules() {
    policy.arches = targets_;
    auto is_mux = [](const Entry& e) { return e.name == "socketcall" || e.name == "ipc"; };
    for (bool mux : {true, false}) {
      // (decision key, arches or none) -> names, with their decision.
      std::map<std::pair<std::string, std::vector<Arch>>, std::pair<int, std::vector<Entry>>> cond,
          plain;
      // (name, decision key) -> the ABIs where the name has that decision, and one of them.
      std::map<std::pair<std::string, std::string>, std::pair<int, std::vector<Arch>>> arches_of;
      for (const Entry& e : syscalls_) {
        if (is_mux(e) != mux) continue;
        const Decision& d = decisions_[static_cast<size_t>(e.decision)];
        auto& slot = arches_of[{e.name.empty() ? fmt::format("#{}", e.nr) : e.name, d.key}];
        slot.first = e.decision;
        slot.second.push_back(e.abi);
      }
      for (const auto& [key, value] : arches_of) {
        const std::string& name = key.first;
        const auto& [decision, arches] = value;
        const Decision& d = decisions_[static_cast<size_t>(decision)];
        const bool number = name[0] == '#';
        std::vector<Arch> on = arches;
        if (!number && arches == ExistsOn(name)) on.clear();
        Entry e{arches[0], number ? std::stoi(name.substr(1)) : 0, number ? "" : name, decision};
        if (!d.conditional.empty()) {
          auto& slot = cond[{d.key, on}];
          slot.first = decision;
          slot.second.push_back(e);
        }
        const Action& dflt = number ? policy.unknown_action : policy.default_action;
        if (mux || !(d.fallback == dflt)) {
          auto& slot = plain[{d.fallback.ToString(), on}];
          slot.first = decision;
          slot.second.push_back(e);
        }
      }
      for (const auto& [key, slot] : cond) {
        const Decision& d = decisions_[static_cast<size_t>(slot.first)];
        for (size_t i = 0; i < d.conditional.size(); ++i) {
          Rule r = MakeRule(d.conditional[i].first, slot.second, key.second);
          r.condition = d.conditional[i].second;
          NameArguments(r);
          policy.rules.push_back(std::move(r));
          rule_insns.push_back(d.conditional_insns[i]);
        }
      }
      for (const auto& [key, slot] : plain) {
        // Entries of one action may come from several decisions: their fallbacks' RETs.
        std::set<int> insns;
        for (const Entry& e : slot.second) {
          const auto& v = decisions_[static_cast<size_t>(e.decision)].fallback_insns;
          insns.insert(v.begin(), v.end());
        }
        Rule r =
            MakeRule(decisions_[static_cast<size_t>(slot.first)].fallback, slot.second, key.second);
        if (key.second.empty()) UseGroups(r);
        policy.rules.push_back(std::move(r));
        rule_insns.push_back({insns.begin(), insns.end()});
      }
    }
  }

  static Rule MakeRule(const Action& a, const std::vector<Entry>& entries,
                       const std::vector<Arch>& on) {
    Rule r;
    r.action = a;
    r.arches = on;
    for (const Entry& e : entries) {
      r.syscalls.push_back(e.name.empty() ? SyscallSpec::Number(e.nr) : SyscallSpec::Name(e.name));
    }
    return r;
  }

  // The ABIs a rule applies to.
  std::vector<Arch> RuleAbis(const Rule& r) const { return r.arches.empty() ? targets_ : r.arches; }

  // Arguments by the names the prototypes give them where every syscall of the rule has that
  // name in that register on every ABI of the rule (`clone_flags` is arg1 on s390x); values by
  // the names of constants where one means that value there (`family == AF_INET`).
  void NameArguments(Rule& r) const {
    std::map<int, std::string> names;
    std::function<void(Condition&, bool)> visit = [&](Condition& c, bool rename) {
      if (c.kind() != Condition::Kind::kCompare) {
        for (Condition& ch : c.children()) visit(ch, rename);
        return;
      }
      Comparison& cmp = c.comparison();
      if (!rename) {
        names.emplace(cmp.arg.index, "");
        return;
      }
      cmp.arg.name = names[cmp.arg.index];
      NameValues(r, cmp);
    };
    visit(*r.condition, false);
    for (auto& [index, name] : names) {
      std::optional<std::string> common;
      for (const SyscallSpec& s : r.syscalls) {
        for (Arch abi : RuleAbis(r)) {
          if (s.kind != SyscallSpec::Kind::kName) {
            common = "";
            continue;
          }
          const Signature* sig = FindSignature(abi, s.name);
          if (!sig) continue;
          std::string here;
          for (int i = 0; i < sig->nargs; ++i) {
            const ArgInfo& a = sig->args[static_cast<size_t>(i)];
            if (a.slot == index && a.hi_slot < 0) here = std::string(a.name);
          }
          if (!common) common = here;
          if (*common != here) common = "";
        }
      }
      name = common.value_or("");
    }
    visit(*r.condition, true);
  }

  // Constant names for the values of a few well-known arguments, where they mean the same value
  // on every ABI of the rule.
  void NameValues(const Rule& r, Comparison& cmp) const {
    static const std::map<std::string_view, std::string_view> kPrefixes = {
        {"family", "AF_"},           {"domain", "AF_"}, {"clone_flags", "CLONE_"},
        {"unshare_flags", "CLONE_"}, {"option", "PR_"}, {"request", "PTRACE_"}};
    std::string_view prefix;
    if (auto it = kPrefixes.find(cmp.arg.name); it != kPrefixes.end()) prefix = it->second;
    auto only = [&](std::initializer_list<std::string_view> names) {
      return std::ranges::all_of(r.syscalls, [&](const SyscallSpec& s) {
        return std::ranges::find(names, s.name) != names.end();
      });
    };
    if (cmp.arg.name == "cmd" && only({"ioctl"})) prefix = "TIOC";
    if (cmp.arg.name == "flags" && only({"open", "openat"})) prefix = "O_";
    if (prefix.empty()) return;
    const std::vector<Arch> abis = RuleAbis(r);
    auto name_of = [&](uint64_t v) -> std::string {
      std::string best;
      for (const auto& [n, value] : ConstantsWithPrefix(prefix, abis[0])) {
        if (static_cast<uint64_t>(value) != v) continue;
        bool same = std::ranges::all_of(abis, [&](Arch a) {
          auto x = FindConstant(a, n);
          return x && static_cast<uint64_t>(*x) == v;
        });
        if (same && (best.empty() || n > best)) best = std::string(n);
      }
      return best;
    };
    bool masked = cmp.op == CmpOp::kMaskedEq;
    for (size_t i = 0; i < cmp.operands.size(); ++i) {
      Operand& o = cmp.operands[i];
      if (masked && i == 1 && o.value == 0) continue;
      if (!masked || prefix != "CLONE_") {
        if (o.value != 0) o.spelling = name_of(o.value);
        continue;
      }
      // A mask of flags: each bit by its name, or none at all.
      std::vector<std::string> bits;
      for (uint64_t b = 1; b != 0 && b <= o.value; b <<= 1) {
        if (!(o.value & b)) continue;
        bits.push_back(name_of(b));
        if (bits.back().empty()) return;
      }
      o.spelling = bits.size() == 1 ? bits[0] : fmt::format("({})", fmt::join(bits, " | "));
    }
  }

  // Names of a rule for every target replaced by the groups all of whose members (on the
  // targets) it names, largest group first.
  void UseGroups(Rule& r) {
    std::set<std::string> names;
    for (const SyscallSpec& s : r.syscalls) {
      if (s.kind == SyscallSpec::Kind::kName) names.insert(s.name);
    }
    std::vector<const policy::SyscallGroup*> groups;
    for (const policy::SyscallGroup& g : policy::AllGroups()) groups.push_back(&g);
    auto members = [&](const policy::SyscallGroup* g) {
      std::vector<std::string> m;
      for (const SyscallNameText& n : g->members) {
        std::string s(n);
        if (!ExistsOn(s).empty()) m.push_back(s);
      }
      return m;
    };
    std::ranges::stable_sort(
        groups, [&](auto* a, auto* b) { return a->members.size() > b->members.size(); });
    std::set<std::string> covered;
    std::vector<SyscallSpec> specs;
    for (const policy::SyscallGroup* g : groups) {
      std::vector<std::string> m = members(g);
      if (m.size() < 3) continue;
      bool all = std::ranges::all_of(m, [&](const std::string& n) { return names.count(n) > 0; });
      size_t fresh =
          std::ranges::count_if(m, [&](const std::string& n) { return !covered.count(n); });
      if (!all || fresh < 2) continue;
      specs.push_back(SyscallSpec::Group(std::string(g->name)));
      covered.insert(m.begin(), m.end());
    }
    for (const SyscallSpec& s : r.syscalls) {
      if (s.kind != SyscallSpec::Kind::kName || !covered.count(s.name)) specs.push_back(s);
    }
    r.syscalls = std::move(specs);
  }

  const std::vector<Leaf>& leaves_;
  std::map<Arch, std::vector<std::pair<const Leaf*, ValueSet>>> by_abi_;
  std::vector<Arch> targets_;
  std::vector<Decision> decisions_;
  std::map<std::vector<int>, int> decision_of_;
  std::vector<std::pair<Arch, std::vector<const Leaf*>>> decision_leaves_;
  std::vector<NumberClass> classes_;
  std::vector<Entry> syscalls_;
};

// The proof: the input program, the policy and the policy compiled again give the same action
// on the boundary inputs of the policy and at the edges of every number range the program
// tells apart.
Result<size_t> Prove(const bpf::Program& input, const Policy& policy, const bpf::Program& again,
                     const std::vector<Leaf>& leaves) {
  Interpreter interp(policy);
  InputCheck same = [&](const SeccompData& d) -> Result<void> {
    auto a = Emulate(input, d);
    auto b = Emulate(again, d);
    if (!a || !b)
      return MakeError(ErrorCode::kInternal, "emulation failed: " + (a ? b : a).error().message);
    Action want = KernelAction(a->ret), got = KernelAction(b->ret);
    Action said = KernelAction(bpf::RetOf(interp.Evaluate(d).action, d));
    if (want == got && want == said) return {};
    return MakeError(
        ErrorCode::kInternal,
        fmt::format("the decompiled policy is not the program {}: the program "
                    "returns {}, the policy says {}, compiled again it returns {}",
                    DescribeInput(d), bpf::RetName(a->ret), said.ToString(), bpf::RetName(b->ret)));
  };
  auto n = ForEachBoundaryInput(policy, same);
  if (!n) return n.error();
  size_t inputs = *n;
  std::set<std::pair<uint32_t, uint32_t>> seen;
  for (const Leaf& l : leaves) {
    std::vector<uint32_t> audits;
    for (auto [lo, hi] : l.words[decompile::kArchWord].range.ranges()) {
      for (uint64_t v : {uint64_t{lo}, uint64_t{hi}}) audits.push_back(static_cast<uint32_t>(v));
    }
    for (Arch a : AllArches()) {
      if (l.words[decompile::kArchWord].range.Contains(Info(a).audit_arch))
        audits.push_back(Info(a).audit_arch);
    }
    for (uint32_t audit : audits) {
      for (auto [lo, hi] : l.words[decompile::kNrWord].range.ranges()) {
        for (uint32_t nr : {lo - 1, lo, hi, hi + 1}) {
          if (!seen.insert({audit, nr}).second) continue;
          SeccompData d;
          d.arch = audit;
          d.nr = static_cast<int32_t>(nr);
          for (auto args :
               {std::array<uint64_t, 6>{},
                std::array<uint64_t, 6>{~0ULL, 1, 0xffffffffULL, 0x100000000ULL, 42, 7}}) {
            d.args = args;
            if (auto r = same(d); !r) return r.error();
            ++inputs;
          }
        }
      }
    }
  }
  return inputs;
}

}  // namespace

Result<Decompiled> Decompile(const bpf::Program& prog, const DecompileOptions& options) {
  if (auto ok = VerifyLoadable(prog); !ok) {
    return MakeError(ErrorCode::kInvalidArgument,
                     "the kernel would not load this program: " + ok.error().message);
  }
  auto leaves = decompile::ExplorePaths(prog, options.max_paths);
  if (!leaves) return leaves.error();
  Builder b(*leaves);
  if (auto r = b.Run(); !r) return r.error();
  Decompiled out;
  out.paths = leaves->size();
  out.text = fmt::format("# decompiled by sysgate from {} ({} instructions, {} paths)\n",
                         options.name, prog.size(), leaves->size()) +
             PrintPolicy(b.policy);
  ParsedPolicy parsed = ParsePolicyText(out.text, options.name + ".sgp");
  if (!parsed.ok()) {
    return MakeError(ErrorCode::kInternal,
                     "the decompiled policy does not read back (a sysgate bug): " +
                         parsed.FirstError().ToString());
  }
  out.policy = std::move(*parsed.policy);
  out.rule_insns = std::move(b.rule_insns);
  auto again = Compile(out.policy);
  if (!again) {
    return MakeError(again.error().code,
                     "the decompiled policy does not compile: " + again.error().message);
  }
  out.recompiled_length = again->size();
  auto proof = Prove(prog, out.policy, *again, *leaves);
  if (!proof) return proof.error();
  out.inputs_checked = *proof;
  return out;
}

}  // namespace sysgate::analysis
