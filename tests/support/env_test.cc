// The probes of support/env.h agree with the commands the shell suites run, and the test_env
// program reports them as env.sh reads them.
#include "support/env.h"

#include <unistd.h>

#include <string>

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

TEST(Env, RootIsTheEffectiveUid) {
  EXPECT_EQ(Missing("root").has_value(), geteuid() != 0);
}

TEST(Env, ProgramsAreLookedUpOnPath) {
  EXPECT_FALSE(Missing("program:sh"));
  auto why = Missing("program:sysgate-no-such-program");
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("sysgate-no-such-program is not installed"), std::string::npos) << *why;
}

// The same operations, made by util-linux's unshare(1), succeed exactly when the probes say so.
TEST(Env, NamespaceProbesAgreeWithUnshare) {
  SYSGATE_NEED("program:unshare");
  EXPECT_EQ(!Missing("userns"), Succeeds({"unshare", "-U", "true"})) << Missing("userns").value_or("");
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

TEST(EnvDeathTest, AnUnknownNeedAborts) {
  EXPECT_DEATH(Missing("no-such-need"), "unknown need 'no-such-need'");
}

}  // namespace
}  // namespace sysgate::testing
