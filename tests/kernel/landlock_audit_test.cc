// Landlock's audit records (Linux 6.15, Landlock ABI 7) as the running kernel makes them, read
// from the audit log group (kernel/audit_log.h, which run --log reads) and explained, where
// audit is enabled. The test only asks the audit state (AUDIT_GET) and never changes it: it is
// global, not per namespace, and belongs to the machine's owner.
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <variant>

#include <gtest/gtest.h>

#include "kernel/audit_log.h"
#include "kernel/child.h"
#include "support/env.h"

#include "sysgate/explain.h"
#include "sysgate/landlock.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

using testing::InChild;

// Whether the kernel makes records, or why the test cannot ask: the test skips then.
std::optional<std::string> WhyNoRecords() {
  auto state = kernel::AskAuditState();
  if (!state) {
    return "cannot ask whether audit is enabled (" + state.error().ToString() +
           "): Landlock writes its records only where it is";
  }
  if (!state->enabled)
    return "audit is disabled on this kernel (auditctl -e 1): Landlock writes no record";
  return std::nullopt;
}

// A directory with open/ and closed/secret, as the kernel names it, removed at the end.
struct Scratch {
  Scratch() {
    char tmpl[] = "/tmp/sysgate-landlock-audit-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return;
    dir = std::filesystem::canonical(tmpl);
    std::filesystem::create_directory(dir + "/open");
    std::filesystem::create_directory(dir + "/closed");
    std::ofstream(dir + "/closed/secret") << "s";
  }
  ~Scratch() {
    if (!dir.empty()) std::filesystem::remove_all(dir);
  }
  std::string dir;
};

// In a child: restricted to reading open/, it is denied closed/secret. 0 when it was.
int DeniedInChild(const AccessRules& rules, const std::string& secret) {
  return InChild([&] {
    auto rs = kernel::LandlockRuleset::Make(rules);
    if (!rs) return 10;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || rs->RestrictRaw() != 0) return 11;
    const int f = open(secret.c_str(), O_RDONLY | O_CLOEXEC);
    return f < 0 && errno == EACCES ? 0 : 12;
  });
}

bool HasCapability(int cap) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with("CapEff:")) return (std::stoull(line.substr(7), nullptr, 16) >> cap) & 1;
  }
  return false;
}

// Joining the audit log group takes CAP_AUDIT_READ: with it the log opens (and has nothing to
// give at once, or records: no error), without it the kernel refuses. Whether audit is enabled
// or not.
TEST(AuditLog, JoiningTakesCapAuditRead) {
  kernel::AuditLog log;
  auto opened = log.Open();
  // Outside the initial namespaces it refuses before it asks the kernel.
  if (!opened && opened.error().code == ErrorCode::kUnsupported)
    GTEST_SKIP() << opened.error().message;
  if (!HasCapability(37 /* CAP_AUDIT_READ */)) {
    ASSERT_FALSE(opened);
    EXPECT_EQ(opened.error().sys_errno, EPERM) << opened.error().ToString();
    return;
  }
  ASSERT_TRUE(opened) << opened.error().ToString();
  EXPECT_GT(log.fd(), 2);
  EXPECT_EQ(fcntl(log.fd(), F_GETFD), FD_CLOEXEC);
  auto got = log.Receive(0);
  ASSERT_TRUE(got) << got.error().ToString();
}

// Only the kernel's messages are records. A process may send to the socket itself (refused: it
// is connected to the kernel) or, with CAP_NET_ADMIN, to the log group, as if it were the
// kernel: here a root process sends what would be a Landlock denial, and the log drops it.
TEST(AuditLog, TakesOnlyTheKernelsMessages) {
  kernel::AuditLog log;
  if (auto opened = log.Open(); !opened) GTEST_SKIP() << opened.error().ToString();
  if (!HasCapability(12 /* CAP_NET_ADMIN */)) GTEST_SKIP() << "needs CAP_NET_ADMIN to send";
  sockaddr_nl self{};
  socklen_t len = sizeof self;
  ASSERT_EQ(getsockname(log.fd(), reinterpret_cast<sockaddr*>(&self), &len), 0);
  const int sender = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  ASSERT_GE(sender, 0);
  const std::string text = "audit(1.2:3): domain=1 blockers=fs.read_file path=\"/forged\"";
  alignas(nlmsghdr) char buf[256]{};
  auto* h = reinterpret_cast<nlmsghdr*>(buf);
  h->nlmsg_len = NLMSG_LENGTH(text.size());
  h->nlmsg_type = 1423;  // LANDLOCK_ACCESS
  std::memcpy(NLMSG_DATA(h), text.data(), text.size());
  sockaddr_nl to_socket{
      .nl_family = AF_NETLINK, .nl_pad = 0, .nl_pid = self.nl_pid, .nl_groups = 0};
  EXPECT_LT(sendto(sender, buf, h->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&to_socket),
                   sizeof to_socket),
            0);
  EXPECT_EQ(errno, ECONNREFUSED);
  sockaddr_nl to_group{.nl_family = AF_NETLINK,
                       .nl_pad = 0,
                       .nl_pid = 0,
                       .nl_groups = 1U << (AUDIT_NLGRP_READLOG - 1)};
  const bool sent = sendto(sender, buf, h->nlmsg_len, 0, reinterpret_cast<sockaddr*>(&to_group),
                           sizeof to_group) >= 0 ||
                    errno == EINVAL;  // EINVAL: the kernel's copy
  close(sender);
  ASSERT_TRUE(sent) << std::strerror(errno);
  auto got = log.Receive(200);
  ASSERT_TRUE(got) << got.error().ToString();
  for (const kernel::AuditLog::Record& r : *got)
    EXPECT_EQ(r.text.find("/forged"), std::string::npos);
}

