// Named regression tests for the compiler (THREATS rows 1-11, 28): each compiles a policy,
// checks the program against the policy (translation validation) and probes the case.
#include "sysgate/compiler.h"

#include <errno.h>
#include <sys/ioctl.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/emulate.h"
#include "sysgate/analysis.h"
#include "sysgate/policy_builder.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

struct Compiled {
  Policy policy;
  bpf::Program prog;
  uint32_t Run(Arch a, int32_t nr, std::initializer_list<uint64_t> args = {}) const {
    return testing::EmulatedRet(prog, a, nr, args);
  }
  uint32_t Run(std::string_view name, std::initializer_list<uint64_t> args = {}) const {
    return testing::EmulatedRet(prog, Arch::kX86_64, name, args);
  }
};

Compiled MustCompile(const PolicyBuilder& b) {
  Result<Policy> p = b.Build();
  EXPECT_TRUE(p) << p.error().ToString();
  Compiled c{p ? *p : Policy{}, {}};
  auto prog = Compile(c.policy);  // verified against the policy
  EXPECT_TRUE(prog) << prog.error().ToString();
  if (prog) c.prog = *prog;
  return c;
}

constexpr uint32_t kAllow = bpf::ret::kAllow;
constexpr uint32_t kKill = bpf::ret::kKillProcess;
constexpr uint32_t Errno(uint32_t e) { return bpf::ret::kErrno | e; }

// Compile checks its program against the policy unless told not to; both give the same
// program, and an error of compiling (too large) stays that error, not a verification one.
TEST(Compiler, VerifiesByDefaultAndOptOutGivesTheSameProgram) {
  auto p = PolicyBuilder({Arch::kX86_64}).Default(Action::Errno(EPERM)).Allow("read").Build();
  ASSERT_TRUE(p) << p.error().ToString();
  auto verified = Compile(*p);
  auto unverified = Compile(*p, {.verify = false});
  ASSERT_TRUE(verified && unverified);
  EXPECT_EQ(*verified, *unverified);
  PolicyBuilder big({Arch::kX86_64});
  big.Default(Action::Allow());
  // 5000 values need at least one comparison each: more than the kernel's 4096 instructions.
  for (uint64_t i = 0; i < 5000; ++i) big.Errno(EPERM, "ioctl").If(Arg(1) == i * 7 + 1);
  auto large = big.Build();
  ASSERT_TRUE(large) << large.error().ToString();
  for (bool verify : {true, false}) {
    auto r = Compile(*large, {.verify = verify});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, ErrorCode::kTooLarge) << r.error().ToString();
  }
}

TEST(Compiler, ChecksArchFirst) {  // row 1: int 0x80 execve is nr 11 (munmap on x86_64)
  Compiled c =
      MustCompile(PolicyBuilder({Arch::kX86_64}).Default(Action::Allow()).Errno(EPERM, "execve"));
  EXPECT_EQ(c.prog[0], bpf::Stmt(0x20, bpf::data::kArch));
  EXPECT_EQ(c.Run(Arch::kI386, 11), kKill);
  EXPECT_EQ(c.Run("munmap"), kAllow);
  EXPECT_EQ(c.Run("execve"), Errno(EPERM));
}

TEST(Compiler, X32NumbersAreRefusedUnlessTargeted) {  // row 2
  Compiled c =
      MustCompile(PolicyBuilder({Arch::kX86_64}).Default(Action::Allow()).Errno(EPERM, "execve"));
  for (int32_t nr : {0x40000000 | 39, 0x40000000 | 59, 0x40000000 | 520, 0x7fffffff}) {
    EXPECT_EQ(c.Run(Arch::kX86_64, nr), kKill) << nr;
  }
  EXPECT_EQ(c.Run(Arch::kX86_64, -1), Errno(ENOSYS));  // -1 is not x32 (libseccomp ba73ee4)
  Compiled x = MustCompile(
      PolicyBuilder({Arch::kX86_64, Arch::kX32}).Default(Action::Allow()).Errno(EPERM, "execve"));
  EXPECT_EQ(x.Run(Arch::kX32, 0x40000000 | 520), Errno(EPERM));
  EXPECT_EQ(x.Run(Arch::kX32, 0x40000000 | 59), Errno(ENOSYS));  // x32 has no 59
}

