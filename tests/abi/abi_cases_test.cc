// Per-ABI facts that a policy written with x86_64's facts gets wrong elsewhere (THREATS row 37):
// each case checked in the reference interpreter and in the compiled program (emulated), so a
// fact the policy model gets wrong fails here even when the compiler agrees with it.
#include <gtest/gtest.h>

#include "support/emulate.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

Policy MustParse(std::string_view text) {
  ParsedPolicy r = ParsePolicyText(text);
  EXPECT_TRUE(r.ok()) << r.RenderDiagnostics();
  return r.ok() ? *r.policy : Policy{};
}

// The verdict of the interpreter and of the compiled program, which must agree.
Action Verdict(const Policy& p, Arch abi, std::string_view syscall,
               std::initializer_list<uint64_t> args) {
  SeccompData d = SeccompData::For(abi, *SyscallNumber(abi, syscall), args);
  Action want = Evaluate(p, d).action;
  auto prog = Compile(p);
  EXPECT_TRUE(prog) << prog.error().ToString();
  if (!prog) return want;
  EXPECT_EQ(testing::EmulatedRet(*prog, d), bpf::RetOf(want, abi))
      << Info(abi).name << " " << syscall;
  return want;
}

// O_DIRECTORY is 040000 on aarch64 and arm (0200000 on x86): an aarch64 policy that allows
// directory opens must allow the flag aarch64's C library passes.
TEST(AbiCases, Aarch64ODirectoryHasAarch64sValue) {
  Policy p = MustParse("arch aarch64\ndefault errno(EPERM)\nallow openat if flags & O_DIRECTORY\n");
  EXPECT_EQ(Verdict(p, Arch::kAarch64, "openat", {0xffffff9c, 0x1000, 0x4000}), Action::Allow());
  // 0200000 is O_DIRECT there, not a directory open.
  EXPECT_EQ(Verdict(p, Arch::kAarch64, "openat", {0xffffff9c, 0x1000, 0x10000}), Action::Errno(1));
}

// clone takes (newsp, clone_flags, ...) on s390 and s390x (CONFIG_CLONE_BACKWARDS2): a rule on
// clone_flags reads the second argument there.
TEST(AbiCases, S390xCloneFlagsAreTheSecondArgument) {
  Policy p =
      MustParse("arch s390x\ndefault allow\nerrno(EPERM) clone if clone_flags & CLONE_NEWUSER\n");
  constexpr uint64_t kNewUser = 0x10000000, kSigChld = 17;
  EXPECT_EQ(Verdict(p, Arch::kS390x, "clone", {0, kNewUser | kSigChld}), Action::Errno(1));
  // A stack address that happens to have the bit set is not a namespace request.
  EXPECT_EQ(Verdict(p, Arch::kS390x, "clone", {kNewUser, kSigChld}), Action::Allow());
}

// A 64-bit value takes two registers on i386 (arg3 low, arg4 high for pread64's pos): a rule on
// it compares both halves there.
TEST(AbiCases, I386Pread64PosIsTwoRegisters) {
  Policy p = MustParse("arch i386\ndefault allow\nerrno(EPERM) pread64 if pos >= 0x100000000\n");
  EXPECT_EQ(Verdict(p, Arch::kI386, "pread64", {3, 0x1000, 1, 0, 1}), Action::Errno(1));
  EXPECT_EQ(Verdict(p, Arch::kI386, "pread64", {3, 0x1000, 1, 0xffffffff, 0}), Action::Allow());
}

// x32 passes 32-bit longs in 64-bit registers: a 64-bit comparison of a 32-bit argument reads
// the low half there, as libseccomp compares it.
TEST(AbiCases, X32ComparesItsArgumentsAs32BitValues) {
  Policy p = MustParse(
      "arch x32\ndefault errno(EPERM)\nallow personality if personality:u64 == 0xffffffff\n");
  EXPECT_EQ(Verdict(p, Arch::kX32, "personality", {~0ULL}), Action::Allow());
}

// socketcall carries socket() on i386: a rule without a condition decides it there too.
TEST(AbiCases, I386SocketcallIsDecidedLikeTheCallsItCarries) {
  Policy p = MustParse("arch i386\ndefault allow\nerrno(EACCES) socket, shmget\n");
  EXPECT_EQ(Verdict(p, Arch::kI386, "socketcall", {1, 0x1000}), Action::Errno(13));  // SYS_SOCKET
  EXPECT_EQ(Verdict(p, Arch::kI386, "socketcall", {2, 0x1000}), Action::Allow());    // SYS_BIND
  EXPECT_EQ(Verdict(p, Arch::kI386, "ipc", {23}), Action::Errno(13));                // SHMGET
  EXPECT_EQ(Verdict(p, Arch::kI386, "ipc", {0x10000 | 23}), Action::Errno(13));      // version 1
  // A condition cannot reach the arguments in memory: sysgate says so.
  ParsedPolicy r = ParsePolicyText("arch i386\ndefault allow\nallow socket if family == AF_UNIX\n");
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r.RenderDiagnostics().find("socketcall(SYS_SOCKET, ...)"), std::string::npos)
      << r.RenderDiagnostics();
}

// A constant an ABI does not have is an error there, at its place.
TEST(AbiCases, AConstantAnAbiLacksIsAnErrorThere) {
  ParsedPolicy r = ParsePolicyText("arch x86_64, aarch64\nallow prctl if option == ARCH_SET_FS\n");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.RenderDiagnostics().find("<input>:2:16: error: ARCH_SET_FS has no value on aarch64"),
            std::string::npos)
      << r.RenderDiagnostics();
}

// mmap takes its arguments in memory on i386: an allowing rule leaves it out there (the default
// decides), with a warning; a refusing rule cannot.
TEST(AbiCases, ArgumentsAnAbiPassesInMemory) {
  ParsedPolicy r =
      ParsePolicyText("arch i386\ndefault errno(EPERM)\nallow mmap if !(prot & PROT_EXEC)\n");
  ASSERT_TRUE(r.ok()) << r.RenderDiagnostics();
  EXPECT_NE(r.RenderDiagnostics().find("warning: mmap has no argument named 'prot' on i386"),
            std::string::npos);
  EXPECT_EQ(Verdict(*r.policy, Arch::kI386, "mmap", {0x1000}), Action::Errno(1));
  EXPECT_FALSE(ParsePolicyText("arch i386\nkill mmap if prot & PROT_EXEC\n").ok());
}

// errno numbers are the generic ones in policies; mips returns its own for the error.
TEST(AbiCases, MipsReturnsItsOwnErrnoNumbers) {
  Policy p = MustParse("arch mipsel\ndefault errno(ENOSYS)\n");
  auto prog = Compile(p);
  ASSERT_TRUE(prog);
  EXPECT_EQ(testing::EmulatedRet(*prog, Arch::kMipsel, "read"), 0x00050000u | 89);
}

}  // namespace
}  // namespace sysgate
