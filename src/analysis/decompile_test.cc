// sysgate decompile: sysgate's own programs for every arch and hand-written oddities come back
// as policies equivalent to them (Decompile proves each against its input; the tests also
// compare the policy with the one compiled), and what no policy can say is refused by
// instruction.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/decompile.h"
#include "sysgate/formats.h"
#include "sysgate/policy_text.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;
using bpf::Jump;
using bpf::Stmt;
using ::testing::HasSubstr;

Policy Parse(std::string_view text) {
  ParsedPolicy r = ParsePolicyText(text, "t.sgp");
  EXPECT_TRUE(r.ok()) << r.RenderDiagnostics() << text;
  return r.ok() ? *r.policy : Policy{};
}

// Compiles `text`, decompiles the program and checks the result against the original policy.
Decompiled RoundTrip(std::string_view text) {
  Policy p = Parse(text);
  auto prog = Compile(p);
  EXPECT_TRUE(prog) << prog.error().ToString();
  if (!prog) return {};
  auto d = Decompile(*prog);
  EXPECT_TRUE(d) << d.error().ToString() << "\n" << text;
  if (!d) return {};
  auto same = VerifyEquivalent(p, d->policy);
  EXPECT_TRUE(same) << same.error().ToString() << "\n" << d->text;
  EXPECT_GT(d->inputs_checked, 0U);
  EXPECT_EQ(d->rule_insns.size(), d->policy.rules.size());
  return *d;
}

TEST(Decompile, SysgateProgramsOfEveryArch) {
  for (Arch a : AllArches()) {
    SCOPED_TRACE(Info(a).name);
    std::string text = fmt::format(
        "arch {}\n"
        "default errno(EPERM)\n"
        "allow read, write, close, @exit\n"
        "errno(EACCES) ioctl if cmd == 0x5412\n"
        "allow socket if family in {{1, 2, 10}}\n"
        "allow prctl if option:u64 == 0x100000001 || option:u32 in 3..7\n"
        "kill-process execve\n",
        Info(a).name);
    RoundTrip(text);
  }
}

TEST(Decompile, SeveralArchesAndX32) {
  RoundTrip("arch x86_64, i386, x32\ndefault allow\nerrno(ENOSYS) clone3\nkill-process @mount\n");
  RoundTrip(
      "arch aarch64, arm\ndefault kill-process\nunknown errno(EPERM)\nallow @system-service\n");
}

TEST(Decompile, BuiltinProfiles) {
  for (std::string_view name : BuiltinProfileNames()) {
    SCOPED_TRACE(name);
    RoundTrip(*BuiltinProfileText(name));
  }
}

// libseccomp and sysgate compile `arg1 == 0x100000001` into tests of both halves; they come back
// as one 64-bit comparison, and a whole group of one verdict as the group.
TEST(Decompile, HalvesMergeAndGroupsReturn) {
  Decompiled d = RoundTrip(
      "arch x86_64\ndefault errno(EPERM)\nallow prctl if arg1:u64 == 0x100000001\n"
      "allow @basic-io\n");
  EXPECT_THAT(d.text, HasSubstr("allow prctl if arg1:u64 == 0x100000001"));
  EXPECT_THAT(d.text, HasSubstr("@basic-io"));
}

// Scratch memory, the X register, `ld len`, `ret A` of a constant and shared tails.
TEST(Decompile, HandWrittenOddities) {
  bpf::Program p = {
      Stmt(kLd | kW | kAbs, bpf::data::kArch),   // 0
      Jump(kJmp | kJeq | kK, 0xC000003E, 1, 0),  // 1
      Stmt(kRet | kK, bpf::ret::kKillProcess),   // 2
      Stmt(kLd | kW | kAbs, bpf::data::kNr),     // 3
      Stmt(kSt, 3),                              // 4: M[3] = nr
      Stmt(kLd | kW | kLen, 0),                  // 5: A = 64
      Stmt(kMisc | kTax, 0),                     // 6: X = 64
      Stmt(kLd | kMem, 3),                       // 7: A = nr
      Jump(kJmp | kJeq | kK, 59, 6, 0),          // 8: execve -> 15
      Jump(kJmp | kJgt | kX, 0, 3, 0),           // 9: nr > 64 -> 13, else 10
      Stmt(kLd | kW | kAbs, bpf::data::kArgs),   // 10: A = args[0] low
      Jump(kJmp | kJeq | kK, 7, 0, 3),           // 11: == 7 -> 12, else 15
      Stmt(kJmp | kJa, 3),                       // 12: -> 16
      Stmt(kLd | kImm, bpf::ret::kAllow),        // 13
      Stmt(kRet | kA, 0),                        // 14: return ALLOW from A
      Stmt(kRet | kK, bpf::ret::kErrno | 1),     // 15: shared tail
      Stmt(kRet | kK, bpf::ret::kLog),           // 16
  };
  ASSERT_TRUE(VerifyLoadable(p));
  auto d = Decompile(p);
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_THAT(d->text, HasSubstr("execve"));
  EXPECT_THAT(d->text, HasSubstr("log"));
  EXPECT_THAT(d->text, HasSubstr("arg0:u32 == 7"));
  // The rules point at the RETs they stand for.
  bool log_rule = false;
  for (size_t i = 0; i < d->policy.rules.size(); ++i) {
    if (d->policy.rules[i].action == Action::Log()) {
      log_rule = true;
      EXPECT_EQ(d->rule_insns[i], std::vector<int>{16});
    }
  }
  EXPECT_TRUE(log_rule) << d->text;
}