TEST(Compiler, NumbersOutsideTheTables) {  // row 3
  Compiled c = MustCompile(PolicyBuilder().Default(Action::Errno(EPERM)).Allow("read"));
  for (int32_t nr : {-1, 1000, 0x7fffffff, 0xffff, 0x3fffffff, INT32_MIN}) {
    uint32_t r = c.Run(Arch::kX86_64, nr);
    EXPECT_TRUE(r == Errno(ENOSYS) || r == kKill) << nr;
  }
  EXPECT_EQ(c.Run("mount"), Errno(EPERM));
}

TEST(Compiler, Cve2019_9893SixtyFourBitOrdering) {  // row 4
  Compiled c = MustCompile(PolicyBuilder()
                               .Default(Action::KillProcess())
                               .Allow("getppid")
                               .If(Arg(0).U64() < 0x123456789abcULL)
                               .Errno(1, "getpid")
                               .If(Arg(0).U64() >= 0x123456789abcULL && Arg(1).S64() > -5)
                               .Errno(2, "gettid")
                               .If(Arg(0).S64() <= -0x100000000LL));
  EXPECT_EQ(c.Run("getppid", {0x123450000000ULL}), kAllow);
  EXPECT_EQ(c.Run("getppid", {0x123460000000ULL}), kKill);
  EXPECT_EQ(c.Run("getppid", {0x123456789abbULL}), kAllow);
  EXPECT_EQ(c.Run("getppid", {0x123456789abcULL}), kKill);
  EXPECT_EQ(c.Run("getppid", {0x000056789abdULL}), kAllow);
  EXPECT_EQ(c.Run("getpid", {0x123456789abcULL, static_cast<uint64_t>(-4)}), Errno(1));
  EXPECT_EQ(c.Run("getpid", {0x123456789abcULL, static_cast<uint64_t>(-5)}), kKill);
  EXPECT_EQ(c.Run("gettid", {static_cast<uint64_t>(-0x100000000LL)}), Errno(2));
  EXPECT_EQ(c.Run("gettid", {static_cast<uint64_t>(-0xffffffffLL)}), kKill);
}

TEST(Compiler, ThirtyTwoBitArgumentIgnoresUpperHalf) {  // row 5 (CVE-2019-7303)
  Compiled c = MustCompile(
      PolicyBuilder().Default(Action::Allow()).Errno(EPERM, "ioctl").If(Arg("cmd") == TIOCSTI));
  EXPECT_EQ(c.Run("ioctl", {0, TIOCSTI}), Errno(EPERM));
  EXPECT_EQ(c.Run("ioctl", {0, TIOCSTI | (1ULL << 32)}), Errno(EPERM));
  EXPECT_EQ(c.Run("ioctl", {0, TIOCSTI | 0xffffffff00000000ULL}), Errno(EPERM));
}

TEST(Compiler, SignExtendedIntArguments) {  // row 6
  Compiled c = MustCompile(PolicyBuilder()
                               .Default(Action::Errno(EPERM))
                               .Allow("openat")
                               .If(Arg("dfd") == -100)
                               .Errno(EBADF, "close")
                               .If(Arg("fd").S32() < 0));
  EXPECT_EQ(c.Run("openat", {0x00000000ffffff9cULL}), kAllow);
  EXPECT_EQ(c.Run("openat", {0xffffffffffffff9cULL}), kAllow);
  EXPECT_EQ(c.Run("close", {0xffffffffULL}), Errno(EBADF));
  EXPECT_EQ(c.Run("close", {0x7fffffffULL}), Errno(EPERM));
}

TEST(Compiler, AndIsNotOr) {  // row 7 (CVE-2017-18367)
  Compiled c = MustCompile(PolicyBuilder()
                               .Default(Action::Errno(EPERM))
                               .Allow("getppid")
                               .If(Arg(0).U64() == 1 && Arg(1).U64() == 2));
  EXPECT_EQ(c.Run("getppid", {1, 2}), kAllow);
  EXPECT_EQ(c.Run("getppid", {1, 3}), Errno(EPERM));
  EXPECT_EQ(c.Run("getppid", {3, 2}), Errno(EPERM));
}

