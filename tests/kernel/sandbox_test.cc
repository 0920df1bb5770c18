// The in-process sandbox and the install layer against the kernel, in forked children.
#include <errno.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "kernel/child.h"
#include "support/env.h"

#include "sysgate/kernel.h"
#include "sysgate/policy_builder.h"
#include "sysgate/run.h"
#include "sysgate/sandbox.h"

namespace sysgate {
namespace {

using testing::InChild;

std::string StatusField(const std::string& path, const std::string& field) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with(field + ":")) return line.substr(field.size() + 1);
  }
  return "";
}

TEST(Kernel, ProbeFindsTheBasics) {
  const kernel::Features& f = kernel::Probe();
  EXPECT_TRUE(f.seccomp_syscall) << f.ToString();
  EXPECT_TRUE(f.filter_mode);
  EXPECT_TRUE(f.kill_process && f.errno_action && f.allow && f.user_notif) << f.ToString();
  EXPECT_NE(f.flags & 1U, 0u) << "TSYNC";
  EXPECT_GT(f.notif_size, 0);
}

// THREATS row 21: TSYNC puts the filter on threads that already exist.
TEST(Kernel, TsyncCoversExistingThreads) {
  int status = InChild([] {
    std::atomic<int> phase{0};
    std::atomic<long> result{0};
    std::atomic<pid_t> tid{0};
    std::thread t([&] {
      tid = gettid();
      while (phase.load() == 0) {
      }
      result = syscall(SYS_getppid) == -1 ? errno : 0;
      phase = 2;
    });
    auto p = PolicyBuilder().Default(Action::Allow()).Errno(EACCES, "getppid").Build();
    if (!p) return 10;
    if (auto r = ApplyToThisProcess(*p); !r) return 11;
    // Every thread shows the same filter.
    while (tid.load() == 0) {
    }
    std::string mine = StatusField("/proc/self/status", "Seccomp_filters");
    std::string theirs =
        StatusField("/proc/self/task/" + std::to_string(tid.load()) + "/status", "Seccomp_filters");
    phase = 1;
    t.join();
    if (result.load() != EACCES) return 12;
    return mine == theirs && !mine.empty() ? 0 : 13;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// THREATS row 29: KILL_PROCESS ends the whole process, not just the calling thread.
TEST(Kernel, KillProcessKillsEveryThread) {
  int status = InChild([] {
    auto p = PolicyBuilder().Default(Action::Allow()).KillProcess("getppid").Build();
    if (!p || !ApplyToThisProcess(*p)) return 10;
    std::thread t([] { syscall(SYS_getppid); });
    t.join();
    sleep(2);
    return 42;  // reached only if the kill took the calling thread alone
  });
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) << status;
}

TEST(Kernel, KillThreadLeavesTheProcess) {
  int status = InChild([] {
    auto p = PolicyBuilder().Default(Action::Allow()).KillThread("getppid").Build();
    if (!p || !ApplyToThisProcess(*p)) return 10;
    std::thread t([] { syscall(SYS_getppid); });
    t.join();
    return 42;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 42) << status;
}

TEST(Kernel, InstallErrorsNameTheStep) {
  int status = InChild([] {
    auto r = kernel::Install({}, {});
    return !r && r.error().message.find("cannot install") != std::string::npos ? 0 : 1;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // Without no_new_privs, as an unprivileged user, the kernel refuses (EACCES).
  SYSGATE_NEED("nobody");
  status = InChild([] {
    if (setgid(65534) != 0 || setuid(65534) != 0) return 2;
    bpf::Program allow = {bpf::Stmt(0x06, bpf::ret::kAllow)};
    auto r = kernel::Install(allow, {.no_new_privs = false});
    if (r || r.error().sys_errno != EACCES) return 3;
    if (r.error().message.find("no_new_privs") == std::string::npos) return 4;
    auto ok = kernel::Install(allow, {});  // with no_new_privs it works unprivileged
    return ok ? 0 : 5;
  });
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// A program that cannot be started: the error names the step (Error::stage), and the exit
// status is what a shell gives: 127 for no such program, 126 for one that cannot be executed,
// 125 for a step before exec.
TEST(Run, AStartFailureNamesItsStepAndStatus) {
  auto policy = PolicyBuilder().Default(Action::Allow()).Build();
  ASSERT_TRUE(policy) << policy.error().ToString();
  auto filter = run::Filter::ForPolicy(*policy, {.supervision = run::Supervision::kNone});
  ASSERT_TRUE(filter) << filter.error().ToString();
  auto missing = run::Run(*filter, {.argv = {"/nonexistent/sysgate-no-such-program"}});
  ASSERT_FALSE(missing);
  EXPECT_EQ(run::FailedStage(missing.error()), run::Stage::kExec);
  EXPECT_EQ(run::StartFailureStatus(missing.error()), run::kExitNotFound);

  auto not_executable = run::Run(*filter, {.argv = {"/etc/hostname"}});
  ASSERT_FALSE(not_executable);
  EXPECT_EQ(run::FailedStage(not_executable.error()), run::Stage::kExec);
  EXPECT_EQ(run::StartFailureStatus(not_executable.error()), run::kExitCannotExecute);

  auto nothing = run::Run(*filter, {});
  ASSERT_FALSE(nothing);
  EXPECT_EQ(run::FailedStage(nothing.error()), std::nullopt);
  EXPECT_EQ(run::StartFailureStatus(nothing.error()), run::kExitSetupFailed);
}

}  // namespace
}  // namespace sysgate
