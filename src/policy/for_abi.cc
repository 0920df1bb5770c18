#include "policy/for_abi.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "base/strings.h"
#include "policy/resolve.h"
#include "policy/syscall_set.h"

namespace sysgate::policy {
namespace {

// Messages name the ABI with this, so that CheckAbis can merge one message for several ABIs.
constexpr std::string_view kAbiMark = "\x01";

struct TypeOnAbi {
  int slot = -1;
  int hi_slot = -1;
  int bits = 64;
  bool is_signed = false;
};

// Allow and log let the syscall run: leaving a syscall out of such a rule (other rules or the
// default decide it then) is never more permissive than the rule.
bool LetsItRun(const Action& a) {
  return a.kind() == ActionKind::kAllow || a.kind() == ActionKind::kLog;
}

class Lowerer {
 public:
  Lowerer(Arch abi, std::vector<Diagnostic>* diags) : abi_(abi), diags_(diags) {}

  void LowerRule(Rule& r) {
    if (!RuleAppliesTo(r, abi_) || SyscallNumbers(r.syscalls, abi_).empty() || !r.condition) return;
    names_.clear();
    for (std::string_view n : RuleSyscallNames(r)) {
      if (SyscallNumber(abi_, n)) names_.push_back(n);
    }
    may_leave_out_ = LetsItRun(r.action);
    left_out_.clear();
    LowerCondition(*r.condition);
    if (left_out_.empty()) return;
    std::vector<SyscallSpec> kept;
    for (const SyscallSpec& s : r.syscalls) {
      if (s.kind == SyscallSpec::Kind::kNumber) kept.push_back(s);
    }
    for (std::string_view n : names_) {
      if (!left_out_.contains(n)) kept.push_back(SyscallSpec::Name(std::string(n)));
    }
    r.syscalls = std::move(kept);
  }

 private:
  void Error(const SourceLoc& loc, std::string msg) {
    if (diags_) diags_->push_back({Severity::kError, loc, std::move(msg), 1});
  }
  void Warn(const SourceLoc& loc, std::string msg) {
    if (diags_) diags_->push_back({Severity::kWarning, loc, std::move(msg), 1});
  }

  void LowerCondition(Condition& c) {
    if (c.kind() != Condition::Kind::kCompare) {
      for (Condition& ch : c.children()) LowerCondition(ch);
      return;
    }
    Comparison lowered = c.comparison();
    bool narrow = false;
    if (!LowerArg(lowered, narrow) || !LowerOperands(lowered, narrow)) return;
    c.comparison() = std::move(lowered);
  }

  // The argument's register, width and signedness on the ABI. `narrow`: a 64-bit comparison
  // of an argument that is 32 bits wide there, which reads the low half if the constants fit.
  bool LowerArg(Comparison& cmp, bool& narrow) {
    ArgRef& arg = cmp.arg;
    const ArchInfo& info = Info(abi_);
    std::optional<TypeOnAbi> type;
    std::string_view from;
    for (std::string_view n : names_) {
      const Signature* sig = FindSignature(abi_, n);
      if (!sig) continue;  // no prototype known: no opinion
      const ArgInfo* a = nullptr;
      for (int i = 0; i < sig->nargs; ++i) {
        const ArgInfo& x = sig->args[static_cast<size_t>(i)];
        bool match = arg.name.empty() ? (x.slot == arg.index && x.hi_slot < 0) : x.name == arg.name;
        if (match) a = &x;
      }
      if (!a && arg.name.empty()) continue;  // a register no argument of n occupies alone
      std::string problem;
      if (!a) {
        problem = fmt::format("{} has no argument named '{}' on {} (its signature there: {})", n,
                              arg.name, kAbiMark, FormatSignature(*sig));
      } else if (a->slot > 5 || a->hi_slot > 5) {
        problem = fmt::format("{} of {} is passed on the stack on {}: seccomp cannot see it",
                              arg.name, n, kAbiMark);
      }
      if (!problem.empty()) {
        if (!may_leave_out_) {
          Error(cmp.loc, problem);
          return false;
        }
        if (left_out_.insert(n).second) {
          Warn(cmp.loc, fmt::format("{}: the rule does not apply to {} there", problem, n));
        }
        continue;
      }
      TypeOnAbi t{a->slot, a->hi_slot, a->bits, a->is_signed};
      if (type && (type->slot != t.slot || type->hi_slot != t.hi_slot)) {
        Error(cmp.loc,
              fmt::format("'{}' is in different registers in {} and {} on {}: split the rule",
                          arg.name, from, n, kAbiMark));
        return false;
      }
      if (type && !arg.explicit_type && (type->bits != t.bits || type->is_signed != t.is_signed)) {
        Error(cmp.loc, fmt::format("arg{} has different types in {} and {} on {}: give it one "
                                   "(arg{}:u32, :s64, ...)",
                                   t.slot, from, n, kAbiMark, t.slot));
        return false;
      }
      type = t;
      from = n;
    }
    // On ABIs with a 32-bit long, a comparison written as 64-bit of an argument that is 32 bits
    // wide there reads its low half when the constants fit in 32 bits, as libseccomp does: C
    // code cannot pass more, and the upper half is the kernel's extension of the register (or,
    // on x32 and mips n32, whatever the 64-bit register holds).
    const bool ilp32 = info.word_bits == 32;
    if (!type) {
      narrow = ilp32 && arg.width == Width::k64;
      return true;
    }
    arg.index = type->slot;
    arg.hi_index = type->hi_slot;
    if (!arg.explicit_type) {  // the type the ABI gives it: long is 32 bits on i386
      arg.is_signed = type->is_signed;
      arg.width = type->bits == 64 ? Width::k64 : Width::k32;
    }
    narrow = ilp32 && arg.width == Width::k64 && type->bits == 32;
    if (arg.width == Width::k32) arg.hi_index = -1;  // a 32-bit comparison reads the low half
    return true;
  }

