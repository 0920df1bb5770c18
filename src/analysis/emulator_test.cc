#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;
using bpf::Jump;
using bpf::Stmt;
using ::testing::HasSubstr;

SeccompData X86(int32_t nr, std::initializer_list<uint64_t> args = {}) {
  return SeccompData::For(Arch::kX86_64, nr, args);
}

TEST(Emulator, LoadsCompareAndReturn) {
  bpf::Program p = {
      Stmt(kLd | kW | kAbs, bpf::data::kArch), Jump(kJmp | kJeq | kK, 0xC000003E, 1, 0),
      Stmt(kRet | kK, bpf::ret::kKillProcess), Stmt(kLd | kW | kAbs, bpf::data::kNr),
      Jump(kJmp | kJeq | kK, 59, 0, 1),        Stmt(kRet | kK, bpf::ret::kErrno | 1),
      Stmt(kRet | kK, bpf::ret::kAllow),
  };
  ASSERT_TRUE(VerifyLoadable(p));
  EXPECT_EQ(Emulate(p, X86(59))->ret, bpf::ret::kErrno | 1);
  EXPECT_EQ(Emulate(p, X86(59))->executed, 5);
  EXPECT_EQ(Emulate(p, X86(0))->ret, bpf::ret::kAllow);
  EXPECT_EQ(Emulate(p, SeccompData::For(Arch::kI386, 11))->ret, bpf::ret::kKillProcess);
}

// Argument words are read in the byte order of the arch that made the call.
TEST(Emulator, ArgumentHalvesFollowEndianness) {
  bpf::Program lo = {Stmt(kLd | kW | kAbs, bpf::data::kArgs), Stmt(kRet | kA, 0)};
  bpf::Program hi = {Stmt(kLd | kW | kAbs, bpf::data::kArgs + 4), Stmt(kRet | kA, 0)};
  uint64_t v = 0x1122334455667788ULL;
  EXPECT_EQ(Emulate(lo, SeccompData::For(Arch::kX86_64, 0, {v}))->ret, 0x55667788U);
  EXPECT_EQ(Emulate(hi, SeccompData::For(Arch::kX86_64, 0, {v}))->ret, 0x11223344U);
  EXPECT_EQ(Emulate(lo, SeccompData::For(Arch::kS390x, 0, {v}))->ret, 0x11223344U);
  EXPECT_EQ(Emulate(hi, SeccompData::For(Arch::kS390x, 0, {v}))->ret, 0x55667788U);
}

TEST(Emulator, AluScratchAndIndexRegister) {
  bpf::Program p = {
      Stmt(kLd | kImm, 7),
      Stmt(kAlu | kMul | kK, 6),  // 42
      Stmt(kSt, 3),
      Stmt(kLdx | kImm, 2),
      Stmt(kAlu | kDiv | kX, 0),  // 21
      Stmt(kAlu | kXor | kK, 1),  // 20
      Stmt(kAlu | kLsh | kK, 1),  // 40
      Stmt(kMisc | kTax, 0),
      Stmt(kLd | kMem, 3),        // A = 42
      Stmt(kAlu | kSub | kX, 0),  // 2
      Stmt(kAlu | kNeg, 0),
      Stmt(kAlu | kNeg, 0),
      Stmt(kLd | kW | kLen, 0),
      Stmt(kAlu | kAdd | kX, 0),  // 64 + 40
      Stmt(kRet | kA, 0),
  };
  ASSERT_TRUE(VerifyLoadable(p)) << VerifyLoadable(p).error().message;
  EXPECT_EQ(Emulate(p, X86(0))->ret, 104u);
}

TEST(Emulator, DivisionByZeroRegisterReturnsZero) {
  bpf::Program p = {Stmt(kLdx | kImm, 0), Stmt(kLd | kImm, 5), Stmt(kAlu | kDiv | kX, 0),
                    Stmt(kRet | kK, bpf::ret::kAllow)};
  EXPECT_EQ(Emulate(p, X86(0))->ret, 0u);  // the kernel's convention: KILL_THREAD
}

TEST(Emulator, RefusesWhatCannotRun) {
  EXPECT_FALSE(Emulate({Stmt(kLd | kW | kAbs, 64), Stmt(kRet | kA, 0)}, X86(0)));
  EXPECT_FALSE(Emulate({Stmt(kLd | kMem, 0), Stmt(kRet | kA, 0)}, X86(0)));
  EXPECT_FALSE(Emulate({Stmt(kLd | kImm, 0)}, X86(0)));  // runs off the end
}

