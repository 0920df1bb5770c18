// sysgate lint: each check fires on a policy built to have its problem and stays quiet on the
// same policy mended; the built-in profiles have none, Docker's own has those it is known for.
#include <unistd.h>

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "sysgate/formats.h"
#include "sysgate/lint.h"
#include "sysgate/policy_text.h"

namespace sysgate::analysis {
namespace {

Policy Parse(std::string_view text) {
  ParsedPolicy r = ParsePolicyText(text, "t.sgp");
  EXPECT_TRUE(r.ok()) << r.RenderDiagnostics();
  return r.ok() ? *r.policy : Policy{};
}

std::vector<LintFinding> LintText(std::string_view text) {
  return Lint(Parse(text), Arch::kX86_64);
}

// The finding of check `id`, if any.
const LintFinding* Find(const std::vector<LintFinding>& f, std::string_view id) {
  for (const LintFinding& x : f) {
    if (x.check->id == id) return &x;
  }
  return nullptr;
}

std::set<std::string> Ids(const std::vector<LintFinding>& f) {
  std::set<std::string> out;
  for (const LintFinding& x : f) out.insert(std::string(x.check->id));
  return out;
}

// A restrictive base the cases add to: nothing in it fires.
constexpr std::string_view kBase = "default errno(EPERM)\nallow read, write, close, @exit\n";

struct Case {
  std::string_view id;
  std::string fires;  // a policy with the problem
  std::string quiet;  // the same, mended
  int line = 0;       // the line the finding points at (0: none)
};

class LintCase : public ::testing::TestWithParam<Case> {};

TEST_P(LintCase, FiresOnTheProblemAndNotOnTheMend) {
  const Case& c = GetParam();
  ASSERT_NE(FindLintCheck(c.id), nullptr) << c.id;
  auto fired = LintText(c.fires);
  const LintFinding* f = Find(fired, c.id);
  ASSERT_NE(f, nullptr) << c.id << " did not fire on:\n" << c.fires;
  EXPECT_EQ(f->loc.line, c.line) << f->message;
  if (c.line != 0) {
    EXPECT_EQ(f->loc.file, "t.sgp");
  }
  EXPECT_FALSE(f->message.empty());
  auto quiet = LintText(c.quiet);
  if (const LintFinding* q = Find(quiet, c.id)) {
    ADD_FAILURE() << c.id << " fired on the mended policy:\n" << c.quiet << "\n" << q->message;
  }
}

std::string Base(std::string_view more) { return std::string(kBase) + std::string(more); }

INSTANTIATE_TEST_SUITE_P(
    Checks, LintCase,
    ::testing::Values(
        Case{"default-allow", "default allow\nerrno(EPERM) ptrace\n", Base(""), 0},
        Case{"abi-not-targeted", "arch x86_64\n" + Base(""), Base(""), 0},
        Case{"pointer-argument", Base("allow openat if filename == 0\n"),
             Base("allow openat if flags == 0\n"), 3},
        Case{"wide-compare-32bit-arg", "default allow\nerrno(EPERM) ioctl if cmd:u64 == TIOCSTI\n",
             "default allow\nerrno(EPERM) ioctl if cmd:u32 == TIOCSTI\n", 2},
        Case{
            "multiplexer-allowed", Base("allow socket if family == AF_UNIX\nallow socketcall\n"),
            Base(
                "allow socket if family == AF_UNIX\nerrno(EPERM) socketcall if call == SYS_SOCKET\n"
                "allow socketcall\n"),
            4},
        Case{"exec-left-open", "default allow\nerrno(EPERM) execve\n",
             "default allow\nerrno(EPERM) @exec\n", 0},
        Case{"io-uring-allowed", Base("allow io_uring_setup, io_uring_enter\n"),
             Base("errno(ENOSYS) @io-uring\n"), 3},
        Case{"clone3-not-enosys",
             Base("allow clone if (clone_flags & CLONE_NEWUSER) == 0\nallow clone3\n"),
             Base("allow clone if (clone_flags & CLONE_NEWUSER) == 0\nerrno(ENOSYS) clone3\n"), 4},
        Case{"allows-ptrace", Base("allow ptrace\n"),
             Base("allow ptrace if request == PTRACE_TRACEME\n"), 3},
        Case{"allows-process-vm-writev", Base("allow process_vm_writev\n"),
             Base("allow process_vm_readv\n"), 3},
        Case{"allows-personality", Base("allow personality\n"),
             Base("allow personality if personality in {0, 8, 0x20000, 0x20008, 0xffffffff}\n"), 3},
        Case{"allows-userfaultfd", "default allow\nerrno(EPERM) ptrace\n", Base(""), 0},
        Case{"allows-open-by-handle-at", Base("allow open_by_handle_at\n"), Base("allow openat\n"),
             3},
        // Under OCI semantics the deny compares 64 bits: TIOCSTI with a high bit gets through.
        Case{"allows-tiocsti", "default allow\nerrno(EPERM) ioctl if cmd:u64 == TIOCSTI\n",
             "default allow\nerrno(EPERM) ioctl if cmd:u32 in {TIOCSTI, TIOCLINUX}\n", 0},
        Case{"kill-thread", Base("kill-thread ptrace\n"), Base("kill-process ptrace\n"), 3},
        Case{"notify-without-listener", Base("notify openat\n"), Base("allow openat\n"), 0},
        Case{"unreachable-rule", Base("allow getpid\nerrno(EPERM) getpid\n"),
             Base("errno(EPERM) getpid\n"), 4}),
    [](const ::testing::TestParamInfo<Case>& i) {
      std::string n(i.param.id);
      for (char& ch : n) {
        if (ch == '-') ch = '_';
      }
      return n;
    });

// foreign-abi-allowed: no policy language sets the action for other ABIs (they are killed);
// a policy built in C++ can.
TEST(Lint, ForeignAbiAllowed) {
  Policy p = Parse(kBase);
  EXPECT_EQ(Find(Lint(p, Arch::kX86_64), "foreign-abi-allowed"), nullptr);
  p.foreign_abi_action = Action::Allow();
  auto findings = Lint(p, Arch::kX86_64);
  const LintFinding* f = Find(findings, "foreign-abi-allowed");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->check->severity, Severity::kError);
}

TEST(Lint, TiocstiWithAHighBitIsNamed) {
  auto f = LintText("default allow\nerrno(EPERM) ioctl if cmd:u64 == TIOCSTI\n");
  const LintFinding* x = Find(f, "allows-tiocsti");
  ASSERT_NE(x, nullptr);
  EXPECT_NE(x->message.find("TIOCSTI | 1 << 32"), std::string::npos) << x->message;
}

TEST(Lint, ChecksHaveUniqueIdsAndFixes) {
  std::set<std::string_view> ids;
  for (const LintCheck& c : LintChecks()) {
    EXPECT_TRUE(ids.insert(c.id).second) << c.id;
    EXPECT_FALSE(c.summary.empty()) << c.id;
    EXPECT_FALSE(c.fix.empty()) << c.id;
  }
}

// The built-in profiles have no finding: `default` is Docker's profile made stricter where
// Docker's allows what these checks find (profiles/default.sgp says how).
TEST(Lint, BuiltinProfilesHaveNoFinding) {
  for (std::string_view name : BuiltinProfileNames()) {
    ParsedPolicy p = ParseBuiltinProfile(name);
    ASSERT_TRUE(p.ok()) << name;
    std::vector<LintFinding> f = Lint(*p.policy, Arch::kX86_64);
    EXPECT_EQ(Ids(f), std::set<std::string>{}) << name << ": " << (f.empty() ? "" : f[0].message);
  }
}

// Docker's own profile, read with runc's semantics: what the built-in one mends.
TEST(Lint, DockersProfile) {
  std::string path = std::string(SYSGATE_SHARED_DATA) + "/profiles/moby-profiles-default.json";
  if (access(path.c_str(), R_OK) != 0) GTEST_SKIP() << path << " is not here (../shared/data)";
  formats::Imported docker = formats::ImportFile(path);
  ASSERT_TRUE(docker.ok());
  EXPECT_EQ(Ids(Lint(*docker.policy, Arch::kX86_64)),
            (std::set<std::string>{"multiplexer-allowed", "allows-ptrace",
                                   "allows-process-vm-writev", "allows-tiocsti"}));
}

TEST(Lint, FindingsPointAtTheRule) {
  auto f = LintText(Base("allow ptrace\n"));
  const LintFinding* x = Find(f, "allows-ptrace");
  ASSERT_NE(x, nullptr);
  EXPECT_EQ(x->loc.ToString(), "t.sgp:3:1");
  EXPECT_NE(x->message.find("by this rule"), std::string::npos) << x->message;
}

}  // namespace
}  // namespace sysgate::analysis
