// The SIGSYS trap reporter against the kernel (THREATS row 25), in forked children.
#include <errno.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "sysgate/policy_builder.h"
#include "sysgate/sandbox.h"
#include "sysgate/trap.h"

namespace sysgate {
namespace {

// Runs fn in a child whose stderr goes to a pipe; returns {status, what it wrote}.
template <class F>
std::pair<int, std::string> InChild(F fn) {
  int fds[2];
  if (pipe(fds) != 0) return {-1, ""};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    _exit(fn(fds[1]));
  }
  close(fds[1]);
  std::string out;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return {status, out};
}

TEST(TrapReporter, ReportsAndFailsTheCall) {
  auto [status, out] = InChild([](int report) {
    if (!InstallTrapReporter({.report_fd = report, .fail_errno = EPERM})) return 10;
    auto p = PolicyBuilder().Default(Action::Allow()).Trap("getppid", 7).Build();
    if (!p || !ApplyToThisProcess(*p)) return 11;
    errno = 0;
    long r = syscall(SYS_getppid);
    return r == -1 && errno == EPERM ? 0 : 12;
  });
  ASSERT_TRUE(WIFEXITED(status)) << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(out.find("sysgate: trapped getppid (x86_64 #110) at 0x"), std::string::npos) << out;
  EXPECT_NE(out.find(" data 7\n"), std::string::npos) << out;
}

TEST(TrapReporter, AbortEndsWithSigsys) {
  auto [status, out] = InChild([](int report) {
    if (!InstallTrapReporter({.report_fd = report, .abort_process = true})) return 10;
    auto p = PolicyBuilder().Default(Action::Allow()).Trap("getppid").Build();
    if (!p || !ApplyToThisProcess(*p)) return 11;
    syscall(SYS_getppid);
    return 12;
  });
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) << status;
  EXPECT_NE(out.find("aborting"), std::string::npos) << out;
}

// A syscall trapped inside the handler (here: the report's own write) is fatal: SIGSYS is
// blocked in the handler, so the kernel forces it with the default action.
TEST(TrapReporter, TrapInsideTheHandlerKills) {
  auto [status, out] = InChild([](int report) {
    if (!InstallTrapReporter({.report_fd = report, .fail_errno = EPERM})) return 10;
    auto p = PolicyBuilder().Default(Action::Allow()).Trap({"getppid", "write"}).Build();
    if (!p || !ApplyToThisProcess(*p)) return 11;
    syscall(SYS_getppid);
    return 12;
  });
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS) << status;
}

// The program installs its own SIGSYS handler that fakes success: the call still never runs.
TEST(TrapReporter, OwnHandlerCannotMakeTheCallRun) {
  std::string dir =
      std::filesystem::temp_directory_path() / ("sysgate_trap_" + std::to_string(getpid()));
  auto [status, out] = InChild([&](int) {
    auto p = PolicyBuilder().Default(Action::Allow()).Trap({"mkdir", "mkdirat"}).Build();
    if (!p || !ApplyToThisProcess(*p)) return 11;
    struct sigaction sa {};
    sa.sa_sigaction = [](int, siginfo_t*, void* uc) {
      static_cast<ucontext_t*>(uc)->uc_mcontext.gregs[REG_RAX] = 0;  // "it worked"
    };
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSYS, &sa, nullptr);
    return mkdir(dir.c_str(), 0700) == 0 ? 0 : 12;
  });
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;  // the handler lied
  struct stat st;
  EXPECT_NE(stat(dir.c_str(), &st), 0) << "the trapped mkdir ran";
  rmdir(dir.c_str());
}

}  // namespace
}  // namespace sysgate
