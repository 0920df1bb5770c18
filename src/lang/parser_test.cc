#include <errno.h>
#include <fcntl.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lang/parse_for_test.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

using testing::FirstError;
using testing::MustParse;

TEST(Parser, Statements) {
  Policy p = MustParse(R"(
    # a comment
    arch x86_64, i386
    default errno(EPERM)
    unknown kill-thread
    const LOW = 0x10 | 1 << 8
    allow read, write, @exit
    errno(EACCES) openat if (flags & O_ACCMODE) != O_RDONLY
    trap(7) ptrace; log getpid
    allow 11 on i386
  )");
  EXPECT_EQ(p.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kI386}));
  EXPECT_EQ(p.default_action, Action::Errno(EPERM));
  EXPECT_EQ(p.unknown_action, Action::KillThread());
  ASSERT_EQ(p.constants.size(), 1u);
  EXPECT_EQ(p.constants[0].value.value, 0x110u);
  ASSERT_EQ(p.rules.size(), 5u);
  EXPECT_EQ(p.rules[0].syscalls.size(), 3u);
  EXPECT_EQ(p.rules[1].loc.line, 8);
  const Condition& c = *p.rules[1].condition;
  ASSERT_EQ(c.kind(), Condition::Kind::kNot);
  EXPECT_EQ(c.children()[0].comparison().op, CmpOp::kMaskedEq);
  EXPECT_EQ(p.rules[2].action, Action::Trap(7));
  EXPECT_EQ(p.rules[3].action, Action::Log());
  EXPECT_EQ(p.rules[4].arches, (std::vector<Arch>{Arch::kI386}));
  EXPECT_EQ(p.rules[4].syscalls[0], SyscallSpec::Number(11));
}

TEST(Parser, ConstantsGivenByTheProgram) {
  ParseOptions o;
  o.constants = {{"ROOT_FD", 7}};
  ParsedPolicy r = ParsePolicyText("allow openat if dfd == ROOT_FD\n", "t.sgp", o);
  ASSERT_TRUE(r.ok()) << r.RenderDiagnostics();
  EXPECT_EQ(r.policy->rules[0].condition->comparison().operands.at(0).value, 7u);
  // Without the value, the name is an unknown constant at its place in the file.
  ParsedPolicy missing = ParsePolicyText("allow openat if dfd == ROOT_FD\n", "t.sgp");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.FirstError().ToString(), HasSubstr("t.sgp:1:24: unknown constant 'ROOT_FD'"));
  // The file cannot quietly replace a value the program gave.
  ParsedPolicy redefined = ParsePolicyText("const ROOT_FD = 3\n", "t.sgp", o);
  ASSERT_FALSE(redefined.ok());
  EXPECT_THAT(
      redefined.FirstError().ToString(),
      HasSubstr("t.sgp:1:7: constant ROOT_FD is also given by the program loading the policy "
                "(sysgate's -D ROOT_FD=VALUE, ParseOptions::constants)"));
}

TEST(Parser, ConditionsPrecedenceAndContinuation) {
  Policy p = MustParse(
      "allow getppid if arg0 == 1 || arg1 == 2 &&\n"
      "    arg2 == 3\n"
      "allow fcntl if (cmd in {F_GETFL, F_SETFL,\n F_GETFD}\n or cmd in 0..2)\n"
      "allow socket if family not in {AF_NETLINK} and not (type == 3)\n"
      "allow mmap if prot & PROT_EXEC\n");
  const Condition& c = *p.rules[0].condition;
  ASSERT_EQ(c.kind(), Condition::Kind::kOr);  // && binds tighter than ||
  EXPECT_EQ(c.children()[1].kind(), Condition::Kind::kAnd);
  EXPECT_EQ(c.children()[1].children().size(), 2u);
  const Condition& f = *p.rules[1].condition;
  ASSERT_EQ(f.kind(), Condition::Kind::kOr);
  EXPECT_EQ(f.children()[0].comparison().operands.size(), 3u);
  EXPECT_EQ(f.children()[1].comparison().op, CmpOp::kRange);
  EXPECT_EQ(p.rules[2].condition->kind(), Condition::Kind::kAnd);
  EXPECT_EQ(p.rules[3].condition->kind(), Condition::Kind::kNot);
}