// A test that contradicts what earlier tests on the same bits established ends its path: after
// `A & 1 == 1` was taken, `A & 1` cannot be clear (and the other way round). Each was once
// kept with contradicting facts: a refusal "not the program" or a dead rule.
TEST(Decompile, ContradictingBitTestsEndThePath) {
  const std::string head = R"(  A = arch
  if (A != ARCH_X86_64) goto kill
  A = sys_number
  if (A != write) goto deny
  A = args[0]
  A &= 1
)";
  const std::string tail = R"(deny:
  return ERRNO(1)
kill:
  return KILL_PROCESS
)";
  for (std::string body :
       {"  if (A != 1) goto other\n  if (A & 1) goto eperm\n  return ALLOW\neperm:\n  return "
        "ERRNO(1)\n"
        "other:\n  return LOG\n",
        "  if (A != 1) goto deny\n  if (A & 1) goto allow\n  return LOG\nallow:\n  return ALLOW\n",
        "  if (A & 1) goto set\n  if (A == 1) goto allow\n  return LOG\nset:\n  return TRAP\n"
        "allow:\n  return ALLOW\n"}) {
    auto prog = Assemble(head + body + tail);
    ASSERT_TRUE(prog) << prog.error().ToString();
    auto d = Decompile(*prog);
    ASSERT_TRUE(d) << d.error().ToString() << "\n" << body;
    EXPECT_THAT(d->text, ::testing::Not(HasSubstr("& 1) == 0"))) << d->text;  // no dead rule
  }
}

// What decompile writes for libseccomp's filters (`foreign kill-thread`) converts to every
// writable format: they cannot say it, the writer says so, and the file reads back as what the
// conversion says it means. (convert once failed here with "means something else".)
TEST(Decompile, ForeignVerdictConverts) {
  Policy p = Parse("arch x86_64\ndefault errno(EPERM)\nforeign kill-thread\nallow read, write\n");
  for (formats::Format f : {formats::Format::kOci, formats::Format::kSpo, formats::Format::kSystemd,
                            formats::Format::kFirecracker}) {
    formats::Exported e = formats::Export(p, f);
    ASSERT_TRUE(e.text && e.means) << formats::FormatName(f);
    bool warned = std::ranges::any_of(e.diagnostics, [](const Diagnostic& d) {
      return d.message.find("foreign kill-thread") != std::string::npos;
    });
    EXPECT_TRUE(warned) << formats::FormatName(f);
    auto back = VerifyConversion(*e.means, *e.text, f, "");
    EXPECT_TRUE(back) << formats::FormatName(f) << ": " << back.error().ToString();
  }
}

// libseccomp kills the calls of foreign arches by thread (its default), some programs allow them.
TEST(Decompile, ForeignArchVerdicts) {
  auto d = Decompile({Stmt(kRet | kK, bpf::ret::kAllow)});
  ASSERT_TRUE(d) << d.error().ToString();
  EXPECT_THAT(d->text, HasSubstr("foreign allow"));
  Decompiled t =
      RoundTrip("arch x86_64\nforeign kill-thread\ndefault allow\nerrno(EPERM) ptrace\n");
  EXPECT_THAT(t.text, HasSubstr("foreign kill-thread"));
}

TEST(Decompile, RefusesWhatNoPolicyCanSay) {
  auto refused = [](const bpf::Program& p, std::string_view what) {
    ASSERT_TRUE(VerifyLoadable(p));
    auto d = Decompile(p);
    ASSERT_FALSE(d) << d->text;
    EXPECT_THAT(d.error().message, HasSubstr(what));
  };
  const bpf::Insn nr = Stmt(kLd | kW | kAbs, bpf::data::kNr);
  refused({Stmt(kLd | kW | kAbs, bpf::data::kIp), Jump(kJmp | kJeq | kK, 0x1000, 0, 1),
           Stmt(kRet | kK, bpf::ret::kAllow), Stmt(kRet | kK, bpf::ret::kKillProcess)},
          "instruction 1: a test on the instruction pointer");
  refused({nr, Stmt(kAlu | kAdd | kK, 1), Jump(kJmp | kJeq | kK, 60, 0, 1),
           Stmt(kRet | kK, bpf::ret::kAllow), Stmt(kRet | kK, bpf::ret::kKillProcess)},
          "instruction 2: a test on a value computed by instruction 1");
  refused({Stmt(kLd | kW | kAbs, bpf::data::kArgs), Stmt(kRet | kA, 0)},
          "instruction 1: the verdict is a value read from the call");
  // Foreign arches given two verdicts.
  refused({Stmt(kLd | kW | kAbs, bpf::data::kArch), Jump(kJmp | kJeq | kK, 7, 0, 1),
           Stmt(kRet | kK, bpf::ret::kAllow), Stmt(kRet | kK, bpf::ret::kKillThread)},
          "calls of arches no ABI has get ALLOW and KILL_THREAD");
  // A masked test of the syscall number that is no set of a few ranges, refused quickly.
  refused({nr, Stmt(kAlu | kAnd | kK, 0xfff), Jump(kJmp | kJeq | kK, 0x123, 0, 1),
           Stmt(kRet | kK, bpf::ret::kAllow), Stmt(kRet | kK, bpf::ret::kKillProcess)},
          "instruction 2: a masked test on the syscall number that is not a set of ranges");
  // Not loadable at all.
  auto bad = Decompile({Jump(kJmp | kJeq | kK, 0, 5, 5)});
  ASSERT_FALSE(bad);
  EXPECT_THAT(bad.error().message, HasSubstr("would not load"));
}

}  // namespace
}  // namespace sysgate::analysis