// Precedence of stacked filters (THREATS row 30).
TEST(EvaluateStack, MostRestrictiveWinsNewestDataAmongEquals) {
  auto ret = [](uint32_t v) { return bpf::Program{Stmt(kRet | kK, v)}; };
  auto v = EvaluateStack({ret(bpf::ret::kAllow), ret(bpf::ret::kErrno | 1)}, X86(0));
  EXPECT_EQ(v->ret, bpf::ret::kErrno | 1);
  EXPECT_EQ(v->filter, 1u);
  v = EvaluateStack({ret(bpf::ret::kErrno | 1), ret(bpf::ret::kErrno | 2)}, X86(0));
  EXPECT_EQ(v->ret, bpf::ret::kErrno | 2);  // newest data among equal actions
  EXPECT_EQ(v->filter, 1u);
  v = EvaluateStack({ret(bpf::ret::kKillProcess), ret(bpf::ret::kAllow)}, X86(0));
  EXPECT_EQ(v->ret, bpf::ret::kKillProcess);
  EXPECT_EQ(v->filter, 0u);
  EXPECT_EQ(EvaluateStack({ret(bpf::ret::kTrap), ret(bpf::ret::kKillThread)}, X86(0))->ret,
            bpf::ret::kKillThread);
  EXPECT_EQ(EvaluateStack(
                {ret(bpf::ret::kLog), ret(bpf::ret::kTrace | 1), ret(bpf::ret::kUserNotif)}, X86(0))
                ->ret,
            bpf::ret::kUserNotif);
  EXPECT_EQ(EvaluateStack({ret(bpf::ret::kAllow | 5), ret(bpf::ret::kAllow | 6)}, X86(0))->ret,
            bpf::ret::kAllow);
}

TEST(Verifier, KernelLoadRules) {
  auto why = [](const bpf::Program& p) {
    auto r = VerifyLoadable(p);
    return r ? std::string("ok") : r.error().message;
  };
  bpf::Program ok = {Stmt(kRet | kK, 0)};
  EXPECT_EQ(why(ok), "ok");
  EXPECT_THAT(why({}), HasSubstr("empty"));
  EXPECT_THAT(why(bpf::Program(4097, Stmt(kRet | kK, 0))), HasSubstr("at most 4096"));
  EXPECT_EQ(why(bpf::Program(4096, Stmt(kRet | kK, 0))), "ok");
  EXPECT_THAT(why({Stmt(kLd | kW | kAbs, 2), Stmt(kRet | kA, 0)}),
              HasSubstr("instruction 0: load at offset 2 is misaligned"));
  EXPECT_THAT(why({Stmt(kLd | kW | kAbs, 64), Stmt(kRet | kA, 0)}), HasSubstr("outside"));
  EXPECT_THAT(why({Stmt(kLd | kB | kAbs, 0), Stmt(kRet | kA, 0)}), HasSubstr("not allowed"));
  EXPECT_THAT(why({Stmt(kLd | kW | kInd, 0), Stmt(kRet | kA, 0)}), HasSubstr("not allowed"));
  EXPECT_THAT(why({Stmt(kAlu | kMod | kK, 3), Stmt(kRet | kA, 0)}), HasSubstr("not allowed"));
  EXPECT_THAT(why({Stmt(kAlu | kDiv | kK, 0), Stmt(kRet | kA, 0)}),
              HasSubstr("division by the constant 0"));
  EXPECT_THAT(why({Stmt(kAlu | kLsh | kK, 32), Stmt(kRet | kA, 0)}), HasSubstr("shift by 32"));
  EXPECT_THAT(why({Stmt(kLd | kMem, 16), Stmt(kRet | kA, 0)}), HasSubstr("M[16]"));
  EXPECT_THAT(why({Stmt(kJmp | kJa, 1), Stmt(kRet | kA, 0)}), HasSubstr("past the end"));
  EXPECT_THAT(why({Jump(kJmp | kJeq | kK, 0, 1, 0), Stmt(kRet | kA, 0)}),
              HasSubstr("past the end"));
  EXPECT_THAT(why({Stmt(kLd | kImm, 0)}), HasSubstr("last instruction must be a RET"));
  EXPECT_THAT(why({Stmt(kRet | kX, 0)}), HasSubstr("not allowed"));
  // Scratch memory: written on one path only.
  bpf::Program one_path = {Stmt(kLd | kW | kAbs, 0), Jump(kJmp | kJeq | kK, 1, 0, 1), Stmt(kSt, 0),
                           Stmt(kLd | kMem, 0), Stmt(kRet | kA, 0)};
  EXPECT_THAT(why(one_path), HasSubstr("instruction 3: M[0] may be read before it is written"));
  bpf::Program both = {Stmt(kSt, 0), Stmt(kLd | kW | kAbs, 0), Jump(kJmp | kJeq | kK, 1, 0, 1),
                       Stmt(kSt, 1), Stmt(kLd | kMem, 0),      Stmt(kRet | kA, 0)};
  EXPECT_EQ(why(both), "ok");
}

}  // namespace
}  // namespace sysgate::analysis
