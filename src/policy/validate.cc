#include "policy/validate.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"
#include "policy/groups.h"
#include "policy/resolve.h"
#include "policy/satisfiable.h"
#include "policy/syscall_set.h"

namespace sysgate::policy {
namespace {

bool IsResolved(const Condition& c) {
  if (c.kind() == Condition::Kind::kCompare) return c.comparison().arg.index >= 0;
  return std::ranges::all_of(c.children(), IsResolved);
}

class Checker {
 public:
  explicit Checker(const Policy& p) : policy_(p), targets_(p.TargetArches()) {}

  std::vector<Diagnostic> Run() {
    if (!policy_.arches.empty() && targets_.empty()) Add(Severity::kError, {}, "no target arch");
    CheckAction(policy_.default_action, policy_.default_loc, "default action");
    CheckAction(policy_.unknown_action, policy_.unknown_loc, "unknown action");
    CheckAction(policy_.foreign_abi_action, {}, "foreign-ABI action");  // set by no language
    for (size_t i = 0; i < policy_.rules.size(); ++i) CheckRule(policy_.rules[i]);
    CheckReachability();
    return std::move(diags_);
  }

 private:
  void Add(Severity s, const SourceLoc& loc, std::string msg) {
    diags_.push_back({s, loc, std::move(msg), 1});
  }

  void CheckAction(const Action& a, const SourceLoc& loc, std::string_view what) {
    switch (a.kind()) {
      case ActionKind::kErrno:
        if (a.data() == 0 && !policy_.allow_errno_zero) {
          Add(Severity::kError, loc,
              fmt::format("{}: errno(0) makes the syscall return 0 without running it; if that "
                          "is what you want, add `option allow-errno-zero`",
                          what));
        } else if (a.data() > 4095) {
          Add(Severity::kError, loc,
              fmt::format("{}: errno {} is out of range: the kernel carries 1..4095 "
                          "(larger values become 4095)",
                          what, a.data()));
        }
        break;
      case ActionKind::kTrap:
      case ActionKind::kTrace:
      case ActionKind::kNotify:
        if (a.data() > 0xffff) {
          Add(Severity::kError, loc,
              fmt::format("{}: {} data {} does not fit the 16 bits the kernel carries", what,
                          ActionKindName(a.kind()), a.data()));
        }
        break;
      default: break;
    }
  }

  std::vector<Arch> RuleArches(const Rule& r) const {
    std::vector<Arch> out;
    for (Arch a : targets_) {
      if (RuleAppliesTo(r, a)) out.push_back(a);
    }
    return out;
  }

  void CheckRule(const Rule& r) {
    CheckAction(r.action, r.loc, "rule");
    for (Arch a : r.arches) {
      if (std::ranges::find(targets_, a) == targets_.end()) {
        // A policy without `arch` is portable: rules for other hosts' arches are expected.
        Add(policy_.arches.empty() ? Severity::kNote : Severity::kWarning, r.loc,
            fmt::format("the rule is limited to {}, which the policy does not target",
                        Info(a).name));
      }
    }
    std::vector<Arch> arches = RuleArches(r);
    for (const SyscallSpec& s : r.syscalls) CheckSpec(s, r, arches);
    if (r.condition) {
      CheckPointerArgs(*r.condition, r);
      if (IsResolved(*r.condition) && !MaybeSatisfiable(*r.condition)) {
        Add(Severity::kWarning, r.loc,
            "the condition can never be true, so this rule never applies");
      }
    }
  }

  void CheckSpec(const SyscallSpec& s, const Rule& r, const std::vector<Arch>& arches) {
    const SourceLoc& loc = s.loc.known() ? s.loc : r.loc;
    switch (s.kind) {
      case SyscallSpec::Kind::kGroup:
        if (!FindGroup(s.name)) {
          std::string msg = fmt::format("unknown syscall group '{}'", s.name);
          if (auto m = base::ClosestMatch(s.name, GroupNames())) {
            msg += fmt::format("; did you mean '{}'?", *m);
          }
          Add(Severity::kError, loc, msg);
        }
        return;
      case SyscallSpec::Kind::kNumber:
        if (s.number < 0) {
          Add(Severity::kWarning, loc,
              fmt::format("syscall number {} is negative: -1 is what a tracer uses to skip a "
                          "syscall; no real syscall has it",
                          s.number));
        } else if (arches.size() > 1) {
          Add(Severity::kWarning, loc,
              fmt::format("syscall number {} means a different syscall on each of the {} "
                          "arches this rule covers; limit the rule with `on ARCH`",
                          s.number, arches.size()));
        }
        return;
      case SyscallSpec::Kind::kName: break;
    }
    if (!IsSyscallName(s.name)) {
      Add(Severity::kError, loc, UnknownSyscallMessage(s.name));
      return;
    }
    std::vector<std::string_view> missing;
    for (Arch a : arches) {
      if (!SyscallNumber(a, s.name)) missing.push_back(Info(a).name);
    }
    if (arches.empty() || missing.empty()) return;
    if (missing.size() == arches.size()) {
      Add(Severity::kError, loc,
          fmt::format("{} does not exist on {}", s.name, fmt::join(missing, ", ")));
    } else {
      Add(Severity::kNote, loc,
          fmt::format("{} does not exist on {}; the rule covers it on the other arches", s.name,
                      fmt::join(missing, ", ")));
    }
  }

