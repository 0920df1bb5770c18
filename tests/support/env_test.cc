// The probes of support/env.h agree with the commands the shell suites run, and the test_env
// program reports them as env.sh reads them.
#include "support/env.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>

#include <gtest/gtest.h>

#include "support/subprocess.h"

namespace sysgate::testing {
namespace {

bool Succeeds(const std::vector<std::string>& argv) {
  std::string out = ::testing::TempDir() + "/env_test." + std::to_string(getpid());
  bool ok = RunProgram(argv, out).exited_zero;
  unlink(out.c_str());
  return ok;
}

TEST(Env, RootIsTheEffectiveUid) { EXPECT_EQ(Missing("root").has_value(), geteuid() != 0); }

TEST(Env, ProgramsAreLookedUpOnPath) {
  EXPECT_FALSE(Missing("program:sh"));
  auto why = Missing("program:sysgate-no-such-program");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("sysgate-no-such-program is not installed"), std::string::npos) << *why;
}

// The same operations, made by util-linux's unshare(1), succeed exactly when the probes say so.
TEST(Env, NamespaceProbesAgreeWithUnshare) {
  SYSGATE_NEED("program:unshare");
  EXPECT_EQ(!Missing("userns"), Succeeds({"unshare", "-U", "true"}))
      << Missing("userns").value_or("");
  EXPECT_EQ(!Missing("mountns"), Succeeds({"unshare", "-m", "--propagation", "unchanged", "true"}))
      << Missing("mountns").value_or("");
  EXPECT_EQ(!Missing("propagation"), Succeeds({"unshare", "-m", "--propagation", "slave", "true"}))
      << Missing("propagation").value_or("");
}

TEST(Env, TheProgramAnswersAsEnvShReadsIt) {
  EXPECT_EQ(Succeeds({SYSGATE_TEST_ENV, "root"}), geteuid() == 0);
  EXPECT_TRUE(Succeeds({SYSGATE_TEST_ENV, "program:sh"}));
  EXPECT_FALSE(Succeeds({SYSGATE_TEST_ENV, "program:sh", "program:sysgate-no-such-program"}));
  // A misspelt need fails the test that asks it, instead of skipping it for ever.
  EXPECT_FALSE(Succeeds({SYSGATE_TEST_ENV, "no-such-need"}));
}

// test_env NEED run under a filter of the "environment" made here: getppid gets
// `verdict` when its first argument is 40. Returns test_env's exit code and output.
std::pair<int, std::string> UnderEnvironmentFilter(uint32_t verdict, const std::string& need) {
  std::string out = ::testing::TempDir() + "/env_test_reaches." + std::to_string(getpid());
  pid_t pid = fork();
  if (pid == 0) {
    sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 3),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, args[0])),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 40, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, verdict),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(std::size(code)), code};
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || dup2(fd, 1) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0) {
      _exit(99);
    }
    execl(SYSGATE_TEST_ENV, "test_env", need.c_str(), nullptr);
    _exit(98);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::stringstream text;
  text << std::ifstream(out).rdbuf();
  unlink(out.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 200 + status, text.str()};
}

// A call reaches a filter installed after the environment's, as sysgate's supervisor's is,
// unless the environment's own filter fails or kills it first; the probe makes the call with
// the test's arguments, and says what the environment answered.
TEST(Env, ACallReachesANotifyFilterUnlessTheEnvironmentStopsItFirst) {
  EXPECT_FALSE(Missing("reaches:getppid,40"));
  EXPECT_FALSE(Missing("reaches:" + std::to_string(SYS_getppid) + ",40"));  // by number
  auto [rc, out] = UnderEnvironmentFilter(SECCOMP_RET_ERRNO | EPERM, "reaches:getppid,40");
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("getppid(40) never reaches a seccomp filter installed after this "
                     "environment's own"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("the environment answers EPERM (Operation not permitted) first"),
            std::string::npos)
      << out;
  // The arguments are the test's: the environment fails only getppid(40).
  EXPECT_EQ(UnderEnvironmentFilter(SECCOMP_RET_ERRNO | EPERM, "reaches:getppid,41").first, 0);
  std::tie(rc, out) = UnderEnvironmentFilter(SECCOMP_RET_KILL_PROCESS, "reaches:getppid,0x28");
  EXPECT_EQ(rc, 1) << out;
  EXPECT_NE(out.find("getppid(0x28) never reaches"), std::string::npos) << out;
  EXPECT_NE(out.find("the environment kills the caller first (SIGSYS)"), std::string::npos) << out;
  // A tracer's verdict ranks below a notification: the call reaches the later filter.
  std::tie(rc, out) = UnderEnvironmentFilter(SECCOMP_RET_TRACE, "reaches:getppid,40");
  EXPECT_EQ(rc, 0) << out;
}

TEST(EnvDeathTest, AMisspeltCallAborts) {
  EXPECT_DEATH(Missing("reaches:no_such_call"), "no such syscall");
  EXPECT_DEATH(Missing("reaches:getppid,x"), "not an integer");
}

TEST(EnvDeathTest, AnUnknownNeedAborts) {
  EXPECT_DEATH(Missing("no-such-need"), "unknown need 'no-such-need'");
}

}  // namespace
}  // namespace sysgate::testing
