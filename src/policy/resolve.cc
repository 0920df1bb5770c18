#include "policy/resolve.h"

#include <algorithm>

#include <fmt/format.h>

#include "base/strings.h"
#include "policy/eval.h"
#include "policy/groups.h"
#include "policy/size_limits.h"

namespace sysgate::policy {
namespace {

struct Context {
  std::vector<Diagnostic>* diags;
  std::vector<std::string_view> names;  // syscalls of the rule

  void Error(const SourceLoc& loc, std::string msg) {
    diags->push_back({Severity::kError, loc, std::move(msg), 1});
  }
  void Warn(const SourceLoc& loc, std::string msg) {
    diags->push_back({Severity::kWarning, loc, std::move(msg), 1});
  }
};

std::string TypeSuffix(Width w, bool is_signed) {
  return fmt::format("{}{}", is_signed ? 's' : 'u', w == Width::k32 ? 32 : 64);
}

bool ResolveIndex(Context& ctx, ArgRef& arg, const SourceLoc& loc) {
  if (arg.index >= 0) {
    if (arg.index > 5) {
      ctx.Error(loc, fmt::format("argument index {} is out of range: syscalls have arg0..arg5",
                                 arg.index));
      return false;
    }
    for (std::string_view n : ctx.names) {
      const Signature* sig = FindSignature(n);
      if (sig && arg.index >= sig->nargs) {
        // Not an error: the filter sees the register anyway, and tests use getppid's unused
        // arguments to carry values. But it is rarely what a policy author means.
        ctx.Warn(loc, sig->nargs == 0
                          ? fmt::format("{} takes no arguments: arg{} is whatever the register "
                                        "holds",
                                        n, arg.index)
                          : fmt::format("{} has {} argument{} (arg0..arg{}); arg{} is whatever "
                                        "the register holds",
                                        n, sig->nargs, sig->nargs == 1 ? "" : "s", sig->nargs - 1,
                                        arg.index));
        break;
      }
    }
    return true;
  }
  // By name: every syscall of the rule must have an argument of that name, at one index.
  int found = -1;
  std::string_view found_in;
  for (std::string_view n : ctx.names) {
    const Signature* sig = FindSignature(n);
    if (!sig) continue;  // no prototype known (a syscall of other arches): no opinion
    int idx = -1;
    for (int i = 0; i < sig->nargs; ++i) {
      if (sig->args[static_cast<size_t>(i)].name == arg.name) idx = i;
    }
    if (idx < 0) {
      std::string msg = fmt::format("{} has no argument named '{}'", n, arg.name);
      std::vector<std::string_view> cands;
      for (int i = 0; i < sig->nargs; ++i) cands.push_back(sig->args[static_cast<size_t>(i)].name);
      if (auto m = base::ClosestMatch(arg.name, cands)) {
        msg += fmt::format("; did you mean '{}'?", *m);
      } else {
        msg += fmt::format(" (its signature: {})", FormatSignature(*sig));
      }
      ctx.Error(loc, msg);
      return false;
    }
    if (found >= 0 && idx != found) {
      ctx.Error(loc, fmt::format("'{}' is arg{} of {} but arg{} of {}: name it by index "
                                 "(arg{}) or split the rule",
                                 arg.name, found, found_in, idx, n, found));
      return false;
    }
    found = idx;
    found_in = n;
  }
  if (found < 0) {
    ctx.Error(loc, fmt::format("argument '{}' cannot be resolved: the rule names no syscall "
                               "with a known signature; use arg0..arg5",
                               arg.name));
    return false;
  }
  arg.index = found;
  return true;
}

bool ResolveType(Context& ctx, ArgRef& arg, const SourceLoc& loc) {
  if (arg.explicit_type) return true;
  std::optional<std::pair<Width, bool>> type;
  std::string_view from;
  for (std::string_view n : ctx.names) {
    const Signature* sig = FindSignature(n);
    if (!sig || arg.index >= sig->nargs) continue;
    const ArgInfo& a = sig->args[static_cast<size_t>(arg.index)];
    std::pair<Width, bool> t{a.bits == 32 ? Width::k32 : Width::k64, a.is_signed};
    if (type && *type != t) {
      ctx.Error(loc,
                fmt::format("arg{} is {} in {} but {} in {}: write arg{}:{} or :{} to choose",
                            arg.index, TypeSuffix(type->first, type->second), from,
                            TypeSuffix(t.first, t.second), n, arg.index,
                            TypeSuffix(type->first, type->second), TypeSuffix(t.first, t.second)));
      return false;
    }
    type = t;
    from = n;
  }
  if (!type) type = std::pair{Width::k64, false};
  arg.width = type->first;
  arg.is_signed = type->second;
  return true;
}

void ResolveCondition(Context& ctx, Condition& cond) {
  if (cond.kind() != Condition::Kind::kCompare) {
    for (Condition& c : cond.children()) ResolveCondition(ctx, c);
    return;
  }
  Comparison& cmp = cond.comparison();
  if (!ResolveIndex(ctx, cmp.arg, cmp.loc)) return;
  if (!ResolveType(ctx, cmp.arg, cmp.loc)) return;
  if (auto error = NormaliseOperands(cmp, "")) ctx.Error(cmp.loc, *error);
}

}  // namespace

bool FitsIn32Bits(uint64_t v) {
  const auto s = static_cast<int64_t>(v);
  return v <= 0xffffffffULL || (s < 0 && s >= INT32_MIN);
}

std::optional<std::string> NormaliseOperands(Comparison& cmp, std::string_view where) {
  const ArgRef& arg = cmp.arg;
  for (Operand& op : cmp.operands) {
    // 32-bit arguments keep the low 32 bits, and the constant must be representable there.
    if (arg.width == Width::k64) continue;
    if (!FitsIn32Bits(op.value)) {
      std::string argname = arg.name.empty() ? fmt::format("arg{}", arg.index) : arg.name;
      return fmt::format(
          "the constant {:#x} does not fit the 32-bit argument {}{}: the comparison "
          "could never be true as written (the kernel ignores the upper half); "
          "write {}:u64 to compare all 64 bits",
          op.value, argname, where, argname);
    }
    op.value &= 0xffffffffULL;
  }
  if (cmp.op == CmpOp::kIn) {
    std::ranges::sort(cmp.operands, [&](const Operand& a, const Operand& b) {
      return ArgLess(arg, a.value, b.value);
    });
    // Equal on every ABI: a constant that is equal only on some stays for the others.
    auto dup = std::unique(cmp.operands.begin(), cmp.operands.end());
    cmp.operands.erase(dup, cmp.operands.end());
  }
  if (cmp.op == CmpOp::kRange && cmp.operands.size() == 2 &&
      ArgLess(arg, cmp.operands[1].value, cmp.operands[0].value)) {
    return fmt::format("the range is empty{}: its low end is above its high end", where);
  }
  return std::nullopt;
}

std::vector<std::string_view> RuleSyscallNames(const Rule& rule) {
  std::vector<std::string_view> names;
  for (const SyscallSpec& s : rule.syscalls) {
    if (s.kind == SyscallSpec::Kind::kName) {
      names.push_back(s.name);
    } else if (s.kind == SyscallSpec::Kind::kGroup) {
      if (const SyscallGroup* g = FindGroup(s.name)) {
        names.insert(names.end(), g->members.begin(), g->members.end());
      }
    }
  }
  std::ranges::sort(names);
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

std::vector<Diagnostic> Resolve(Policy& policy) {
  std::vector<Diagnostic> diags = CheckSizeLimits(policy);
  if (!diags.empty()) return diags;
  for (Rule& rule : policy.rules) {
    if (!rule.condition) continue;
    Context ctx{&diags, RuleSyscallNames(rule)};
    ResolveCondition(ctx, *rule.condition);
  }
  return diags;
}

}  // namespace sysgate::policy