TEST(Parser, ArgumentTypesAndNormalisation) {
  Policy p = MustParse(
      "allow openat if dfd == AT_FDCWD\nallow ioctl if cmd:u64 == 1\n"
      "allow getppid if arg0:s32 == -1\n");
  const Comparison& dfd = p.rules[0].condition->comparison();
  EXPECT_EQ(dfd.arg.index, 0);
  EXPECT_TRUE(dfd.arg.is_signed);
  EXPECT_EQ(dfd.operands[0].value, 0xffffff9cu);  // normalised to 32 bits
  EXPECT_EQ(dfd.operands[0].spelling, "AT_FDCWD");
  EXPECT_EQ(p.rules[1].condition->comparison().arg.width, Width::k64);
  EXPECT_TRUE(p.rules[1].condition->comparison().arg.explicit_type);
}

TEST(Parser, ErrorsCarryFileLineColumn) {
  EXPECT_EQ(FirstError("allow opne"), "t.sgp:1:7: unknown syscall 'opne'; did you mean 'open'?");
  EXPECT_EQ(FirstError("\nalow read"),
            "t.sgp:2:1: unknown action 'alow'; did you mean 'allow'? "
            "(actions: allow, errno(E), kill-process, kill-thread, "
            "trap, trace, log, notify)");
  EXPECT_THAT(FirstError("allow openat if flag == 0"),
              HasSubstr("t.sgp:1:17: openat has no argument named 'flag'; did you mean 'flags'?"));
  EXPECT_THAT(FirstError("allow openat if flags == O_RDONY"),
              HasSubstr("1:26: unknown constant 'O_RDONY'; did you mean 'O_RDONLY'?"));
  EXPECT_THAT(FirstError("allow openat if flags == 0x100000000"),
              HasSubstr("does not fit the 32-bit argument"));
  EXPECT_THAT(FirstError("errno(5000) mount"), HasSubstr("1..4095"));
  EXPECT_THAT(FirstError("errno(0) mount"), HasSubstr("allow-errno-zero"));
  EXPECT_EQ(FirstError("option allow-errno-zero\nerrno(0) mount"), "no error");
  EXPECT_THAT(FirstError("default allow\ndefault allow"),
              HasSubstr("2:1: the default action is already set at t.sgp:1:1"));
  EXPECT_THAT(FirstError("foreign allow\nforeign log"),
              HasSubstr("2:1: the foreign action is already set at t.sgp:1:1"));
  EXPECT_THAT(FirstError("allow read if"), HasSubstr("expected an argument"));
  EXPECT_THAT(FirstError("allow read extra"), HasSubstr("1:12: expected the end of the statement"));
  EXPECT_THAT(FirstError("allow getppid if arg9 == 0"),
              HasSubstr("1:18: there is no argument arg9"));
  EXPECT_THAT(FirstError("arch x86_65"),
              HasSubstr("unknown arch 'x86_65'; did you mean 'x86_64'?"));
  EXPECT_THAT(FirstError("allow @file-sytem"), HasSubstr("did you mean '@file-system'?"));
  EXPECT_THAT(FirstError("allow read if (arg0 & 1) < 2"), HasSubstr("only with == or !="));
  EXPECT_THAT(FirstError("allow read if fd in 5..1"), HasSubstr("range is empty"));
  EXPECT_THAT(FirstError("include \"nope.sgp\""), HasSubstr("cannot find included file"));
}

