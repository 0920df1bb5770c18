// convert --to systemd --widen: what systemd's filter cannot say becomes a unit that allows more,
// never less, with a warning for each syscall; checked on every boundary input of the policy.
#include <cerrno>
#include <filesystem>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "policy/permissiveness.h"
#include "sysgate/analysis.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate::formats {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

Policy Parse(const std::string& text) {
  ParsedPolicy p =
      ParsePolicyText(text.starts_with("arch ") ? text : "arch x86_64\n" + text, "p.sgp");
  EXPECT_TRUE(p.ok()) << p.FirstError().ToString();
  return p.ok() ? *p.policy : Policy{};
}

std::string Messages(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const Diagnostic& d : ds) out += d.message + "\n";
  return out;
}

bool Runs(const Action& a) {
  return a.kind() == ActionKind::kAllow || a.kind() == ActionKind::kLog;
}

// The widened unit, read back, lets run every call the policy lets run (or may: a supervisor's
// or tracer's), and fails no call the policy fails with ENOSYS otherwise.
std::string Widened(const Policy& p, std::string* warnings = nullptr) {
  Exported e = analysis::ExportWidened(p, Format::kSystemd, {});
  if (warnings) *warnings = Messages(e.diagnostics);
  EXPECT_TRUE(e.text) << Messages(e.diagnostics);
  if (!e.text) return "";
  auto same = analysis::VerifyConversion(*e.means, *e.text, Format::kSystemd, "");
  EXPECT_TRUE(same) << same.error().ToString();
  const Policy& unit = *e.means;
  size_t narrower = 0;
  auto checked = analysis::ForEachBoundaryInput(p, [&](const SeccompData& d) -> Result<void> {
    const Action before = Evaluate(p, d).action, after = Evaluate(unit, d).action;
    const bool may_run =
        Runs(before) || before.kind() == ActionKind::kNotify || before.kind() == ActionKind::kTrace;
    const bool enosys_lost = before == Action::Errno(ENOSYS) && !Runs(after) && after != before;
    if ((may_run && !Runs(after)) || enosys_lost || !policy::NotLessPermissive(before, after)) {
      if (++narrower <= 3)
        ADD_FAILURE() << "nr " << d.nr << ": " << before.ToString() << " -> " << after.ToString();
    }
    return {};
  });
  EXPECT_TRUE(checked);
  EXPECT_GT(checked.value_or(0), 100u);
  EXPECT_EQ(narrower, 0u);
  return *e.text;
}

