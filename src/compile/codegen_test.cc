#include "compile/codegen.h"

#include <gtest/gtest.h>

#include "support/emulate.h"
#include "sysgate/analysis.h"

namespace sysgate::compile {
namespace {

using namespace bpf::op;

TEST(CodeGen, SharesIdenticalTails) {
  CodeGen g;
  auto allow = g.Ret(bpf::ret::kAllow);
  auto kill = g.Ret(bpf::ret::kKillProcess);
  EXPECT_EQ(g.Ret(bpf::ret::kAllow), allow);
  auto a = g.Jump(kJmp | kJeq | kK, 1, allow, kill);
  auto b = g.Jump(kJmp | kJeq | kK, 1, allow, kill);
  EXPECT_EQ(a, b);
  EXPECT_EQ(g.Jump(kJmp | kJeq | kK, 2, allow, allow), allow);  // both ways the same: no jump
  bpf::Program p = g.Finish(g.Stmt(kLd | kW | kAbs, 0, a));
  EXPECT_EQ(p.size(), 4u);
  EXPECT_TRUE(analysis::VerifyLoadable(p));
}

// Jumps further than 255 go through JA; the result is the same function (THREATS row 9).
TEST(CodeGen, FarBranchesInsertJa) {
  for (int distance : {250, 253, 254, 255, 256, 257, 300, 600}) {
    CodeGen g;
    auto far_true = g.Ret(bpf::ret::kAllow);
    auto far_false = g.Ret(bpf::ret::kErrno | 1);
    // Padding between the targets and the jump: a chain of distinct loads.
    auto n = g.Ret(bpf::ret::kKillProcess);
    for (int i = 0; i < distance; ++i) n = g.Stmt(kLd | kImm, static_cast<uint32_t>(i), n);
    auto pad = n;
    auto j = g.Jump(kJmp | kJeq | kK, 7, far_true, far_false);
    auto j2 = g.Jump(kJmp | kJeq | kK, 8, pad, j);
    bpf::Program p = g.Finish(g.Stmt(kLd | kW | kAbs, 0, j2));
    ASSERT_TRUE(analysis::VerifyLoadable(p)) << distance;
    EXPECT_EQ(testing::EmulatedRet(p, Arch::kX86_64, 7), bpf::ret::kAllow) << distance;
    EXPECT_EQ(testing::EmulatedRet(p, Arch::kX86_64, 9), bpf::ret::kErrno | 1) << distance;
    EXPECT_EQ(testing::EmulatedRet(p, Arch::kX86_64, 8), bpf::ret::kKillProcess) << distance;
  }
}

}  // namespace
}  // namespace sysgate::compile