TEST(Parser, ReportsManyErrorsAndRendersCarets) {
  ParsedPolicy r = ParsePolicyText("allow opne\nallow rea\nallow write\n", "x.sgp");
  EXPECT_FALSE(r.ok());
  std::string text = r.RenderDiagnostics();
  EXPECT_THAT(text, HasSubstr("x.sgp:1:7: error: unknown syscall 'opne'"));
  EXPECT_THAT(text, HasSubstr("    1 | allow opne\n      |       ^\n"));
  EXPECT_THAT(text, HasSubstr("x.sgp:2:7: error: unknown syscall 'rea'"));
}

TEST(Parser, IncludesResolveRelativeAndDetectCycles) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sysgate_inc_" + std::to_string(getpid()));
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "main.sgp")
      << "default errno(EPERM)\ninclude \"sub/base.sgp\"\nallow write\n";
  std::ofstream(dir / "sub/base.sgp") << "allow read\ninclude \"more.sgp\"\n";
  std::ofstream(dir / "sub/more.sgp") << "allow close\n";
  ParsedPolicy r = ParsePolicyFile((dir / "main.sgp").string());
  ASSERT_TRUE(r.ok()) << r.RenderDiagnostics();
  ASSERT_EQ(r.policy->rules.size(), 3u);
  EXPECT_EQ(r.policy->rules[0].syscalls[0].name, "read");
  EXPECT_THAT(r.policy->rules[1].loc.file, HasSubstr("more.sgp"));
  EXPECT_EQ(r.policy->rules[2].syscalls[0].name, "write");

  std::ofstream(dir / "sub/more.sgp") << "include \"base.sgp\"\n";
  ParsedPolicy cyc = ParsePolicyFile((dir / "main.sgp").string());
  EXPECT_FALSE(cyc.ok());
  EXPECT_THAT(cyc.RenderDiagnostics(), HasSubstr("include cycle"));
  fs::remove_all(dir);
}

// ---- limits (docs/limits.md): refused at once, with the place and the limit named ----

std::string Repeat(std::string_view s, size_t n, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += std::string(i ? sep : "") + std::string(s);
  return out;
}

TEST(ParserLimits, NumbersAreRangeChecked) {
  EXPECT_THAT(FirstError("allow read if arg99999999999999999999 == 1"),
              HasSubstr("1:15: there is no argument arg99999999999999999999"));
  EXPECT_THAT(FirstError("allow read if arg01 == 1"), HasSubstr("there is no argument arg01"));
  EXPECT_THAT(FirstError("default errno(4294967297)"),
              HasSubstr("1:15: errno(4294967297) is out of range (1..4095)"));
  EXPECT_THAT(FirstError("trap(0x100000000) read"),
              HasSubstr("trap(0x100000000) is out of range (0..65535)"));
  EXPECT_THAT(FirstError("allow 4294967296"),
              HasSubstr("1:7: syscall number 4294967296 is not a 32-bit integer"));
  EXPECT_THAT(FirstError("allow 18446744073709551615"), HasSubstr("is not a 32-bit integer"));
  EXPECT_TRUE(ParsePolicyText("allow -1 on x86_64\nallow 2147483647 on x86_64", "t.sgp").ok());
}

TEST(ParserLimits, TheDefaultActionIsLocated) {
  EXPECT_EQ(FirstError("allow read\ndefault errno(5000)"),
            "t.sgp:2:1: default action: errno 5000 is out of range: the kernel carries 1..4095 "
            "(larger values become 4095)");
  EXPECT_THAT(FirstError("unknown errno(0)"), HasSubstr("t.sgp:1:1: unknown action: errno(0)"));
}

