// libseccomp as a test-only oracle: for generated policies that libseccomp can express
// (x86_64; each syscall in one rule; ANDed 64-bit comparisons on distinct arguments; the
// unknown action equal to the default), the filter libseccomp builds and the one sysgate
// builds give the same verdicts on the same inputs (both run in sysgate's emulator, which the
// kernel tests hold to the kernel).
#include <errno.h>
#include <seccomp.h>
#include <unistd.h>

#include <cstdio>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "support/emulate.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"

namespace sysgate {
namespace {

struct Pair {
  Policy policy;
  bpf::Program libseccomp;
};

uint32_t ScmpAction(const Action& a) {
  switch (a.kind()) {
    case ActionKind::kAllow: return SCMP_ACT_ALLOW;
    case ActionKind::kErrno: return SCMP_ACT_ERRNO(a.data());
    case ActionKind::kKillProcess: return SCMP_ACT_KILL_PROCESS;
    case ActionKind::kKillThread: return SCMP_ACT_KILL_THREAD;
    case ActionKind::kTrap: return SCMP_ACT_TRAP;
    case ActionKind::kTrace: return SCMP_ACT_TRACE(a.data());
    case ActionKind::kLog: return SCMP_ACT_LOG;
    case ActionKind::kNotify: return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_PROCESS;
}

Action RandomAction(std::mt19937_64& rng) {
  switch (rng() % 6) {
    case 0: return Action::Allow();
    case 1: return Action::Errno(static_cast<uint32_t>(1 + rng() % 4095));
    case 2: return Action::KillProcess();
    case 3: return Action::Trap(0);
    case 4: return Action::Log();
    default: return Action::Trace(static_cast<uint32_t>(rng() % 65536));
  }
}

uint64_t Value(std::mt19937_64& rng) {
  static const uint64_t kValues[] = {0,
                                     1,
                                     2,
                                     0xff,
                                     0x7fffffff,
                                     0x80000000,
                                     0xffffffff,
                                     0x100000000,
                                     0x123450000000,
                                     ~0ULL,
                                     0x8000000000000000ULL};
  return rng() % 3 == 0 ? rng() : kValues[rng() % std::size(kValues)];
}

// Builds the same policy both ways; nullopt when libseccomp refuses a rule.
std::optional<Pair> Generate(uint64_t seed) {
  std::mt19937_64 rng(seed);
  Pair out;
  Policy& p = out.policy;
  p.arches = {Arch::kX86_64};
  p.default_action = RandomAction(rng);
  p.unknown_action = p.default_action;
  scmp_filter_ctx ctx = seccomp_init(ScmpAction(p.default_action));
  if (!ctx) return std::nullopt;
  seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (seed % 2) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  std::set<int32_t> used;
  int rules = static_cast<int>(rng() % 20);
  for (int i = 0; i < rules; ++i) {
    int32_t nr = static_cast<int32_t>(rng() % 330);
    if (!SyscallName(Arch::kX86_64, nr) || used.count(nr)) continue;
    Action a = RandomAction(rng);
    if (a == p.default_action) continue;  // libseccomp refuses rules equal to the default
    Rule r{a, {SyscallSpec::Number(nr)}, {}, std::nullopt, {}};
    std::vector<scmp_arg_cmp> cmps;
    std::vector<Condition> conds;
    int nargs = static_cast<int>(rng() % 4);
    std::set<int> args_used;
    for (int j = 0; j < nargs; ++j) {
      int idx = static_cast<int>(rng() % 6);
      if (!args_used.insert(idx).second) continue;
      Comparison c;
      c.arg.index = idx;
      c.arg.width = Width::k64;
      c.arg.explicit_type = true;
      uint64_t v = Value(rng);
      scmp_compare op;
      switch (rng() % 7) {
        case 0:
          c.op = CmpOp::kEq;
          op = SCMP_CMP_EQ;
          break;
        case 1:
          c.op = CmpOp::kNe;
          op = SCMP_CMP_NE;
          break;
        case 2:
          c.op = CmpOp::kLt;
          op = SCMP_CMP_LT;
          break;
        case 3:
          c.op = CmpOp::kLe;
          op = SCMP_CMP_LE;
          break;
        case 4:
          c.op = CmpOp::kGt;
          op = SCMP_CMP_GT;
          break;
        case 5:
          c.op = CmpOp::kGe;
          op = SCMP_CMP_GE;
          break;
        default:
          c.op = CmpOp::kMaskedEq;
          op = SCMP_CMP_MASKED_EQ;
          break;
      }
      if (c.op == CmpOp::kMaskedEq) {
        uint64_t mask = Value(rng);
        uint64_t datum = Value(rng) & mask;
        c.operands = {{mask, {}}, {datum, {}}};
        cmps.push_back(SCMP_CMP64(static_cast<unsigned>(idx), op, mask, datum));
      } else {
        c.operands = {{v, {}}};
        cmps.push_back(SCMP_CMP64(static_cast<unsigned>(idx), op, v));
      }
      conds.push_back(Condition::Compare(c));
    }
    if (seccomp_rule_add_exact_array(ctx, ScmpAction(a), nr, static_cast<unsigned>(cmps.size()),
                                     cmps.data()) != 0) {
      continue;
    }
    used.insert(nr);
    if (!conds.empty()) r.condition = conds.size() == 1 ? conds[0] : Condition::And(conds);
    p.rules.push_back(r);
  }
  // Export to memory through a pipe (libseccomp 2.5 has no export_bpf_mem).
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  int rc = seccomp_export_bpf(ctx, fds[1]);
  close(fds[1]);
  seccomp_release(ctx);
  std::string bytes;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) bytes.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  if (rc != 0) return std::nullopt;
  auto prog = bpf::DecodeRaw(bytes);
  if (!prog) return std::nullopt;
  out.libseccomp = *prog;
  if (HasErrors(ResolveAndValidate(p))) return std::nullopt;
  return out;
}

TEST(LibseccompOracle, SameVerdicts) {
  size_t compared = 0, policies = 0;
  std::mt19937_64 rng(77);
  for (uint64_t seed = 0; seed < 400; ++seed) {
    auto pair = Generate(seed);
    if (!pair) continue;
    auto ours = Compile(pair->policy);
    ASSERT_TRUE(ours) << ours.error().ToString();
    ASSERT_TRUE(analysis::VerifyLoadable(pair->libseccomp));
    ++policies;
    // Inputs: every x86_64 number below 0x40000000 that matters, -1, foreign arches, and
    // for each syscall with a rule, argument values around the rule's constants.
    std::vector<SeccompData> inputs;
    for (int32_t nr = 0; nr < 500; ++nr) inputs.push_back(SeccompData::For(Arch::kX86_64, nr));
    inputs.push_back(SeccompData::For(Arch::kX86_64, -1));
    inputs.push_back(SeccompData::For(Arch::kI386, 11));
    inputs.push_back(SeccompData::For(Arch::kAarch64, 56));
    for (const Rule& r : pair->policy.rules) {
      if (!r.condition) continue;
      std::vector<uint64_t> vals = {0, ~0ULL};
      std::vector<const Condition*> stack{&*r.condition};
      while (!stack.empty()) {
        const Condition* c = stack.back();
        stack.pop_back();
        if (c->kind() != Condition::Kind::kCompare) {
          for (const Condition& ch : c->children()) stack.push_back(&ch);
          continue;
        }
        for (const Operand& o : c->comparison().operands) {
          for (uint64_t d : {0ULL, 1ULL, ~0ULL, 0x100000000ULL}) vals.push_back(o.value + d);
        }
      }
      for (int k = 0; k < 300; ++k) {
        SeccompData d = SeccompData::For(Arch::kX86_64, r.syscalls[0].number);
        for (auto& a : d.args) a = vals[rng() % vals.size()];
        inputs.push_back(d);
      }
    }
    for (const SeccompData& d : inputs) {
      ASSERT_EQ(testing::EmulatedRet(*ours, d), testing::EmulatedRet(pair->libseccomp, d))
          << "seed " << seed << " nr " << d.nr << " args " << std::hex << d.args[0] << " "
          << d.args[1] << " " << d.args[2];
      ++compared;
    }
  }
  std::printf("libseccomp oracle: %zu policies, %zu inputs, identical verdicts\n", policies,
              compared);
  EXPECT_GT(policies, 300u);
}

}  // namespace
}  // namespace sysgate
