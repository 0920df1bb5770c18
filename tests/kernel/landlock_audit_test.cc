// Landlock's audit records (Linux 6.15, Landlock ABI 7) as the running kernel writes them, read
// back and explained, where audit is enabled. The test only asks the audit state (AUDIT_GET)
// and never changes it: it is global, not per namespace, and belongs to the machine's owner.
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <variant>

#include <gtest/gtest.h>

#include "kernel/child.h"
#include "support/env.h"

#include "sysgate/explain.h"
#include "sysgate/landlock.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

using testing::InChild;

struct AuditState {
  bool enabled = false;
  uint32_t daemon = 0;  // auditd's pid: the records go to it, not to the kernel log
};

// The kernel's audit state (AUDIT_GET on a NETLINK_AUDIT socket), or why it cannot be asked.
std::variant<AuditState, std::string> AskAudit() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
  if (fd < 0) return std::string("no audit socket: ") + std::strerror(errno);
  const timeval timeout{.tv_sec = 2, .tv_usec = 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  nlmsghdr request{};
  request.nlmsg_len = NLMSG_LENGTH(0);
  request.nlmsg_type = AUDIT_GET;
  request.nlmsg_flags = NLM_F_REQUEST;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd, &request, request.nlmsg_len, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) < 0) {
    std::string why = std::string("AUDIT_GET: ") + std::strerror(errno);
    close(fd);
    return why;
  }
  alignas(nlmsghdr) char buf[8192];
  const ssize_t n = recv(fd, buf, sizeof buf, 0);
  const int recv_errno = errno;
  close(fd);
  if (n < 0) return std::string("AUDIT_GET: ") + std::strerror(recv_errno);
  int len = static_cast<int>(n);
  for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
    if (h->nlmsg_type == NLMSG_ERROR) {
      const auto* e = static_cast<const nlmsgerr*>(NLMSG_DATA(h));
      if (e->error != 0) return std::string("AUDIT_GET: ") + std::strerror(-e->error);
    } else if (h->nlmsg_type == AUDIT_GET) {
      const auto* s = static_cast<const audit_status*>(NLMSG_DATA(h));
      return AuditState{s->enabled != 0, s->pid};
    }
  }
  return std::string("AUDIT_GET: no status in the kernel's answer");
}

TEST(LandlockAudit, TheKernelsRecordOfADenialIsExplained) {
  SYSGATE_NEED("landlock:7");
  auto state = AskAudit();
  if (auto* why = std::get_if<std::string>(&state)) {
    GTEST_SKIP() << "cannot ask whether audit is enabled (" << *why
                 << "): Landlock writes its records only where it is";
  }
  const AuditState audit = std::get<AuditState>(state);
  if (!audit.enabled) {
    GTEST_SKIP() << "audit is disabled on this kernel (auditctl -e 1): Landlock writes no record";
  }
  // With auditd running the records go to its log, else to the kernel's.
  const std::string log = audit.daemon != 0 ? "/var/log/audit/audit.log" : "/dev/kmsg";
  const int fd = open(log.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) GTEST_SKIP() << "cannot read " << log << ": " << std::strerror(errno);
  lseek(fd, 0, SEEK_END);  // only what comes after

  char tmpl[] = "/tmp/sysgate-landlock-audit-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::filesystem::canonical(tmpl);  // as the kernel names it
  std::filesystem::create_directory(dir + "/open");
  std::filesystem::create_directory(dir + "/closed");
  std::ofstream(dir + "/closed/secret") << "s";
  ParsedPolicy p = ParsePolicyText("default allow\nfs read " + dir + "/open\n", "t.sgp");
  ASSERT_TRUE(p.ok()) << p.RenderDiagnostics();
  const AccessRules& rules = p.policy->access;
  const std::string secret = dir + "/closed/secret";
  int status = InChild([&] {
    auto rs = kernel::LandlockRuleset::Make(rules);
    if (!rs) return 10;
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || rs->RestrictRaw() != 0) return 11;
    const int f = open(secret.c_str(), O_RDONLY | O_CLOEXEC);
    return f < 0 && errno == EACCES ? 0 : 12;
  });
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);

  // The record, within two seconds: a line at a time (/dev/kmsg gives one record per read).
  std::optional<analysis::LandlockRecord> found;
  std::string pending;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (!found && std::chrono::steady_clock::now() < deadline) {
    char buf[9000];
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) {
      if (n < 0 && errno != EAGAIN && errno != EPIPE) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      continue;
    }
    pending.append(buf, static_cast<size_t>(n));
    for (size_t nl; (nl = pending.find('\n')) != std::string::npos; pending.erase(0, nl + 1)) {
      auto r = analysis::ParseAuditRecord(std::string_view(pending).substr(0, nl), {log, 0, 0});
      if (!r || !*r) continue;  // another record, even one sysgate finds malformed: not ours
      const auto* l = std::get_if<analysis::LandlockRecord>(&**r);
      if (l && l->kind == analysis::LandlockRecord::Kind::kAccess && l->path == secret) found = *l;
    }
  }
  close(fd);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(found) << "no Landlock record of " << secret << " in " << log;
  EXPECT_NE(found->fs & fs_access::kReadFile, 0U);
  EXPECT_NE(found->domain, 0U);
  analysis::AccessExplained e = analysis::ExplainAccess(*found, rules);
  EXPECT_EQ(e.match, analysis::AccessExplained::Match::kDecided);
  EXPECT_TRUE(e.path_rules.empty());
}

}  // namespace
}  // namespace sysgate
