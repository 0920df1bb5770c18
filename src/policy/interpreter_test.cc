#include "sysgate/interpreter.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <gtest/gtest.h>

#include "sysgate/policy_builder.h"

namespace sysgate {
namespace {

int32_t Nr(std::string_view name, Arch a = Arch::kX86_64) { return *SyscallNumber(a, name); }

Policy MustBuild(const PolicyBuilder& b) {
  Result<Policy> p = b.Build();
  EXPECT_TRUE(p) << p.error().ToString();
  return p ? *p : Policy{};
}

Action Eval(const Policy& p, Arch a, std::string_view name,
            std::initializer_list<uint64_t> args = {}) {
  return Evaluate(p, SeccompData::For(a, Nr(name, a), args)).action;
}

TEST(Interpreter, FirstMatchingRuleWins) {
  Policy p = MustBuild(PolicyBuilder()
                           .Default(Action::Errno(EPERM))
                           .Allow("openat")
                           .If(Arg("flags") == O_RDONLY)
                           .Errno(EACCES, "openat")
                           .Allow("openat"));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "openat", {0, 0, O_RDONLY}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "openat", {0, 0, O_WRONLY}), Action::Errno(EACCES));
  Verdict v = Evaluate(p, SeccompData::For(Arch::kX86_64, Nr("openat"), {0, 0, O_WRONLY}));
  EXPECT_EQ(v.reason, Verdict::Reason::kRule);
  EXPECT_EQ(v.rule, 1);
}

TEST(Interpreter, DefaultForKnownUnknownForTheRest) {
  Policy p = MustBuild(PolicyBuilder().Default(Action::Errno(EPERM)).Allow("read"));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "mount"), Action::Errno(EPERM));
  // 400 is a hole in the x86_64 table, 1000 and 0x3fffffff are past it, -1 is a tracer's skip.
  for (int32_t nr : {400, 1000, 0x3fffffff, -1, INT32_MIN}) {
    Verdict v = Evaluate(p, SeccompData::For(Arch::kX86_64, nr));
    EXPECT_EQ(v.action, Action::Errno(ENOSYS)) << nr;
    EXPECT_EQ(v.reason, Verdict::Reason::kUnknown) << nr;
  }
  // 0x7fffffff has the x32 bit: an x32 call, and x32 is not a target.
  EXPECT_EQ(Evaluate(p, SeccompData::For(Arch::kX86_64, 0x7fffffff)).reason,
            Verdict::Reason::kBadArch);
}

// THREATS row 1: a policy that denies execve must also deny it through int 0x80 (i386 nr 11,
// which is munmap on x86_64), and an ABI the policy does not target is killed.
TEST(Interpreter, ArchIsCheckedFirst) {
  Policy both = MustBuild(
      PolicyBuilder({Arch::kX86_64, Arch::kI386}).Default(Action::Allow()).Errno(EPERM, "execve"));
  EXPECT_EQ(Eval(both, Arch::kI386, "execve"), Action::Errno(EPERM));
  EXPECT_EQ(Eval(both, Arch::kX86_64, "munmap"), Action::Allow());
  Policy only64 = MustBuild(PolicyBuilder({Arch::kX86_64}).Default(Action::Allow()));
  Verdict v = Evaluate(only64, SeccompData::For(Arch::kI386, 11));
  EXPECT_EQ(v.action, Action::KillProcess());
  EXPECT_EQ(v.reason, Verdict::Reason::kBadArch);
  SeccompData foreign;
  foreign.arch = 0xdeadbeef;
  EXPECT_EQ(Evaluate(only64, foreign).reason, Verdict::Reason::kBadArch);
}

// THREATS row 2: x32 calls carry the x86_64 audit value; they are refused unless x32 is a target.
TEST(Interpreter, X32IsItsOwnTarget) {
  Policy p =
      MustBuild(PolicyBuilder({Arch::kX86_64}).Default(Action::Allow()).Errno(EPERM, "execve"));
  for (int32_t nr : {0x40000000 | 39, 0x40000000 | 59, 0x40000000 | 520}) {
    SeccompData d = SeccompData::For(Arch::kX86_64, nr);
    EXPECT_EQ(Evaluate(p, d).reason, Verdict::Reason::kBadArch) << nr;
  }
  Policy with_x32 = MustBuild(
      PolicyBuilder({Arch::kX86_64, Arch::kX32}).Default(Action::Allow()).Errno(EPERM, "execve"));
  EXPECT_EQ(Eval(with_x32, Arch::kX32, "execve"), Action::Errno(EPERM));  // x32 execve is 520
  EXPECT_EQ(*SyscallNumber(Arch::kX32, "execve"), 0x40000000 | 520);
}

// THREATS row 5: a 32-bit argument ignores the upper half, as the kernel does.
TEST(Interpreter, ThirtyTwoBitArgumentIgnoresUpperHalf) {
  Policy p = MustBuild(
      PolicyBuilder().Default(Action::Allow()).Errno(EPERM, "ioctl").If(Arg("cmd") == TIOCSTI));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "ioctl", {0, TIOCSTI}), Action::Errno(EPERM));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "ioctl", {0, TIOCSTI | (1ULL << 32)}), Action::Errno(EPERM));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "ioctl", {0, TIOCSTI + 1}), Action::Allow());
}