// The kernel sends its records to the initial network namespace only: in another, the log is
// refused with why (where that can be told: Linux 6.18 numbers the initial one).
TEST(AuditLog, RefusesAnotherNetworkNamespace) {
  if (kernel::InInitialNetNamespace() != true)
    GTEST_SKIP() << "not known to run in the initial network namespace";
  const int status = InChild([] {
    if (unshare(geteuid() == 0 ? CLONE_NEWNET : CLONE_NEWUSER | CLONE_NEWNET) != 0) return 77;
    const std::optional<bool> initial = kernel::InInitialNetNamespace();
    if (!initial) return 78;  // a kernel before 6.18 that cannot read pid 1's
    if (*initial) return 10;
    kernel::AuditLog log;
    auto opened = log.Open();
    if (opened || opened.error().code != ErrorCode::kUnsupported) return 11;
    return opened.error().message.find("network namespace") != std::string::npos ? 0 : 12;
  });
  ASSERT_TRUE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no new network namespace here";
  if (WEXITSTATUS(status) == 78) GTEST_SKIP() << "the namespace cannot be told on this kernel";
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// Where audit is enabled, the log gives Landlock's records of a denial as the kernel makes
// them: the access record naming the path, and its domain's, made by this test's child; and
// explain says the policy's fs rules denied it. (Read from the audit log group, not from the
// kernel's log, whose printing of audit records is rate-limited.)
TEST(LandlockAudit, TheAuditLogGivesTheRecordsAsTheyAreMade) {
  SYSGATE_NEED("landlock:7");
  if (auto why = WhyNoRecords()) GTEST_SKIP() << *why;
  kernel::AuditLog log;
  if (auto opened = log.Open(); !opened) GTEST_SKIP() << opened.error().ToString();
  Scratch s;
  ASSERT_FALSE(s.dir.empty());
  ParsedPolicy p = ParsePolicyText("default allow\nfs read " + s.dir + "/open\n", "t.sgp");
  ASSERT_TRUE(p.ok()) << p.RenderDiagnostics();
  const std::string secret = s.dir + "/closed/secret";
  const int status = DeniedInChild(p.policy->access, secret);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  std::optional<analysis::LandlockRecord> access, domain;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!(access && domain) && std::chrono::steady_clock::now() < deadline) {
    auto got = log.Receive(100);
    ASSERT_TRUE(got) << got.error().ToString();
    for (const kernel::AuditLog::Record& r : *got) {
      auto parsed = analysis::ParseAuditRecord(
          "audit: type=" + std::to_string(r.type) + " " + r.text, {"netlink", 0, 0});
      if (!parsed || !*parsed) continue;
      const auto* l = std::get_if<analysis::LandlockRecord>(&**parsed);
      if (!l) continue;
      if (l->kind == analysis::LandlockRecord::Kind::kAccess && l->path == secret) access = *l;
      if (l->kind == analysis::LandlockRecord::Kind::kDomainAllocated && access &&
          l->domain == access->domain) {
        domain = *l;
      }
    }
  }
  ASSERT_TRUE(access) << "no Landlock record of " << secret << " from the audit log";
  EXPECT_NE(access->fs & fs_access::kReadFile, 0U);
  ASSERT_TRUE(domain) << "no record of the domain that denied it";
  EXPECT_EQ(domain->exe, std::filesystem::read_symlink("/proc/self/exe").string());
  analysis::AccessExplained e = analysis::ExplainAccess(*access, p.policy->access);
  EXPECT_EQ(e.match, analysis::AccessExplained::Match::kDecided);
  EXPECT_TRUE(e.path_rules.empty());
}

}  // namespace
}  // namespace sysgate
