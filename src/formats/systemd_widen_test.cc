// convert --to systemd --widen: what systemd's filter cannot say becomes a unit that allows more,
// never less, with a warning for each syscall; checked on every boundary input of the policy.
#include <cerrno>
#include <filesystem>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "sysgate/analysis.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate::formats {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Policy Parse(const std::string& text) {
  ParsedPolicy p = ParsePolicyText("arch x86_64\n" + text, "p.sgp");
  EXPECT_TRUE(p.ok()) << p.FirstError().ToString();
  return p.ok() ? *p.policy : Policy{};
}

std::string Messages(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const Diagnostic& d : ds) out += d.message + "\n";
  return out;
}

bool Runs(const Action& a) { return a.kind() == ActionKind::kAllow || a.kind() == ActionKind::kLog; }

// The widened unit, read back, lets run every call the policy lets run (or may: a supervisor's
// or tracer's), and fails no call with another errno than the policy's.
std::string Widened(const Policy& p, std::string* warnings = nullptr) {
  ExportOptions o;
  o.widen = true;
  Exported e = Export(p, Format::kSystemd, o);
  if (warnings) *warnings = Messages(e.diagnostics);
  EXPECT_TRUE(e.text) << Messages(e.diagnostics);
  if (!e.text) return "";
  auto same = analysis::VerifyConversion(*e.means, *e.text, Format::kSystemd, "");
  EXPECT_TRUE(same) << same.error().ToString();
  const Policy& unit = *e.means;
  size_t narrower = 0;
  auto checked = analysis::ForEachBoundaryInput(p, [&](const SeccompData& d) -> Result<void> {
    const Action before = Evaluate(p, d).action, after = Evaluate(unit, d).action;
    const bool may_run = Runs(before) || before.kind() == ActionKind::kNotify || before.kind() == ActionKind::kTrace;
    if ((may_run && !Runs(after)) ||
        (before.kind() == ActionKind::kErrno && after.kind() == ActionKind::kErrno && before != after)) {
      if (++narrower <= 3) ADD_FAILURE() << "nr " << d.nr << ": " << before.ToString() << " -> " << after.ToString();
    }
    return {};
  });
  EXPECT_TRUE(checked);
  EXPECT_GT(checked.value_or(0), 100u);
  EXPECT_EQ(narrower, 0u);
  return *e.text;
}

TEST(SystemdWiden, AnAllowListAllowsWhatArgumentsOrAnotherErrnoWouldHaveDecided) {
  Policy p = Parse("default errno(EPERM)\nallow read, write, exit_group\n"
                   "allow personality if arg0 == 0\nerrno(ENOSYS) clone3\nkill-process ptrace\n"
                   "log getpid\n");
  ExportOptions plain;
  EXPECT_FALSE(Export(p, Format::kSystemd, plain).text);  // refused without --widen
  std::string warnings;
  std::string unit = Widened(p, &warnings);
  EXPECT_THAT(warnings, HasSubstr("--widen: personality gets allow (the policy: allow or errno(EPERM) by its arguments)"));
  // ENOSYS makes glibc fall back to clone: allowed, not failed with EPERM.
  EXPECT_THAT(warnings, HasSubstr("--widen: clone3 gets allow (the policy: errno(ENOSYS))"));
  // A killed call fails with the unit's errno instead: as denied, and the program lives.
  EXPECT_THAT(warnings, HasSubstr("--widen: ptrace gets errno(EPERM) (the policy: kill-process)"));
  EXPECT_THAT(warnings, HasSubstr("--widen: getpid gets allow (the policy: log)"));
  EXPECT_THAT(unit, HasSubstr("personality"));
  EXPECT_THAT(unit, HasSubstr("clone3"));
  EXPECT_THAT(unit, HasSubstr("SystemCallErrorNumber=EPERM\n"));
}

TEST(SystemdWiden, ADenyListDropsConditionsAndKeepsWhatItCanSay) {
  Policy p = Parse("default allow\nerrno(EPERM) socket if arg0 == 40\ntrap mount\nlog ptrace\n"
                   "errno(EACCES) umount2\nkill-process kexec_load\nkill-thread reboot\n");
  std::string warnings;
  std::string unit = Widened(p, &warnings);
  EXPECT_THAT(warnings, HasSubstr("--widen: socket gets allow (the policy: errno(EPERM) or allow by its arguments)"));
  EXPECT_THAT(warnings, HasSubstr("--widen: mount gets errno(EPERM) (the policy: trap)"));
  EXPECT_THAT(warnings, HasSubstr("--widen: reboot gets errno(EPERM) (the policy: kill-thread)"));
  EXPECT_THAT(warnings, Not(HasSubstr("umount2")));  // said as it is
  EXPECT_THAT(warnings, Not(HasSubstr("kexec_load")));
  EXPECT_THAT(unit, HasSubstr("SystemCallFilter=~"));
  EXPECT_THAT(unit, HasSubstr("umount2:EACCES"));
  EXPECT_THAT(unit, HasSubstr("mount:EPERM"));
  EXPECT_THAT(unit, Not(HasSubstr("socket")));
}

TEST(SystemdWiden, NothingToWidenIsTheSameUnit) {
  Policy p = Parse("default errno(EPERM)\nallow read, write, exit_group, openat\n");
  std::string warnings;
  ExportOptions plain;
  EXPECT_EQ(Widened(p, &warnings), *Export(p, Format::kSystemd, plain).text);
  EXPECT_THAT(warnings, Not(HasSubstr("--widen")));
}

TEST(SystemdWiden, DockersProfile) {
  namespace fs = std::filesystem;
  fs::path file = fs::path(SYSGATE_SHARED_DATA) / "profiles" / "moby-profiles-default.json";
  if (!fs::exists(file)) GTEST_SKIP() << "no reference data at " << file;
  ImportOptions io;
  io.arch = Arch::kX86_64;
  io.kernel = std::pair(6, 1);
  Imported docker = Import(base::ReadFile(file).value_or(""), Format::kOci, io);
  ASSERT_TRUE(docker.ok()) << Messages(docker.diagnostics);
  ExportOptions plain;
  EXPECT_FALSE(Export(*docker.policy, Format::kSystemd, plain).text);  // argument rules
  std::string warnings;
  std::string unit = Widened(*docker.policy, &warnings);
  EXPECT_THAT(warnings, HasSubstr("--widen: socket gets allow"));
  EXPECT_THAT(warnings, HasSubstr("--widen: personality gets allow"));
  EXPECT_THAT(warnings, HasSubstr("--widen: clone3 gets allow (the policy: errno(ENOSYS))"));
  EXPECT_THAT(unit, HasSubstr("SystemCallErrorNumber=EPERM\n"));
}

}  // namespace
}  // namespace sysgate::formats