TEST(Compiler, LongJumps) {  // row 9: 300 syscalls, each with its own argument rule
  PolicyBuilder b({Arch::kX86_64});
  b.Default(Action::Errno(EPERM));
  std::vector<SyscallEntry> all = Syscalls(Arch::kX86_64);
  ASSERT_GE(all.size(), 300u);
  for (size_t i = 0; i < 300; ++i) {
    b.Allow(std::string(all[i].name)).If(Arg(0).U64() == 1000 + i);
  }
  Compiled c = MustCompile(b);
  EXPECT_GT(c.prog.size(), 600u);
  for (size_t i : {size_t{0}, size_t{1}, size_t{150}, size_t{298}, size_t{299}}) {
    EXPECT_EQ(c.Run(Arch::kX86_64, all[i].nr, {1000 + i}), kAllow) << i;
    EXPECT_EQ(c.Run(Arch::kX86_64, all[i].nr, {1000 + i + 1}), Errno(EPERM)) << i;
    EXPECT_EQ(c.Run(Arch::kX86_64, all[i].nr, {999 + i}), Errno(EPERM)) << i;
  }
}

TEST(Compiler, RefusesMoreThan4096Instructions) {  // row 10
  PolicyBuilder b({Arch::kX86_64});
  std::vector<int64_t> many;
  for (int i = 0; i < 5000; ++i) many.push_back(i * 7);
  b.Allow({"read", "write"}).If(Arg(0).U64().In(many));
  Result<Policy> p = b.Build();
  ASSERT_TRUE(p);
  auto prog = Compile(*p);
  ASSERT_FALSE(prog);
  EXPECT_EQ(prog.error().code, ErrorCode::kTooLarge);
  EXPECT_THAT(prog.error().message, HasSubstr("more than the kernel's limit of 4096"));
  EXPECT_THAT(prog.error().message, HasSubstr("(read, write)"));
}

TEST(Compiler, UnconditionalAllowsTouchNoArguments) {  // the kernel's action cache
  Compiled c = MustCompile(PolicyBuilder()
                               .Default(Action::Errno(EPERM))
                               .Allow({"read", "write"})
                               .Allow("openat")
                               .If(Arg("flags") == 0));
  // Every path that ends in ALLOW for read or write reads only arch and nr: run with args
  // that would change any argument comparison.
  for (std::string_view n : {"read", "write"}) {
    EXPECT_EQ(c.Run(n, {~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL, ~0ULL}), kAllow);
    EXPECT_EQ(c.Run(n), kAllow);
  }
  // And no argument load sits on the path: count instructions executed for read.
  auto r = analysis::Emulate(c.prog, SeccompData::For(Arch::kX86_64, 0));
  EXPECT_LE(r->executed, 12);
}

TEST(Compiler, ErrnoAndDataRanges) {  // row 28: validation refuses errno 0 and > 4095
  EXPECT_FALSE(PolicyBuilder().Errno(0, "mount").Build());
  EXPECT_FALSE(PolicyBuilder().Errno(4096, "mount").Build());
  Compiled c = MustCompile(PolicyBuilder().Errno(4095, "mount").Trap("ptrace", 65535));
  EXPECT_EQ(c.Run("mount"), Errno(4095));
  EXPECT_EQ(c.Run("ptrace"), bpf::ret::kTrap | 65535);
}

TEST(Compiler, EveryActionAndBigEndianArches) {
  for (Arch a : {Arch::kS390x, Arch::kPpc64, Arch::kMips64, Arch::kAarch64, Arch::kRiscv64}) {
    Compiled c = MustCompile(PolicyBuilder({a})
                                 .Default(Action::Trap(3))
                                 .Allow("read")
                                 .If(Arg(2).U64() == 0x100000002ULL)
                                 .Log("write")
                                 .Notify("close")
                                 .Trace("getpid", 4)
                                 .KillThread("getppid"));
    int32_t read = *SyscallNumber(a, "read");
    EXPECT_EQ(c.Run(a, read, {0, 0, 0x100000002ULL}), kAllow) << Info(a).name;
    EXPECT_EQ(c.Run(a, read, {0, 0, 0x200000001ULL}), bpf::ret::kTrap | 3) << Info(a).name;
  }
}

}  // namespace
}  // namespace sysgate
