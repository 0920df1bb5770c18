// The gate for the runner's own exec: exactly one call is notified; every other call gets what
// the policy's program says.
#include "run/exec_gate.h"

#include <gtest/gtest.h>

#include <random>

#include "support/emulate.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/policy_builder.h"

namespace sysgate::run {
namespace {

TEST(ExecGate, NotifiesExactlyTheRunnersExec) {
  auto policy = PolicyBuilder().Default(Action::KillProcess()).Allow({"read", "write"}).Build();
  ASSERT_TRUE(policy);
  auto prog = Compile(*policy);
  ASSERT_TRUE(prog);
  Arch host = HostArch();
  int32_t execve = *SyscallNumber(host, "execve");
  SeccompData exec =
      SeccompData::For(host, execve, {0x7ffd12345678, 0x55aa00001000, 0x55aa00002000});
  auto gated = WithExecGate(*prog, exec);
  ASSERT_TRUE(gated);
  ASSERT_TRUE(analysis::VerifyLoadable(*gated));
  EXPECT_EQ(testing::EmulatedRet(*gated, exec), bpf::ret::kUserNotif);
  // Any other call, and the same call with one word changed: the policy's verdict.
  std::mt19937_64 rng(7);
  std::vector<SeccompData> others;
  for (int i = 0; i < 3; ++i) {
    for (uint64_t flip : {uint64_t{1}, uint64_t{1} << 32}) {
      SeccompData d = exec;
      d.args[static_cast<size_t>(i)] ^= flip;
      others.push_back(d);
    }
  }
  SeccompData other_abi = exec;
  other_abi.arch = Info(Arch::kI386).audit_arch;
  others.push_back(other_abi);
  others.push_back(SeccompData::For(host, *SyscallNumber(host, "execveat"),
                                    {exec.args[0], exec.args[1], exec.args[2]}));
  for (int i = 0; i < 2000; ++i) {
    SeccompData d =
        SeccompData::For(host, static_cast<int32_t>(rng() % 600), {rng(), rng(), rng()});
    others.push_back(d);
  }
  for (const SeccompData& d : others) {
    EXPECT_EQ(testing::EmulatedRet(*gated, d), testing::EmulatedRet(*prog, d)) << d.nr;
  }
}

TEST(ExecGate, RefusesAProgramWithNoRoomLeft) {
  bpf::Program full(bpf::kMaxInsns - 3, bpf::Stmt(bpf::op::kRet | bpf::op::kK, bpf::ret::kAllow));
  EXPECT_FALSE(WithExecGate(full, SeccompData::For(HostArch(), 59)));
}

}  // namespace
}  // namespace sysgate::run