TEST(ParserLimits, HugeConditionsAndPoliciesAreRefusedQuickly) {
  std::string big_and =
      "allow read if " + Repeat("arg1 <= 97 && arg0 > 3 && arg2 != 4", 7000, " && ");
  EXPECT_THAT(
      FirstError(big_and),
      HasSubstr(
          "t.sgp:1:13016: the condition has more than 1000 comparisons, sysgate's limit per rule"));
  std::string big_set = "allow read if arg0 in {" + Repeat("7", 10001, ", ") + "}";
  EXPECT_THAT(FirstError(big_set),
              HasSubstr("1:30024: the set has more than 10000 values, sysgate's limit"));
  EXPECT_TRUE(
      ParsePolicyText("allow read if arg0 in {" + Repeat("7", 10000, ", ") + "}", "t.sgp").ok());

  std::string rules = "default errno(EPERM)\n" + Repeat("allow read if arg0 == 1", 200000, "\n");
  ParsedPolicy r = ParsePolicyText(rules, "t.sgp");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(
      r.RenderDiagnostics(),
      HasSubstr(
          "t.sgp:100002:1: error: the policy has more than 100000 rules, sysgate's rule limit"));
  EXPECT_EQ(r.diagnostics.size(), 1u);
}

TEST(ParserLimits, LongNamesAreNotSearchedNorEchoedWhole) {
  std::string name(200000, 'Y');
  ParsedPolicy r =
      ParsePolicyText("allow read if arg0 == " + name, "t.sgp");  // no "did you mean" search
  ASSERT_FALSE(r.ok());
  std::string shown = r.RenderDiagnostics();
  EXPECT_THAT(shown, HasSubstr("unknown constant 'YYYY"));
  EXPECT_THAT(shown, HasSubstr("(200002 characters)"));
  EXPECT_LT(shown.size(), 1000u);  // the line is shown around the column, 160 characters of it
  EXPECT_THAT(shown, HasSubstr("    1 | allow read if arg0 == YYYY"));
}

TEST(ParserLimits, DiagnosticsShownAreCapped) {
  ParsedPolicy r = ParsePolicyText(Repeat("allow read\nallow read", 200, "\n"), "t.sgp");
  ASSERT_TRUE(r.ok());
  EXPECT_GT(r.diagnostics.size(), 300u);  // every repeat is unreachable
  std::string shown = r.RenderDiagnostics();
  EXPECT_THAT(shown,
              HasSubstr(fmt::format("{} warnings more not shown (sysgate shows 100 diagnostics",
                                    r.diagnostics.size() - 100)));
}

TEST(ParserLimits, IncludeCyclesDepthAndUnreadableFiles) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("sysgate_lim_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "self.sgp")
      << "include \"self.sgp\"\ninclude \"self.sgp\"\ninclude \"self.sgp\"\nallow read\n";
  ParsedPolicy self = ParsePolicyFile((dir / "self.sgp").string());
  ASSERT_FALSE(self.ok());
  EXPECT_THAT(self.RenderDiagnostics(),
              HasSubstr("self.sgp:1:9: error: include cycle: \"self.sgp\" is already being read"));
  for (int i = 0; i < 20; ++i) {
    std::ofstream(dir / fmt::format("d{}.sgp", i)) << fmt::format("include \"d{}.sgp\"\n", i + 1);
  }
  ParsedPolicy deep = ParsePolicyFile((dir / "d0.sgp").string());
  EXPECT_THAT(deep.RenderDiagnostics(),
              HasSubstr("includes nest deeper than 16 files, sysgate's include depth limit"));
  ParseOptions shallow;
  shallow.max_include_depth = 3;
  EXPECT_THAT(ParsePolicyFile((dir / "d0.sgp").string(), shallow).RenderDiagnostics(),
              HasSubstr("d2.sgp:1:9: error: includes nest deeper than 3 files"));
  EXPECT_THAT(ParsePolicyFile(dir.string()).RenderDiagnostics(),
              HasSubstr(": error: is a directory, not a file"));
  EXPECT_THAT(ParsePolicyFile("/dev/zero").RenderDiagnostics(),
              HasSubstr("/dev/zero: error: is a device, not a file"));
  EXPECT_THAT(ParsePolicyFile((dir / "nope.sgp").string()).RenderDiagnostics(),
              HasSubstr("error: cannot open: No such file or directory"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sysgate
