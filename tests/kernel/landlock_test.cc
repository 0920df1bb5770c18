// A policy's fs, net and scope rules against the kernel's Landlock, in forked children: what
// they let through, what they stop, and that rules the kernel cannot enforce stop the run.
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "kernel/child.h"
#include "kernel/proc_status.h"
#include "support/env.h"

#include "sysgate/landlock.h"
#include "sysgate/policy_text.h"
#include "sysgate/sandbox.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;
using testing::InChild;

AccessRules Rules(const std::string& text) {
  ParsedPolicy p = ParsePolicyText("default allow\n" + text, "t.sgp");
  EXPECT_TRUE(p.ok()) << p.RenderDiagnostics();
  return p.ok() ? p.policy->access : AccessRules{};
}

// A scratch directory with a file in it; removed at the end.
class LandlockTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sysgate-landlock-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    std::filesystem::create_directory(dir_ + "/open");
    std::filesystem::create_directory(dir_ + "/closed");
    std::ofstream(dir_ + "/open/a") << "a";
    std::ofstream(dir_ + "/closed/b") << "b";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

int OpenErrno(const std::string& path, int flags) {
  int fd = open(path.c_str(), flags | O_CLOEXEC, 0600);
  if (fd < 0) return errno;
  close(fd);
  return 0;
}