// THREATS row 6: AT_FDCWD arrives zero- or sign-extended; a signed 32-bit compare takes both.
TEST(Interpreter, SignedThirtyTwoBitComparison) {
  Policy p = MustBuild(
      PolicyBuilder().Default(Action::Errno(EPERM)).Allow("openat").If(Arg("dfd") == AT_FDCWD));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "openat", {0x00000000ffffff9cULL}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "openat", {0xffffffffffffff9cULL}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "openat", {3}), Action::Errno(EPERM));
  Policy lt =
      MustBuild(PolicyBuilder().Default(Action::Errno(EPERM)).Allow("openat").If(Arg("dfd") < 0));
  EXPECT_EQ(Eval(lt, Arch::kX86_64, "openat", {0xffffff9cULL}), Action::Allow());
  EXPECT_EQ(Eval(lt, Arch::kX86_64, "openat", {0x7fffffffULL}), Action::Errno(EPERM));
}

// THREATS row 4 (CVE-2019-9893): 64-bit ordered comparisons, vectors of libseccomp test 49.
TEST(Interpreter, SixtyFourBitOrdering) {
  Policy p = MustBuild(PolicyBuilder()
                           .Default(Action::KillProcess())
                           .Allow("getppid")
                           .If(Arg(0).U64() < 0x123456789abcULL));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {0x123450000000ULL}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {0x123460000000ULL}), Action::KillProcess());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {0x123456789abbULL}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {0x123456789abcULL}), Action::KillProcess());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {0x000056789abdULL}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {~0ULL}), Action::KillProcess());
  Policy s = MustBuild(
      PolicyBuilder().Default(Action::KillProcess()).Allow("getppid").If(Arg(0).S64() >= -5));
  EXPECT_EQ(Eval(s, Arch::kX86_64, "getppid", {static_cast<uint64_t>(-5)}), Action::Allow());
  EXPECT_EQ(Eval(s, Arch::kX86_64, "getppid", {static_cast<uint64_t>(-6)}), Action::KillProcess());
  EXPECT_EQ(Eval(s, Arch::kX86_64, "getppid", {0x7fffffffffffffffULL}), Action::Allow());
}

// THREATS row 7 (CVE-2017-18367): conditions in one rule are ANDed.
TEST(Interpreter, AndIsNotOr) {
  Policy p = MustBuild(PolicyBuilder()
                           .Default(Action::Errno(EPERM))
                           .Allow("getppid")
                           .If(Arg(0).U64() == 1 && Arg(1).U64() == 2));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {1, 2}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {1, 3}), Action::Errno(EPERM));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "getppid", {3, 2}), Action::Errno(EPERM));
  Policy q = MustBuild(PolicyBuilder()
                           .Default(Action::Errno(EPERM))
                           .Allow("getppid")
                           .If(Arg(0).U64() == 1 || Arg(1).U64() == 2));
  EXPECT_EQ(Eval(q, Arch::kX86_64, "getppid", {1, 3}), Action::Allow());
  EXPECT_EQ(Eval(q, Arch::kX86_64, "getppid", {3, 2}), Action::Allow());
  EXPECT_EQ(Eval(q, Arch::kX86_64, "getppid", {3, 3}), Action::Errno(EPERM));
}

TEST(Interpreter, MaskedSetAndRange) {
  Policy p = MustBuild(PolicyBuilder()
                           .Default(Action::Errno(EPERM))
                           .Allow("clone")
                           .If((Arg("clone_flags") & 0x7E020000) == 0)
                           .Allow("personality")
                           .If(Arg("personality").In({0, 8, 0x20000, 0x20008, 0xffffffff}))
                           .Allow("fcntl")
                           .If(Arg("cmd").Between(0, 4))
                           .Allow("mmap")
                           .If(!((Arg("prot") & PROT_EXEC) == PROT_EXEC)));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "clone", {0x11}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "clone", {0x10000000}), Action::Errno(EPERM));  // CLONE_NEWUSER
  EXPECT_EQ(Eval(p, Arch::kX86_64, "personality", {0xffffffff}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "personality", {0x400000}), Action::Errno(EPERM));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "fcntl", {0, 4}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "fcntl", {0, 5}), Action::Errno(EPERM));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "mmap", {0, 4096, PROT_READ}), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "mmap", {0, 4096, PROT_READ | PROT_EXEC}), Action::Errno(EPERM));
}

TEST(Interpreter, ArchGuardAndNumbers) {
  Policy p = MustBuild(PolicyBuilder({Arch::kX86_64, Arch::kI386})
                           .Default(Action::Errno(EPERM))
                           .Allow(sysgate::Nr{11})
                           .On({Arch::kI386}));
  EXPECT_EQ(Eval(p, Arch::kI386, "execve"), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "munmap"), Action::Errno(EPERM));
}

TEST(Interpreter, GroupsExpandPerArch) {
  Policy p = MustBuild(PolicyBuilder({Arch::kX86_64, Arch::kAarch64})
                           .Default(Action::Errno(EPERM))
                           .Allow("@file-system"));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "open"), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kAarch64, "openat"), Action::Allow());
  EXPECT_EQ(Eval(p, Arch::kX86_64, "mount"), Action::Errno(EPERM));
}

}  // namespace
}  // namespace sysgate