  void CheckPointerArgs(const Condition& c, const Rule& r) {
    if (c.kind() != Condition::Kind::kCompare) {
      for (const Condition& ch : c.children()) CheckPointerArgs(ch, r);
      return;
    }
    const Comparison& cmp = c.comparison();
    for (std::string_view n : RuleSyscallNames(r)) {
      const Signature* sig = FindSignature(n);
      if (!sig || cmp.arg.index < 0 || cmp.arg.index >= sig->nargs) continue;
      ArgKind k = sig->args[static_cast<size_t>(cmp.arg.index)].kind;
      if (k == ArgKind::kPointer || k == ArgKind::kString || k == ArgKind::kStruct) {
        Add(Severity::kWarning, cmp.loc.known() ? cmp.loc : r.loc,
            fmt::format("arg{} of {} is a pointer: seccomp compares the address, never what it "
                        "points to",
                        cmp.arg.index, n));
        return;
      }
    }
  }

  // Which syscalls earlier unconditional rules decide, per arch, and what this rule adds.
  void CheckReachability() {
    // decided[arch][nr] = index of the first unconditional rule that covers nr on arch
    std::map<Arch, std::map<int32_t, size_t>> decided;
    for (size_t i = 0; i < policy_.rules.size(); ++i) {
      const Rule& r = policy_.rules[i];
      bool any_new = false, any = false;
      std::set<size_t> shadowers;
      for (Arch a : RuleArches(r)) {
        for (int32_t nr : SyscallNumbers(r.syscalls, a)) {
          any = true;
          auto it = decided[a].find(nr);
          if (it == decided[a].end()) {
            any_new = true;
          } else {
            shadowers.insert(it->second);
          }
        }
      }
      if (any && !any_new) {
        const Rule& first = policy_.rules[*shadowers.begin()];
        Add(Severity::kWarning, r.loc,
            fmt::format("this rule is unreachable: earlier rules without conditions decide "
                        "every syscall it names (see {})",
                        first.loc.known() ? first.loc.ToString()
                                          : fmt::format("rule {}", *shadowers.begin() + 1)));
      } else {
        CheckNamedConflicts(r, decided);
      }
      if (!r.condition) {
        for (Arch a : RuleArches(r)) {
          for (int32_t nr : SyscallNumbers(r.syscalls, a)) decided[a].emplace(nr, i);
        }
      }
    }
  }

  // A syscall named explicitly (not through a group) that an earlier unconditional rule
  // already decides: the author probably expects this rule to apply to it.
  void CheckNamedConflicts(const Rule& r,
                           const std::map<Arch, std::map<int32_t, size_t>>& decided) {
    for (const SyscallSpec& s : r.syscalls) {
      if (s.kind != SyscallSpec::Kind::kName) continue;
      for (Arch a : RuleArches(r)) {
        auto nr = SyscallNumber(a, s.name);
        if (!nr) continue;
        auto da = decided.find(a);
        if (da == decided.end()) continue;
        auto it = da->second.find(*nr);
        if (it == da->second.end()) continue;
        const Rule& first = policy_.rules[it->second];
        std::string where =
            first.loc.known() ? first.loc.ToString() : fmt::format("rule {}", it->second + 1);
        if (first.action == r.action) {
          Add(Severity::kNote, s.loc.known() ? s.loc : r.loc,
              fmt::format("{} is already {} by the rule at {}", s.name, r.action.ToString(),
                          where));
        } else {
          Add(Severity::kWarning, s.loc.known() ? s.loc : r.loc,
              fmt::format("{} is already decided ({}) by the rule at {}, so {} never applies "
                          "to it; first match wins",
                          s.name, first.action.ToString(), where, r.action.ToString()));
        }
        break;
      }
    }
  }

  const Policy& policy_;
  std::vector<Arch> targets_;
  std::vector<Diagnostic> diags_;
};

}  // namespace

std::vector<Diagnostic> Validate(const Policy& policy) {
  std::vector<Diagnostic> out = Checker(policy).Run();
  std::vector<Diagnostic> access = ValidateAccessRules(policy.access);
  out.insert(out.end(), access.begin(), access.end());
  return out;
}

}  // namespace sysgate::policy
