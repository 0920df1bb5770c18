#include "policy_gen.h"

#include <algorithm>

#include "policy/groups.h"

namespace sysgate::testing {

PolicyGen::PolicyGen(uint64_t seed, PolicyGenOptions options)
    : rng_(seed), opt_(std::move(options)) {
  for (const SyscallEntry& e : Syscalls(opt_.arches.front())) {
    bool everywhere = std::ranges::all_of(
        opt_.arches, [&](Arch a) { return SyscallNumber(a, e.name).has_value(); });
    if (everywhere) common_names_.push_back(e.name);
  }
}

int PolicyGen::Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

uint64_t PolicyGen::InterestingValue() {
  static const uint64_t kValues[] = {0,
                                     1,
                                     2,
                                     3,
                                     7,
                                     8,
                                     0xff,
                                     0x100,
                                     0x7fffffff,
                                     0x80000000,
                                     0xfffffffe,
                                     0xffffffff,
                                     0x100000000,
                                     0x123450000000,
                                     0x7fffffffffffffff,
                                     0x8000000000000000,
                                     ~0ULL,
                                     ~1ULL,
                                     0xffffffff00000000,
                                     static_cast<uint64_t>(-100)};
  switch (Uniform(0, 3)) {
    case 0: return rng_();
    case 1: return static_cast<uint64_t>(Uniform(0, 64));
    default: return kValues[Uniform(0, static_cast<int>(std::size(kValues)) - 1)];
  }
}

Action PolicyGen::RandomAction() {
  switch (Uniform(0, 9)) {
    case 0:
    case 1:
    case 2: return Action::Allow();
    case 3:
    case 4: return Action::Errno(static_cast<uint32_t>(Uniform(1, 4095)));
    case 5: return Action::KillProcess();
    case 6: return Action::KillThread();
    case 7: return Action::Trap(static_cast<uint32_t>(Uniform(0, 0xffff)));
    case 8: return Action::Trace(static_cast<uint32_t>(Uniform(0, 0xffff)));
    default: return Uniform(0, 1) ? Action::Log() : Action::Notify();
  }
}

Comparison PolicyGen::RandomComparison(const std::vector<std::string_view>& syscalls) {
  Comparison c;
  // Named arguments only for a single syscall with a named argument; otherwise an index with
  // an explicit type, so that the syscalls' signatures cannot disagree.
  const Signature* sig = syscalls.size() == 1 ? FindSignature(syscalls[0]) : nullptr;
  if (sig && sig->nargs > 0 && Uniform(0, 2) > 0) {
    int i = Uniform(0, sig->nargs - 1);
    const ArgInfo& a = sig->args[static_cast<size_t>(i)];
    if (!a.name.empty()) c.arg.name = std::string(a.name);
    c.arg.index = a.name.empty() ? i : -1;
    c.arg.width = a.bits == 32 ? Width::k32 : Width::k64;
    c.arg.is_signed = a.is_signed;
  } else {
    c.arg.index = Uniform(0, 5);
    c.arg.explicit_type = true;
    c.arg.width = Uniform(0, 1) ? Width::k32 : Width::k64;
    c.arg.is_signed = Uniform(0, 2) == 0;
  }
  bool is32 = c.arg.width == Width::k32;
  auto value = [&] {
    uint64_t v = InterestingValue();
    return Operand{is32 ? (v & 0xffffffffULL) : v, {}};
  };
  switch (Uniform(0, 8)) {
    case 0: c.op = CmpOp::kEq; break;
    case 1: c.op = CmpOp::kNe; break;
    case 2: c.op = CmpOp::kLt; break;
    case 3: c.op = CmpOp::kLe; break;
    case 4: c.op = CmpOp::kGt; break;
    case 5: c.op = CmpOp::kGe; break;
    case 6: {
      c.op = CmpOp::kMaskedEq;
      Operand m = value();
      Operand v{value().value & m.value, {}};
      c.operands = {m, v};
      return c;
    }
    case 7: {
      c.op = CmpOp::kIn;
      int n = Uniform(1, 5);
      for (int i = 0; i < n; ++i) c.operands.push_back(value());
      return c;
    }
    default: {
      c.op = CmpOp::kRange;
      Operand a = value(), b = value();
      // Order them as the argument compares.
      bool less = c.arg.is_signed
                      ? (is32 ? static_cast<int32_t>(a.value) < static_cast<int32_t>(b.value)
                              : static_cast<int64_t>(a.value) < static_cast<int64_t>(b.value))
                      : a.value < b.value;
      c.operands = less ? std::vector<Operand>{a, b} : std::vector<Operand>{b, a};
      return c;
    }
  }
  c.operands = {value()};
  return c;
}

Condition PolicyGen::RandomCondition(const std::vector<std::string_view>& syscalls, int depth) {
  int pick = depth <= 0 ? 0 : Uniform(0, 5);
  if (pick <= 2) return Condition::Compare(RandomComparison(syscalls));
  if (pick == 3) return Condition::Not(RandomCondition(syscalls, depth - 1));
  std::vector<Condition> kids;
  int n = Uniform(2, 3);
  for (int i = 0; i < n; ++i) kids.push_back(RandomCondition(syscalls, depth - 1));
  return pick == 4 ? Condition::And(std::move(kids)) : Condition::Or(std::move(kids));
}

Rule PolicyGen::RandomRule() {
  Rule r;
  r.action = RandomAction();
  std::vector<std::string_view> names;
  int kind = Uniform(0, 9);
  if (kind == 0 && opt_.allow_groups) {
    auto groups = policy::GroupNames();
    std::string_view g =
        groups[static_cast<size_t>(Uniform(0, static_cast<int>(groups.size()) - 1))];
    r.syscalls.push_back(SyscallSpec::Group(std::string(g)));
  } else if (kind == 1 && opt_.allow_numbers) {
    Arch a = opt_.arches[static_cast<size_t>(Uniform(0, static_cast<int>(opt_.arches.size()) - 1))];
    r.arches = {a};
    int32_t nr = Uniform(0, 3) == 0 ? Uniform(0, 1100) : MaxSyscallNumber(a) + Uniform(1, 40);
    r.syscalls.push_back(SyscallSpec::Number(nr));
  } else {
    int n = Uniform(1, 4);
    for (int i = 0; i < n; ++i) {
      std::string_view name = common_names_[static_cast<size_t>(
          Uniform(0, static_cast<int>(common_names_.size()) - 1))];
      if (std::ranges::find(names, name) != names.end()) continue;
      names.push_back(name);
      r.syscalls.push_back(SyscallSpec::Name(std::string(name)));
    }
  }
  if (Uniform(0, 2) > 0) r.condition = RandomCondition(names, Uniform(0, opt_.max_condition_depth));
  return r;
}

Policy PolicyGen::Next() {
  while (true) {
    Policy p;
    p.arches = opt_.arches;
    p.default_action = RandomAction();
    p.unknown_action = Uniform(0, 1) ? Action::Errno(38) : RandomAction();
    int n = Uniform(0, opt_.max_rules);
    for (int i = 0; i < n; ++i) p.rules.push_back(RandomRule());
    if (!HasErrors(ResolveAndValidate(p))) return p;
    // Rare: a shape the model rejects (e.g. a named argument that is also a pointer check
    // error); draw again.
  }
}

}  // namespace sysgate::testing
