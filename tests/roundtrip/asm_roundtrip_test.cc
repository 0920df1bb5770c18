// asm(disasm(p)) == p for compiled programs on every arch and for hand-made ones; the
// assembler never crashes on mangled text.
#include <random>

#include <gtest/gtest.h>

#include "policy_gen.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"

namespace sysgate {
namespace {

TEST(AsmRoundTrip, CompiledPrograms) {
  int n = 0;
  for (std::vector<Arch> arches : {std::vector<Arch>{Arch::kX86_64, Arch::kX32, Arch::kI386},
                                   {Arch::kAarch64, Arch::kArm},
                                   {Arch::kS390x, Arch::kS390},
                                   {Arch::kMips64, Arch::kMips},
                                   {Arch::kPpc64le}}) {
    for (int seed = 0; seed < 60; ++seed) {
      testing::PolicyGenOptions opt;
      opt.arches = arches;
      testing::PolicyGen gen(static_cast<uint64_t>(seed) * 31 + 5, opt);
      Policy p = gen.Next();
      auto prog = Compile(p);
      ASSERT_TRUE(prog);
      std::string text = analysis::Disassemble(*prog, {.arch = arches[0], .asm_able = true});
      auto back = analysis::Assemble(text, "rt.asm", arches[0]);
      ASSERT_TRUE(back) << back.error().ToString() << "\n" << text;
      ASSERT_EQ(*back, *prog) << text;
      ++n;
    }
  }
  EXPECT_EQ(n, 300);
}

TEST(AsmRoundTrip, EveryInstructionForm) {
  const char* text = R"(
  A = arch
  if (A != ARCH_X86_64) goto kill
  A = sys_number
  if (A >= 0x40000000) goto kill
  if (A == execve) goto kill else goto next
next:
  if (A == i386.execve) goto kill
  A = args[1] >> 32
  A = instruction_pointer
  X = A
  A = X
  mem[3] = A
  mem[4] = X
  A = mem[3]
  X = mem[4]
  X = 5
  A = len
  X = len
  A += 1
  A -= X
  A *= 3
  A /= 2
  A &= 0xff
  A |= X
  A ^= 1
  A <<= 2
  A >>= 1
  A = -A
  if (A > X) goto e
  if (!(A & 4)) goto e
  if (A & 4) goto e
  if (A <= 5) goto e
  goto e
e:
  return ERRNO(EPERM)
kill:
  return KILL_PROCESS
)";
  auto p = analysis::Assemble(text, "t.asm", Arch::kX86_64);
  ASSERT_TRUE(p) << p.error().ToString();
  ASSERT_TRUE(analysis::VerifyLoadable(*p)) << analysis::VerifyLoadable(*p).error().message;
  EXPECT_EQ((*p)[5].k, 11u);  // i386.execve
  std::string dis = analysis::Disassemble(*p, {.arch = Arch::kX86_64, .asm_able = true});
  auto back = analysis::Assemble(dis, "t2.asm", Arch::kX86_64);
  ASSERT_TRUE(back) << back.error().ToString() << dis;
  EXPECT_EQ(*back, *p) << dis;
}

TEST(AsmRoundTrip, ErrorsHaveLines) {
  auto bad = [](const char* t) {
    auto r = analysis::Assemble(t, "e.asm", Arch::kX86_64);
    return r ? std::string("ok") : r.error().ToString();
  };
  EXPECT_EQ(bad("A = arch\nreturn ALLOW"), "ok");
  EXPECT_EQ(bad("A = arch\nfrobnicate\n"), "e.asm:2:1: cannot read 'frobnicate'");
  EXPECT_EQ(bad("goto nowhere\nreturn ALLOW"), "e.asm:1:1: unknown label 'nowhere'");
  EXPECT_EQ(bad("x:\nreturn ALLOW\nx:\nreturn A"), "e.asm:3:1: label 'x' defined twice");
  EXPECT_EQ(bad("A = sys_number\nif (A == notasyscall) goto y\ny:\nreturn ALLOW"),
            "e.asm:2:1: 'notasyscall' is not a number, ARCH_* constant or syscall name");
}

TEST(AsmRoundTrip, LongLinesAreReadWithoutRecursion) {
  // std::regex recursed once per character: a 30,000-character line overflowed the stack.
  for (std::string line :
       {"A = " + std::string(300000, 'x'), "if (A == " + std::string(300000, '1') + ") goto a",
        "return ERRNO(" + std::string(300000, '(') + ")",
        "A = args[" + std::string(300000, '1') + "]",
        std::string(300000, 'l') + ": return ALLOW\n" + std::string(300000, 'l') + ":"}) {
    auto r = analysis::Assemble(line + "\nreturn ALLOW\n", "long.asm", Arch::kX86_64);
    ASSERT_FALSE(r) << line.substr(0, 20);
    EXPECT_LE(r.error().loc.line, 2);
    EXPECT_LT(r.error().ToString().size(), 200u);  // the long word is abbreviated
  }
}

TEST(AsmRoundTrip, MangledTextNeverCrashes) {
  std::mt19937_64 rng(4242);
  Policy p;
  p.rules.push_back(Rule{Action::Allow(), {SyscallSpec::Name("read")}, {}, std::nullopt, {}});
  auto prog = Compile(p);
  ASSERT_TRUE(prog);
  std::string text = analysis::Disassemble(*prog, {.asm_able = true});
  for (int i = 0; i < 3000; ++i) {
    std::string t = text;
    for (int e = 0; e < 3; ++e) {
      size_t pos = rng() % (t.size() + 1);
      switch (rng() % 4) {
        case 0: t.erase(pos, rng() % 10); break;
        case 1: t.insert(pos, 1, static_cast<char>(rng() % 256)); break;
        case 2: t.insert(pos, "99999999999999999999"); break;
        default: t.insert(pos, "\nif (A == x32.read) goto L0000 else goto zz\n"); break;
      }
    }
    auto r = analysis::Assemble(t, "m.asm");
    if (r) (void)analysis::VerifyLoadable(*r);
  }
}

}  // namespace
}  // namespace sysgate