  bool LowerOperands(Comparison& cmp, bool narrow) {
    bool fit = true;
    for (Operand& o : cmp.operands) {
      auto v = o.On(abi_);
      if (!v) {
        Error(cmp.loc, fmt::format("{} has no value on {}", o.spelling, kAbiMark));
        return false;
      }
      o.value = *v;
      o.per_abi.reset();
      fit = fit && FitsIn32Bits(o.value);
    }
    // A constant beyond 32 bits keeps the comparison of all 64 bits.
    if (narrow && fit) cmp.arg.width = Width::k32;
    if (auto error = NormaliseOperands(cmp, fmt::format(" on {}", kAbiMark))) {
      Error(cmp.loc, *error);
      return false;
    }
    return true;
  }

  Arch abi_;
  std::vector<Diagnostic>* diags_;
  std::vector<std::string_view> names_;  // the rule's syscalls that the ABI has
  bool may_leave_out_ = false;
  std::set<std::string_view> left_out_;  // of names_: syscalls the condition cannot apply to
};

// socketcall(2) and ipc(2) carry the socket and SysV IPC calls on the ABIs that have them
// (i386, s390x, ppc, mips o32, sparc, m68k): socketcall(SYS_SOCKET, args) is socket(...)
// with its arguments in memory. Their calls are named SYS_<NAME> and <NAME> in the headers.
struct Multiplexer {
  std::string_view name;
  std::string_view prefix;  // of the call constants
  uint32_t call_mask;       // the bits of the first argument that name the call
  std::string_view calls[20];
};
constexpr Multiplexer kMultiplexers[] = {
    {"socketcall", "SYS_", 0xffffffffU, {"socket",   "bind",        "connect",     "listen",
                                         "accept",   "getsockname", "getpeername", "socketpair",
                                         "send",     "recv",        "sendto",      "recvfrom",
                                         "shutdown", "setsockopt",  "getsockopt",  "sendmsg",
                                         "recvmsg",  "accept4",     "recvmmsg",    "sendmmsg"}},
    // ipc's call carries a version in its upper 16 bits (ipc/syscall.c).
    {"ipc",
     "",
     0xffffU,
     {"semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl", "shmat",
      "shmdt", "shmget", "shmctl"}},
};

// True if the policy decides multiplexer `name` itself: a rule names it (not through a group)
// with a condition (on its calls) or to refuse it.
bool DecidesMultiplexer(const Policy& p, std::string_view name) {
  for (const Rule& r : p.rules) {
    if (!r.condition && LetsItRun(r.action)) continue;
    for (const SyscallSpec& s : r.syscalls) {
      if (s.kind == SyscallSpec::Kind::kName && s.name == name) return true;
    }
  }
  return false;
}

// True if the policy may allow multiplexer `name` on `abi`: an allowing rule names it before any
// rule refuses it outright, or nothing refuses it and the default allows.
bool MultiplexerMayAllow(const Policy& p, std::string_view name, Arch abi) {
  for (const Rule& r : p.rules) {
    if (!RuleAppliesTo(r, abi) || !std::ranges::binary_search(RuleSyscallNames(r), name)) continue;
    if (LetsItRun(r.action)) return true;
    if (!r.condition) return false;
  }
  return LetsItRun(p.default_action);
}

// True if a rule without a condition names `syscall` on `abi` with an action that refuses it.
bool RefusedUnconditionally(const Policy& p, std::string_view syscall, Arch abi) {
  return std::ranges::any_of(p.rules, [&](const Rule& r) {
    return !r.condition && !LetsItRun(r.action) && RuleAppliesTo(r, abi) &&
           std::ranges::binary_search(RuleSyscallNames(r), syscall);
  });
}

// The rules that carry `r` over the multiplexers of `abi`: for a rule without a condition, the
// same action for the multiplexer's calls of the syscalls it names. A condition cannot be
// carried (the arguments are in memory): a warning names the gap, unless the policy decides
// the multiplexer itself.
std::vector<Rule> MultiplexerRules(const Policy& p, const Rule& r, Arch abi,
                                   std::vector<Diagnostic>* diags) {
  std::vector<Rule> out;
  if (!RuleAppliesTo(r, abi)) return out;
  const std::vector<std::string_view> names = RuleSyscallNames(r);
  for (const Multiplexer& m : kMultiplexers) {
    if (!SyscallNumber(abi, m.name)) continue;
    std::vector<std::string_view> carried;
    std::vector<uint64_t> calls;
    for (std::string_view c : m.calls) {
      if (c.empty() || !std::ranges::binary_search(names, c)) continue;
      auto v = FindConstant(abi, std::string(m.prefix) + base::ToUpper(c));
      if (!v) continue;
      carried.push_back(c);
      calls.push_back(static_cast<uint64_t>(*v));
    }
    if (carried.empty()) continue;
    if (r.condition) {
      // Calls a rule without a condition refuses (below, or before) are closed anyway.
      std::erase_if(carried, [&](std::string_view c) { return RefusedUnconditionally(p, c, abi); });
      if (diags && !carried.empty() && MultiplexerMayAllow(p, m.name, abi) &&
          !DecidesMultiplexer(p, m.name)) {
        std::string first = std::string(m.prefix) + base::ToUpper(carried[0]);
        diags->push_back(
            {Severity::kWarning, r.loc,
             fmt::format("on {}, {} {} also reachable through {}({}, ...), whose "
                         "arguments sit in memory seccomp cannot read: this rule's "
                         "condition does not apply there; decide {} with a rule on "
                         "its first argument (`errno(EPERM) {} if call == {}`)",
                         kAbiMark, fmt::join(carried, ", "), carried.size() == 1 ? "is" : "are",
                         m.name, first, m.name, m.name, first),
             1});
      }
      continue;
    }
    Rule derived;
    derived.action = r.action;
    derived.syscalls = {SyscallSpec::Name(std::string(m.name))};
    derived.arches = r.arches;
    derived.loc = r.loc;
    std::vector<Condition> alternatives;
    for (uint64_t call : calls) {
      Comparison c;
      c.arg.index = 0;
      c.arg.name = "call";
      c.arg.width = Width::k32;
      c.loc = r.loc;
      c.op = CmpOp::kMaskedEq;
      c.operands = {{m.call_mask, {}, nullptr}, {call, {}, nullptr}};
      alternatives.push_back(Condition::Compare(std::move(c)));
    }
    derived.condition =
        alternatives.size() == 1 ? alternatives[0] : Condition::Or(std::move(alternatives));
    out.push_back(std::move(derived));
  }
  return out;
}

void NameAbi(std::string& message, std::string_view abis) {
  for (size_t at; (at = message.find(kAbiMark)) != std::string::npos;) message.replace(at, 1, abis);
}

}  // namespace

AbiPolicy ForAbi(const Policy& policy, Arch abi, std::vector<Diagnostic>* diags) {
  AbiPolicy out;
  out.abi = abi;
  out.policy = policy;
  out.policy.arches = {abi};
  std::vector<Diagnostic> mine;
  Lowerer lower(abi, &mine);
  out.policy.rules.clear();
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    out.policy.rules.push_back(policy.rules[i]);
    lower.LowerRule(out.policy.rules.back());
    out.origin.push_back(i);
    for (Rule& derived : MultiplexerRules(policy, policy.rules[i], abi, nullptr)) {
      out.policy.rules.push_back(std::move(derived));
      out.origin.push_back(i);
    }
  }
  for (Diagnostic& d : mine) NameAbi(d.message, Info(abi).name);
  if (diags) diags->insert(diags->end(), mine.begin(), mine.end());
  return out;
}

std::vector<Diagnostic> CheckAbis(const Policy& policy) {
  // One diagnostic per place and message, naming every ABI that has it.
  std::map<std::pair<std::string, std::string>, std::vector<std::string_view>> abis;
  std::vector<Diagnostic> order;
  for (Arch a : policy.TargetArches()) {
    std::vector<Diagnostic> mine;
    Lowerer lower(a, &mine);
    for (const Rule& r : policy.rules) {
      Rule copy = r;
      lower.LowerRule(copy);
      MultiplexerRules(policy, r, a, &mine);
    }
    for (Diagnostic& d : mine) {
      auto key = std::pair(d.loc.ToString(), d.message);
      auto [it, fresh] = abis.try_emplace(key);
      if (fresh) order.push_back(d);
      it->second.push_back(Info(a).name);
    }
  }
  for (Diagnostic& d : order) {
    NameAbi(d.message, fmt::format("{}", fmt::join(abis[{d.loc.ToString(), d.message}], ", ")));
  }
  return order;
}

}  // namespace sysgate::policy