TEST_F(LandlockTest, ReadsBeneathAGrantedDirectoryOnly) {
  SYSGATE_NEED("landlock:1");
  AccessRules rules = Rules("fs read " + dir_ + "/open\n");
  int status = InChild([&] {
    auto rs = kernel::LandlockRuleset::Make(rules);
    if (!rs) return 10;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || rs->RestrictRaw() != 0) return 11;
    if (OpenErrno(dir_ + "/open/a", O_RDONLY) != 0) return 12;
    if (OpenErrno(dir_ + "/closed/b", O_RDONLY) != EACCES) return 13;
    if (OpenErrno(dir_ + "/open/a", O_WRONLY) != EACCES) return 14;  // read only
    if (OpenErrno(dir_ + "/open/new", O_WRONLY | O_CREAT) != EACCES) return 15;
    if (OpenErrno("/etc/passwd", O_RDONLY) != EACCES) return 16;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Asking the kernel to go on logging denials after an exec (run --log) restricts the same:
// the flag is accepted where the ABI has it, and left out where it does not.
TEST_F(LandlockTest, LoggingAfterExecRestrictsTheSame) {
  SYSGATE_NEED("landlock:1");
  AccessRules rules = Rules("fs read " + dir_ + "/open\n");
  int status = InChild([&] {
    auto made = kernel::LandlockRuleset::Make(rules);
    if (!made) return 10;
    // Moved, as run::Filter holds it: the fd and the ABI go along, none is left behind.
    kernel::LandlockRuleset rs = std::move(*made);
    if (!made->empty() || rs.empty()) return 14;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 11;
    if (long r = rs.RestrictRaw(/*log_after_exec=*/true); r != 0) return 20 + static_cast<int>(-r);
    if (OpenErrno(dir_ + "/open/a", O_RDONLY) != 0) return 12;
    if (OpenErrno(dir_ + "/closed/b", O_RDONLY) != EACCES) return 13;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "20 + errno: restrict_self refused the flag";
}

TEST_F(LandlockTest, WriteGrantsCreatingAndRemovingButNotReading) {
  SYSGATE_NEED("landlock:3");
  AccessRules rules = Rules("fs write " + dir_ + "/open\n");
  int status = InChild([&] {
    auto rs = kernel::LandlockRuleset::Make(rules);
    if (!rs || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || rs->RestrictRaw() != 0) return 10;
    if (OpenErrno(dir_ + "/open/new", O_WRONLY | O_CREAT) != 0) return 11;
    if (unlink((dir_ + "/open/new").c_str()) != 0) return 12;
    if (OpenErrno(dir_ + "/open/a", O_RDONLY) != EACCES) return 13;
    if (truncate((dir_ + "/open/a").c_str(), 0) != 0) return 14;
    if (truncate((dir_ + "/closed/b").c_str(), 0) == 0 || errno != EACCES) return 15;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(LandlockTest, ApplyToThisProcessRestrictsFilesAndPorts) {
  SYSGATE_NEED("landlock:4");
  ParsedPolicy p = ParsePolicyText(
      "default allow\nfs read " + dir_ + "/open\nnet bind 0\nnet connect none\n", "t.sgp");
  ASSERT_TRUE(p.ok()) << p.RenderDiagnostics();
  int status = InChild([&] {
    if (auto r = ApplyToThisProcess(*p.policy); !r) return 10;
    if (OpenErrno(dir_ + "/closed/b", O_RDONLY) != EACCES) return 11;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0) return 12;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(1);  // any port but 0
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 || errno != EACCES) return 13;
    a.sin_port = 0;  // an ephemeral port: `net bind 0`
    if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) return 14;
    int c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    a.sin_port = htons(9);
    if (connect(c, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 || errno != EACCES) return 15;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(LandlockTest, ScopedSignalsStayInside) {
  SYSGATE_NEED("landlock:6");
  AccessRules rules = Rules("scope signals\n");
  pid_t outside = getpid();  // the test runner: outside the child's domain
  int status = InChild([&] {
    auto rs = kernel::LandlockRuleset::Make(rules);
    if (!rs || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || rs->RestrictRaw() != 0) return 10;
    if (kill(outside, 0) == 0 || errno != EPERM) return 11;
    if (kill(getpid(), 0) != 0) return 12;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(LandlockTest, ApplyRefusesAProcessWithOtherThreads) {
  SYSGATE_NEED("landlock:1");
  ParsedPolicy p = ParsePolicyText("default allow\nfs read /\n", "t.sgp");
  ASSERT_TRUE(p.ok());
  int status = InChild([&] {
    // Counted, not asked with PR_GET_SECCOMP: inside a container the process starts under the
    // container's filter already.
    const long filters_before = kernel::ProcStatusNumber(getpid(), "Seccomp_filters").value_or(-1);
    std::atomic<bool> stop{false};
    std::thread t([&] {
      while (!stop) usleep(1000);
    });
    auto r = ApplyToThisProcess(*p.policy);
    stop = true;
    t.join();
    if (r) return 10;
    if (r.error().message.find("only the calling thread") == std::string::npos) return 11;
    // Nothing was installed: the filter is not there either.
    if (kernel::ProcStatusNumber(getpid(), "Seccomp_filters").value_or(-2) != filters_before)
      return 12;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// No kernel needed: what an older ABI cannot enforce stops the run, unless best-effort.
TEST_F(LandlockTest, RulesAKernelCannotEnforceFailClosed) {
  AccessRules rules = Rules("fs read " + dir_ + "\nnet connect none\n");
  auto none = kernel::LandlockRuleset::Make(rules, 0);
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().ToString(),
              HasSubstr("t.sgp:2:1: the policy's fs, net and scope rules cannot be enforced: this "
                        "kernel lacks Landlock itself"));
  EXPECT_THAT(none.error().ToString(), HasSubstr("fs best-effort"));
  auto abi3 = kernel::LandlockRuleset::Make(rules, 3);
  ASSERT_FALSE(abi3);
  EXPECT_THAT(
      abi3.error().message,
      HasSubstr(
          "has Landlock ABI 3, without fs ioctl-dev (Landlock ABI 5), net rules (Landlock ABI 4)"));
  rules.best_effort = true;
  auto empty = kernel::LandlockRuleset::Make(rules, 0);
  ASSERT_TRUE(empty) << empty.error().ToString();
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(empty->dropped().size(), 1u);
}

TEST_F(LandlockTest, BestEffortEnforcesWhatTheAbiOffers) {
  SYSGATE_NEED("landlock:3");
  AccessRules rules =
      Rules("fs best-effort\nfs read " + dir_ + "/open\nnet connect none\nscope signals\n");
  auto rs = kernel::LandlockRuleset::Make(rules, 3);
  ASSERT_TRUE(rs) << rs.error().ToString();
  EXPECT_EQ(rs->handled_fs(), FsAccessOfAbi(3));
  EXPECT_EQ(rs->handled_net(), 0u);
  EXPECT_EQ(rs->scoped(), 0u);
  EXPECT_THAT(rs->dropped(),
              ::testing::ElementsAre("fs ioctl-dev (Landlock ABI 5); this kernel has ABI 3",
                                     "net rules (Landlock ABI 4); this kernel has ABI 3",
                                     "scope (Landlock ABI 6); this kernel has ABI 3"));
  int status = InChild([&] {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || rs->RestrictRaw() != 0) return 10;
    return OpenErrno(dir_ + "/closed/b", O_RDONLY) == EACCES ? 0 : 11;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST_F(LandlockTest, PathsAreCheckedWhenTheRulesAreMade) {
  SYSGATE_NEED("landlock:1");
  auto missing = kernel::LandlockRuleset::Make(Rules("fs read /usr,\n  " + dir_ + "/nope\n"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(
      missing.error().ToString(),
      "t.sgp:3:3: fs path " + dir_ +
          "/nope: No such file or directory (a rule's path must exist when the policy is applied)");
  auto file = kernel::LandlockRuleset::Make(Rules("fs create " + dir_ + "/open/a\n"));
  ASSERT_FALSE(file);
  EXPECT_THAT(file.error().ToString(),
              HasSubstr("t.sgp:2:11: fs create " + dir_ + "/open/a: it is not a directory"));
  // On a file, `write` is what a file can take: write-file and truncate.
  auto rs = kernel::LandlockRuleset::Make(Rules("fs write " + dir_ + "/open/a\n"));
  ASSERT_TRUE(rs) << rs.error().ToString();
  int status = InChild([&] {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || rs->RestrictRaw() != 0) return 10;
    if (OpenErrno(dir_ + "/open/a", O_WRONLY | O_TRUNC) != 0) return 11;
    if (OpenErrno(dir_ + "/open/a", O_RDONLY) != EACCES) return 12;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// ApplyToThisProcess says what it enforces: under best-effort, on a kernel that has every right
// the policy asks for, nothing is dropped. (No right needs more than ABI 7, the newest: what a
// kernel without one drops is tested above, where Make takes the ABI.) And a denied open, bind
// or connect is explained in run's words.
TEST_F(LandlockTest, ApplyToThisProcessSaysWhatItEnforcesAndWhyItDenies) {
  SYSGATE_NEED("landlock:6");
  ParsedPolicy p = ParsePolicyText("default allow\nfs best-effort\nfs read " + dir_ +
                                       "/open\nnet bind 0\nnet connect none\nscope signals\n",
                                   "t.sgp");
  ASSERT_TRUE(p.ok()) << p.RenderDiagnostics();
  const AccessRules& rules = p.policy->access;
  const std::string closed = dir_ + "/closed/b";
  int status = InChild([&] {
    auto r = ApplyToThisProcess(*p.policy);
    if (!r) return 10;
    if (!r->dropped.empty()) return 11;
    if (r->handled_fs != rules.handled_fs || r->handled_net != net_access::kAll ||
        r->scoped != scope::kSignal)
      return 12;
    if (OpenErrno(closed, O_RDONLY) != EACCES) return 13;
    auto why = FsDenial(rules, closed, OpenFileAccess(O_RDONLY), r->handled_fs);
    if (!why || why->ToString() != "by the fs rules: no rule grants read-file on " + closed)
      return 14;
    if (FsDenial(rules, dir_ + "/open/a", OpenFileAccess(O_RDONLY), r->handled_fs)) return 15;
    if (OpenErrno(dir_ + "/open/a", O_RDWR) != EACCES) return 16;
    why = FsDenial(rules, dir_ + "/open/a", OpenFileAccess(O_RDWR), r->handled_fs);
    if (!why || why->reason != "no rule grants write-file on " + dir_ + "/open/a") return 17;
    int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(9);
    if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 || errno != EACCES) return 18;
    why = NetDenial(rules, net_access::kConnectTcp, 9, r->handled_net);
    if (!why || why->ToString() != "by the net rules: no rule lets it connect TCP port 9")
      return 19;
    if (NetDenial(rules, net_access::kBindTcp, 0, r->handled_net)) return 20;
    return 0;
  });
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

}  // namespace
}  // namespace sysgate