TEST(SystemdWiden, AnAllowListAllowsWhatArgumentsOrAnotherErrnoWouldHaveDecided) {
  Policy p = Parse(
      "default errno(EPERM)\nallow read, write, exit_group\n"
      "allow personality if arg0 == 0\nerrno(ENOSYS) clone3\nkill-process ptrace\n"
      "log getpid\n");
  ExportOptions plain;
  EXPECT_FALSE(Export(p, Format::kSystemd, plain).text);  // refused without --widen
  std::string warnings;
  std::string unit = Widened(p, &warnings);
  EXPECT_THAT(
      warnings,
      HasSubstr(
          "--widen: personality gets allow (the policy: allow or errno(EPERM) by its arguments)"));
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
  Policy p = Parse(
      "default allow\nerrno(EPERM) socket if arg0 == 40\ntrap mount\nlog ptrace\n"
      "errno(EACCES) umount2\nkill-process kexec_load\nkill-thread reboot\n");
  std::string warnings;
  std::string unit = Widened(p, &warnings);
  EXPECT_THAT(
      warnings,
      HasSubstr("--widen: socket gets allow (the policy: errno(EPERM) or allow by its arguments)"));
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

TEST(SystemdWiden, AnotherErrnoIsSaidAndENOSYSIsKept) {
  std::string warnings;
  Widened(Parse("default errno(EPERM)\nallow read, write\nerrno(EACCES) openat if arg2 == 0\n"),
          &warnings);
  EXPECT_THAT(warnings, HasSubstr("--widen: openat gets errno(EPERM) (the policy: errno(EACCES) or "
                                  "errno(EPERM) by its arguments)"));
  // Podman's shape: ENOSYS outside the list, EPERM for some calls: they fail with ENOSYS.
  std::string podman;
  std::string unit = Widened(
      Parse("default errno(ENOSYS)\nallow read, write\nerrno(EPERM) init_module\n"), &podman);
  EXPECT_THAT(podman,
              HasSubstr("--widen: init_module gets errno(ENOSYS) (the policy: errno(EPERM))"));
  EXPECT_THAT(unit, Not(HasSubstr("init_module")));
}

// systemd (libseccomp) decides i386's socketcall(SYS_SOCKET) with socket's entry: where the
// policy allows the one and kills the other, socket is allowed too.
TEST(SystemdWiden, TheMultiplexersOfI386) {
  std::string warnings;
  std::string unit = Widened(Parse("arch x86_64, i386\ndefault allow\nallow socketcall if call == "
                                   "SYS_SOCKET\nkill-process socket\n"),
                             &warnings);
  EXPECT_THAT(
      warnings,
      HasSubstr(
          "--widen: socket is allowed: socketcall #102 on i386 gets allow from the policy but "
          "kill-process from the unit"));
  EXPECT_THAT(unit, Not(HasSubstr("socket")));
  Widened(
      Parse("arch x86_64, i386\ndefault allow\nerrno(EACCES) socketcall if call == "
            "SYS_SOCKET\nerrno(EPERM) socket\n"));
  Widened(Parse(
      "arch x86_64, i386\ndefault allow\nallow ipc if call == SHMGET\nkill-process shmget\n"));
}

TEST(SystemdWiden, DefaultsSystemdCannotGive) {
  for (const char* d : {"notify", "trace", "trace(5)", "trap", "kill-thread", "log"}) {
    std::string warnings;
    std::string unit = Widened(
        Parse(fmt::format(
            "default {}\nallow read, write\nerrno(EACCES) openat\nkill-process mount\n", d)),
        &warnings);
    EXPECT_THAT(warnings, HasSubstr("--widen: the default becomes")) << d;
    EXPECT_NE(unit, "") << d;
  }
}

// systemd 252 ignores SystemCallErrorNumber=log and kills instead: refused, widened to allow.
TEST(SystemdWiden, ALogDefaultIsNotWritten) {
  Policy p = Parse("default log\nerrno(EPERM) mount\n");
  ExportOptions plain;
  Exported e = Export(Parse("default log\nallow read, write\n"), Format::kSystemd, plain);
  EXPECT_FALSE(e.text);
  EXPECT_THAT(Messages(e.diagnostics), HasSubstr("does not take SystemCallErrorNumber=log"));
  std::string warnings;
  std::string unit = Widened(p, &warnings);
  EXPECT_THAT(warnings, HasSubstr("--widen: the default becomes allow (the policy: log)"));
  EXPECT_THAT(unit, HasSubstr("SystemCallFilter=~mount:EPERM"));
  EXPECT_THAT(unit, Not(HasSubstr("ErrorNumber")));
}

TEST(SystemdWiden, WhatNoSyscallCanWidenIsRefused) {
  ExportOptions o;
  for (const char* p : {"default errno(EPERM)\nunknown allow\nallow read\n",
                        "default allow\nforeign errno(EPERM)\n"}) {
    Exported e = analysis::ExportWidened(Parse(p), Format::kSystemd, o);
    EXPECT_FALSE(e.text) << p;
    EXPECT_THAT(Messages(e.diagnostics), HasSubstr("--widen cannot write this policy for systemd"))
        << p;
  }
}

TEST(SystemdWiden, ManyChangesAreSummedUpNotLost) {
  std::string text = "default errno(EPERM)\nallow exit_group\n";
  int n = 0;
  for (const char* name :
       {"read",       "write",     "openat",      "close",       "mmap",       "munmap",
        "brk",        "pread64",   "pwrite64",    "readv",       "writev",     "access",
        "pipe",       "select",    "sched_yield", "mremap",      "msync",      "mincore",
        "madvise",    "dup",       "dup2",        "pause",       "nanosleep",  "getitimer",
        "alarm",      "setitimer", "getpid",      "sendfile",    "socket",     "connect",
        "accept",     "sendto",    "recvfrom",    "sendmsg",     "recvmsg",    "shutdown",
        "bind",       "listen",    "getsockname", "getpeername", "socketpair", "setsockopt",
        "getsockopt", "clone",     "fork",        "vfork",       "execve",     "exit",
        "wait4",      "kill"}) {
    text += fmt::format("allow {} if arg0 == {}\n", name, n++);
  }
  std::string warnings;
  Widened(Parse(text), &warnings);
  EXPECT_THAT(warnings, HasSubstr("--widen: 10 more syscalls changed: "));
  EXPECT_THAT(warnings, HasSubstr("wait4, kill"));
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
