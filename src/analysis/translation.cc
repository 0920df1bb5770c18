// Translation validation: the compiled program against the reference interpreter. The inputs
// are derived from the policy and the tables only (not from the compiler's own ranges), so a
// compiler bug cannot hide the inputs that would reveal it.
#include <algorithm>
#include <random>
#include <set>

#include <fmt/format.h>

#include "analysis/describe_input.h"
#include "policy/eval.h"
#include "policy/for_abi.h"
#include "policy/syscall_set.h"
#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

constexpr size_t kMaxCombinations = 1024;

void AddComparisonValues(const Condition& c, std::vector<std::set<uint64_t>>& per_arg) {
  if (c.kind() != Condition::Kind::kCompare) {
    for (const Condition& ch : c.children()) AddComparisonValues(ch, per_arg);
    return;
  }
  const Comparison& cmp = c.comparison();
  auto& s = per_arg[static_cast<size_t>(cmp.arg.index)];
  // A 64-bit value in two registers: each value's halves go to their registers, with junk in
  // the upper halves as a kernel that sign-extends them would leave.
  auto add_split = [&](uint64_t x) {
    const uint64_t words[2] = {x & 0xffffffffULL, x >> 32};
    const int regs[2] = {cmp.arg.index, cmp.arg.hi_index};
    for (size_t i = 0; i < 2; ++i) {
      auto& r = per_arg[static_cast<size_t>(regs[i])];
      r.insert(words[i]);
      r.insert(words[i] | 0xffffffff00000000ULL);
    }
  };
  // Each boundary value of the comparison, as the registers can carry it.
  for (uint64_t x : policy::BoundaryValues(cmp)) {
    if (cmp.arg.hi_index >= 0) {
      add_split(x);
      add_split(x ^ 0x100000000ULL);
    } else if (cmp.arg.width == Width::k32) {
      uint64_t lo = x & 0xffffffffULL;
      s.insert(lo);                          // zero-extended
      s.insert(lo | 0xffffffff00000000ULL);  // sign-extended (or all-ones junk)
      s.insert(lo | 0xdeadbeef00000000ULL);  // junk in the upper half
    } else {
      s.insert(x);
      s.insert(x ^ 0x100000000ULL);  // high word off by one bit
      s.insert((x & 0xffffffff00000000ULL) | ((x + 1) & 0xffffffffULL));
    }
  }
}

class InputWalker {
 public:
  InputWalker(const Policy& p, const InputCheck& check) : policy_(p), check_(check) {}

  Result<size_t> Run() {
    std::vector<Arch> targets = policy_.TargetArches();
    std::set<uint32_t> audits;
    for (Arch a : targets) audits.insert(Info(a).audit_arch);
    for (uint32_t audit : audits) {
      for (Arch abi : AllArches()) {
        if (Info(abi).audit_arch != audit) continue;
        if (auto r = CheckAbi(abi); !r) return r.error();
      }
    }
    // Foreign arches: every other audit value, and values no arch has.
    std::set<uint32_t> foreign = {0, 0xffffffffU, 0x40000000U, 0xC000003FU};
    for (Arch a : AllArches()) foreign.insert(Info(a).audit_arch);
    for (uint32_t audit : foreign) {
      if (audits.count(audit)) continue;
      for (int32_t nr : {0, 1, 11, 59, -1, 0x40000000}) {
        SeccompData d;
        d.arch = audit;
        d.nr = nr;
        if (auto r = Check(d); !r) return r.error();
      }
    }
    return inputs_;
  }

 private:
  Result<void> CheckAbi(Arch abi) {
    std::set<int64_t> nrs = {
        0,          -1,         INT32_MIN,  INT32_MAX,
        0x3fffffff, 0x40000000, 0x7fffffff, static_cast<int64_t>(MaxSyscallNumber(abi)) + 1,
        1000,       4096};
    for (const SyscallEntry& e : Syscalls(abi)) {
      for (int64_t d : {-1, 0, 1}) nrs.insert(e.nr + d);
    }
    // The policy as this ABI reads it (its argument registers and constants).
    const Policy lowered = policy::ForAbi(policy_, abi).policy;
    std::vector<std::vector<int32_t>> rule_numbers;
    for (const Rule& r : lowered.rules) {
      rule_numbers.push_back(policy::SyscallNumbers(r.syscalls, abi));
      for (int32_t n : rule_numbers.back()) {
        for (int64_t d : {-1, 0, 1}) nrs.insert(n + d);
      }
    }
    for (int64_t n64 : nrs) {
      if (n64 < INT32_MIN || n64 > INT32_MAX) continue;
      int32_t nr = static_cast<int32_t>(n64);
      // The argument values that matter for the conditional rules covering nr.
      std::vector<std::set<uint64_t>> per_arg(6);
      bool any = false;
      for (size_t i = 0; i < lowered.rules.size(); ++i) {
        const Rule& r = lowered.rules[i];
        if (!r.condition || !policy::RuleAppliesTo(r, abi) ||
            !std::ranges::binary_search(rule_numbers[i], nr)) {
          continue;
        }
        AddComparisonValues(*r.condition, per_arg);
        any = true;
      }
      SeccompData d = SeccompData::For(abi, nr);
      if (auto r = Check(d); !r) return r;
      if (!any) {
        d.args = {~0ULL, 0x8000000000000000ULL, 0xffffffffULL, 1, 0xdeadbeefcafeULL, 42};
        if (auto r = Check(d); !r) return r;
        continue;
      }
      if (auto r = CheckArgs(d, per_arg); !r) return r;
    }
    return {};
  }

  // All combinations when there are few; otherwise each value alone plus a seeded sample.
  Result<void> CheckArgs(SeccompData d, std::vector<std::set<uint64_t>>& per_arg) {
    std::vector<std::vector<uint64_t>> vals;
    size_t product = 1;
    for (auto& s : per_arg) {
      s.insert(0);
      vals.emplace_back(s.begin(), s.end());
      product = std::min(product * vals.back().size(), kMaxCombinations + 1);
    }
    if (product <= kMaxCombinations) {
      std::array<size_t, 6> idx{};
      while (true) {
        for (size_t a = 0; a < 6; ++a) d.args[a] = vals[a][idx[a]];
        if (auto r = Check(d); !r) return r;
        size_t a = 0;
        while (a < 6 && ++idx[a] == vals[a].size()) idx[a++] = 0;
        if (a == 6) return {};
      }
    }
    for (size_t a = 0; a < 6; ++a) {
      for (uint64_t v : vals[a]) {
        SeccompData one = d;
        one.args = {};
        one.args[a] = v;
        if (auto r = Check(one); !r) return r;
      }
    }
    std::mt19937_64 rng(static_cast<uint64_t>(d.nr) * 7919 + d.arch);
    for (size_t i = 0; i < kMaxCombinations; ++i) {
      for (size_t a = 0; a < 6; ++a) d.args[a] = vals[a][rng() % vals[a].size()];
      if (auto r = Check(d); !r) return r;
    }
    return {};
  }

  Result<void> Check(const SeccompData& d) {
    ++inputs_;
    return check_(d);
  }

  const Policy& policy_;
  const InputCheck& check_;
  size_t inputs_ = 0;
};

std::string RuleNote(const Policy& p, const Verdict& v) {
  if (v.reason != Verdict::Reason::kRule) return "";
  return fmt::format(" (rule {})", p.rules[static_cast<size_t>(v.rule)].loc.ToString());
}

}  // namespace

std::string DescribeInput(const SeccompData& d) {
  auto abi = ArchFromAudit(d.arch, d.nr);
  std::string where = abi ? std::string(Info(*abi).name) : fmt::format("arch 0x{:08x}", d.arch);
  auto name = abi ? SyscallName(*abi, d.nr) : std::nullopt;
  return fmt::format("on {} syscall {} ({}) with args [{:#x}]", where, d.nr, name ? *name : "?",
                     fmt::join(d.args, ", "));
}

Result<size_t> ForEachBoundaryInput(const Policy& policy, const InputCheck& check) {
  return InputWalker(policy, check).Run();
}

Result<TranslationReport> VerifyEquivalent(const Policy& a, const Policy& b) {
  Interpreter ia(a), ib(b);
  InputCheck same = [&](const SeccompData& d) -> Result<void> {
    Verdict va = ia.Evaluate(d), vb = ib.Evaluate(d);
    if (va.action == vb.action) return {};
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the policies differ {}: the first says {}{}, the second {}{}",
                                 DescribeInput(d), va.action.ToString(), RuleNote(a, va),
                                 vb.action.ToString(), RuleNote(b, vb)));
  };
  TranslationReport report;
  for (const Policy* p : {&a, &b}) {
    auto n = ForEachBoundaryInput(*p, same);
    if (!n) return n.error();
    report.inputs += *n;
  }
  return report;
}

Result<TranslationReport> VerifyTranslation(const Policy& policy, const bpf::Program& prog) {
  if (auto ok = VerifyLoadable(prog); !ok) {
    return MakeError(ErrorCode::kInternal, "the program would not load: " + ok.error().message);
  }
  Interpreter interp(policy);
  InputCheck same = [&](const SeccompData& d) -> Result<void> {
    Verdict want = interp.Evaluate(d);
    auto got = Emulate(prog, d);
    if (!got) {
      return MakeError(ErrorCode::kInternal, "the program cannot run: " + got.error().message);
    }
    if (got->ret == bpf::RetOf(want.action, d)) return {};
    return MakeError(ErrorCode::kInternal,
                     fmt::format("translation validation failed: {} the policy says {}{} but the "
                                 "program returns {}",
                                 DescribeInput(d), want.action.ToString(), RuleNote(policy, want),
                                 bpf::RetName(got->ret)));
  };
  auto n = ForEachBoundaryInput(policy, same);
  if (!n) return n.error();
  return TranslationReport{*n};
}

}  // namespace sysgate::analysis
