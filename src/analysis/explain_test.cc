// sysgate explain: seccomp audit records in each shape logs have them, decoded, and matched
// against policies. (tests/e2e/explain_test.sh reads records the kernel writes in the test.)
#include "sysgate/explain.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sysgate/policy_text.h"

namespace sysgate::analysis {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

SeccompRecord Record(std::string_view line) {
  auto r = ParseSeccompRecord(line, {"log", 7, 0});
  EXPECT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(r && *r) << "no record in: " << line;
  return r && *r ? **r : SeccompRecord{};
}

std::string ErrorOf(std::string_view line) {
  auto r = ParseSeccompRecord(line, {"log", 7, 0});
  return r ? "ok" : r.error().ToString();
}

Policy Parse(std::string_view text) {
  ParsedPolicy r = ParsePolicyText(text, "p.sgp");
  EXPECT_TRUE(r.ok()) << r.RenderDiagnostics();
  return r.ok() ? *r.policy : Policy{};
}

// The kernel's line as dmesg prints it: every field.
TEST(ExplainRecord, KernelLine) {
  SeccompRecord r = Record(
      "[ 1234.567890] audit: type=1326 audit(1733414400.123:45): auid=4294967295 uid=1000 "
      "gid=1001 ses=4294967295 subj=unconfined pid=4242 comm=\"unshare\" exe=\"/usr/bin/unshare\" "
      "sig=0 arch=c000003e syscall=272 compat=0 ip=0x7f0000001234 code=0x50000");
  EXPECT_EQ(r.seconds, 1733414400);
  EXPECT_EQ(r.millis, 123);
  EXPECT_EQ(r.serial, 45U);
  EXPECT_EQ(r.auid, 4294967295U);
  EXPECT_EQ(r.uid, 1000U);
  EXPECT_EQ(r.gid, 1001U);
  EXPECT_EQ(r.pid, 4242);
  EXPECT_EQ(r.comm, "unshare");
  EXPECT_EQ(r.exe, "/usr/bin/unshare");
  EXPECT_EQ(r.sig, 0);
  EXPECT_EQ(r.arch, 0xc000003eU);
  EXPECT_EQ(r.syscall, 272);
  EXPECT_EQ(r.compat, 0);
  EXPECT_EQ(r.ip, 0x7f0000001234U);
  EXPECT_EQ(r.code, 0x50000U);
  Explained e = Explain(r);
  EXPECT_EQ(e.abi, Arch::kX86_64);
  EXPECT_EQ(e.syscall, "unshare");
  // The kernel logs the action without its data: which errno is not in the record.
  EXPECT_EQ(e.action.kind(), ActionKind::kErrno);
  EXPECT_FALSE(e.data_known);
  EXPECT_EQ(ActionText(e), "errno");
  EXPECT_TRUE(e.candidates.empty());
}

// auditd's audit.log (and ausearch without -i), journald's own rendering, /dev/kmsg.
TEST(ExplainRecord, EveryLogShape) {
  SeccompRecord a = Record(
      "node=web1 type=SECCOMP msg=audit(1733414400.999:7): auid=1000 uid=1000 gid=1000 ses=3 "
      "subj=unconfined pid=99 comm=6120622022 exe=\"/tmp/x\" sig=31 arch=40000003 syscall=11 "
      "compat=1 ip=0xf7f0 code=0x80000000");
  EXPECT_EQ(a.seconds, 1733414400);
  EXPECT_EQ(a.comm, "a b \"");  // hex-encoded: it holds spaces and a quote
  EXPECT_EQ(Explain(a).abi, Arch::kI386);
  EXPECT_EQ(Explain(a).syscall, "execve");
  EXPECT_EQ(Explain(a).action, Action::KillProcess());

  SeccompRecord j = Record(
      "Dec 05 16:00:00 web1 audit[4242]: SECCOMP auid=0 uid=0 gid=0 ses=1 pid=4242 "
      "comm=\"ls\" exe=\"/usr/bin/ls\" sig=0 arch=c000003e syscall=1073741825 compat=0 "
      "ip=0x1 code=0x7ffc0000");
  EXPECT_FALSE(j.seconds);                // the journal keeps its own time
  EXPECT_EQ(Explain(j).abi, Arch::kX32);  // the x32 bit of the number
  EXPECT_EQ(Explain(j).syscall, "write");
  EXPECT_EQ(Explain(j).action, Action::Log());

  SeccompRecord k = Record(
      "5,1234,5678901,-;audit: type=1326 audit(1733414400.5:1): pid=1 comm=\"init\" "
      "exe=(null) arch=c000003e syscall=-1 code=0x30002");
  EXPECT_EQ(k.millis, 5);
  EXPECT_EQ(k.exe, "(null)");
  EXPECT_EQ(Explain(k).syscall, "#-1");
  EXPECT_EQ(Explain(k).action, Action::Trap(2));  // a record with data (not the kernel's)
  EXPECT_EQ(ActionText(Explain(k)), "trap(2)");
}

// errno numbers as policies write them: mips's ENOSYS (89) is errno(ENOSYS), 38 (where a
// record has the number: the kernel's do not).
TEST(ExplainRecord, ErrnoOfTheAbi) {
  SeccompRecord r = Record(
      fmt::format("type=1326 arch={:x} syscall=4010 code=0x50059", Info(Arch::kMipsel).audit_arch));
  EXPECT_EQ(Explain(r).abi, Arch::kMipsel);
  EXPECT_EQ(Explain(r).action, Action::Errno(38));
  SeccompRecord unknown = Record("type=1326 arch=12345678 syscall=3 code=0x50059");
  EXPECT_FALSE(Explain(unknown).abi);
  EXPECT_EQ(Explain(unknown).syscall, "#3");
  EXPECT_EQ(Explain(unknown).action, Action::Errno(89));
}

// What a program can write into a log (a syslog message, its own name) is not a record: the
// record must open the message, after the kernel's or auditd's own prefix.
TEST(ExplainRecord, ForgedRecordsAreNotRecords) {
  const std::string fields =
      " audit(1.2:3): pid=1 comm=\"systemd\" arch=c000003e syscall=1 code=0x80000000";
  for (std::string prefix :
       {"Dec 05 16:00:00 web1 mallory[999]: hello type=1326",
        "Dec 05 16:00:00 web1 root[1]: audit: type=1326", "hello audit: type=1326",
        "[ 1.0] traps: audit: type=1326", "x=1 type=1326", "node=a b type=SECCOMP"}) {
    auto r = ParseSeccompRecord(prefix + fields, {});
    ASSERT_TRUE(r) << prefix << ": " << r.error().ToString();
    EXPECT_FALSE(*r) << prefix;
  }
  for (std::string prefix :
       {"[ 1234.567890] audit: type=1326", "[12345.678901] audit: type=1326", "audit: type=1326",
        "Dec 05 16:00:00 web1 kernel: audit: type=1326",
        "2026-12-05T16:00:00+0000 web1 kernel: audit: type=1326",
        "5,1234,5678901,-;audit: type=1326", "type=1326", "node=web1 type=SECCOMP msg="}) {
    auto r = ParseSeccompRecord(prefix + fields, {});
    ASSERT_TRUE(r) << prefix << ": " << r.error().ToString();
    EXPECT_TRUE(*r) << prefix;
  }
}

// auditd's ENRICHED format (audit 3.0's default) appends its interpretation after a \x1d.
TEST(ExplainRecord, EnrichedAuditLog) {
  SeccompRecord r = Record(
      "type=SECCOMP msg=audit(1733414400.1:2): auid=1000 uid=1000 gid=1000 ses=2 pid=9 comm=\"ls\" "
      "exe=\"/usr/bin/ls\" sig=0 arch=c000003e syscall=41 compat=0 ip=0x1 code=0x50000"
      "\x1d"
      "AUID=\"alice\" UID=\"alice\" ARCH=x86_64 SYSCALL=socket");
  EXPECT_EQ(r.code, 0x50000U);
  EXPECT_EQ(Explain(r).syscall, "socket");
}

TEST(ExplainRecord, OtherLinesHoldNone) {
  for (std::string_view line :
       {"", "usb 1-1: new high-speed USB device",
        "type=1300 audit(1.2:3): arch=c000003e syscall=59", "audit: type=1327 proctitle=2F62696E",
        "SECCOMP arch=c000003e syscall=1 code=0x0", "type=13260 arch=c000003e syscall=1 code=0x0",
        "===="}) {
    auto r = ParseSeccompRecord(line, {});
    ASSERT_TRUE(r) << line << ": " << r.error().ToString();
    EXPECT_FALSE(*r) << line;
  }
}

TEST(ExplainRecord, BadRecordsAreLocatedErrors) {
  EXPECT_EQ(ErrorOf("audit: type=1326 audit(1.2:3): arch=c000003e syscall=1"),
            "log:7:8: a seccomp record without code=");
  EXPECT_EQ(ErrorOf("type=1326 arch=c000003e syscall=1 code=0x1ffffffff"),
            "log:7:35: code=0x1ffffffff is not a 32-bit hexadecimal return value (0x...)");
  EXPECT_EQ(ErrorOf("type=1326 arch=c000003e syscall=1 code=errno"),
            "log:7:35: code=errno is not a 32-bit hexadecimal return value (0x...) (ausearch -i "
            "writes names there: give sysgate the raw record, ausearch without -i)");
  EXPECT_EQ(ErrorOf("type=1326 arch=c000003e syscall=99999999999 code=0x0"),
            "log:7:25: syscall=99999999999 is not a syscall number");
  EXPECT_EQ(ErrorOf("type=1326 pid=x arch=c000003e syscall=1 code=0x0"),
            "log:7:11: pid=x is not a process id");
  // A name in a raw record: the hint says where names come from.
  EXPECT_THAT(ErrorOf("type=SECCOMP msg=audit(1.2:3): auid=unset arch=c000003e syscall=1 code=0x0"),
              HasSubstr("log:7:32: auid=unset is not a user id (ausearch -i writes names"));
  // ausearch -i's interpretation: names it cannot have written.
  EXPECT_EQ(ErrorOf("type=SECCOMP msg=audit(12/05/2026 16:00:00.123:45) : arch=x86_64 "
                    "syscall=nosuch code=errno"),
            "log:7:66: syscall=nosuch is not a system call of x86_64");
  EXPECT_EQ(ErrorOf("type=SECCOMP msg=audit(12/05/2026 16:00:00.123:45) : arch=x86_64 "
                    "syscall=unshare code=maybe"),
            "log:7:82: code=maybe is not a seccomp action (errno, kill, trap, ...) or its value");
  EXPECT_EQ(ErrorOf("type=SECCOMP msg=audit(12/05/2026 16:00:00.123:45) : arch=x86_64 "
                    "sig=SIGNOPE syscall=unshare code=errno"),
            "log:7:66: sig=SIGNOPE is not a signal (SIGSYS, SIG0)");
  // A long value is abbreviated, never echoed whole.
  EXPECT_LT(ErrorOf("type=1326 arch=" + std::string(100000, 'z') + " syscall=1 code=0x0").size(),
            300U);
}

// ausearch -i's interpretation (records made by auparse 3.0.9 from raw ones): names where the
// kernel wrote numbers, exe= unquoted, the time a local date.
TEST(ExplainRecord, AusearchInterpreted) {
  SeccompRecord r = Record(
      "type=SECCOMP msg=audit(12/06/24 07:00:00.123:45) : auid=cloudsdk uid=cloudsdk "
      "gid=cloudsdk ses=3 subj=unconfined pid=4242 comm=python3 exe=/usr/bin/python3.11 sig=SIG0 "
      "arch=x86_64 syscall=unshare compat=0 ip=0x7f0000001234 code=errno ");
  EXPECT_TRUE(r.interpreted);
  EXPECT_EQ(r.arch, 0xC000003EU);
  EXPECT_EQ(r.syscall, 272);
  EXPECT_EQ(r.code, 0x00050000U);
  EXPECT_EQ(r.sig, 0);
  EXPECT_EQ(r.pid, 4242);
  EXPECT_EQ(r.ses, 3U);
  EXPECT_FALSE(r.uid);  // a user name: which id it was is not known here
  EXPECT_FALSE(r.seconds);
  EXPECT_EQ(r.millis, 123);
  EXPECT_EQ(r.serial, 45U);
  EXPECT_EQ(r.comm, "python3");
  EXPECT_EQ(r.exe, "/usr/bin/python3.11");
  EXPECT_EQ(r.ip, 0x7f0000001234U);

  SeccompRecord killed = Record(
      "type=SECCOMP msg=audit(12/06/24 07:00:00.124:46) : auid=unset uid=root gid=root ses=unset "
      "pid=4242 comm=python3 exe=/usr/bin/python 3 sig=SIGSYS arch=i386 syscall=execve compat=1 "
      "ip=0xf7f0 code=kill ");
  EXPECT_EQ(killed.arch, 0x40000003U);
  EXPECT_EQ(killed.syscall, 11);
  EXPECT_EQ(killed.code, 0U);
  EXPECT_EQ(killed.sig, SIGSYS);
  EXPECT_EQ(killed.exe, "/usr/bin/python 3");  // decoded, unquoted: it runs to the next key
  EXPECT_EQ(Record("type=SECCOMP msg=audit(12/06/24 07:00:00.124:46) : arch=aarch64 "
                   "syscall=openat code=user-notify")
                .code,
            0x7fc00000U);
  EXPECT_EQ(Record("type=SECCOMP msg=audit(12/06/24 07:00:00.124:46) : arch=armeb "
                   "syscall=openat code=log")
                .arch,
            0x40000028U);
}

// A program's data is no record: an strace line quoting what it wrote, however it is shaped;
// and in ausearch -i's form a name cannot change the ABI or the call (the kernel's fields come
// last).
TEST(ExplainRecord, ProgramDataIsNoRecord) {
  for (std::string_view line : {
           "123 write(1, \",;audit: type=SECCOMP arch=c000003e syscall=246 code=0x7ffc0000 x=\", "
           "60) = 60",
           "symlinkat(\",;audit: type=1326 arch=i386 x=\", AT_FDCWD, \" syscall=kexec_load "
           "code=log\") = 0",
           "write(1, \"[1.0] audit: type=1326 arch=c000003e syscall=246 code=0x7ffc0000\", 60) = "
           "60",
           "x,y;audit: type=1326 arch=c000003e syscall=246 code=0x7ffc0000",
           "1 5,1,2,-;audit: type=1326 arch=c000003e syscall=246 code=0x7ffc0000",
       }) {
    auto r = ParseSeccompRecord(line, {});
    ASSERT_TRUE(r) << line << ": " << r.error().ToString();
    EXPECT_FALSE(*r) << line;
  }
  SeccompRecord named = Record(
      "type=SECCOMP msg=audit(12/06/24 07:00:00.124:46) : pid=1 comm=x arch=i386 syscall=open "
      "code=allow exe=/tmp/x sig=SIGSYS arch=x86_64 syscall=ptrace compat=0 ip=0x1 code=errno");
  EXPECT_EQ(named.arch, 0xC000003EU);
  EXPECT_EQ(named.syscall, 101);
  EXPECT_EQ(named.code, 0x00050000U);
}

// With a policy: the verdicts it can give the call, and which of them gave the record's.
TEST(ExplainRecord, MatchedAgainstAPolicy) {
  Policy p = Parse(
      "default allow\n"
      "errno(EPERM) unshare\n"
      "errno(EACCES) socket if family == 16\n"
      "errno(EPERM) socket if family == 40\n"
      "kill-process execve\n");
  Interpreter interp(p);
  auto line = [](int nr, uint32_t code) {
    return fmt::format("type=1326 arch=c000003e syscall={} code={:#x}", nr, code);
  };
  // One rule covers unshare: it decided.
  Explained e = Explain(Record(line(272, 0x50000)), &interp);
  ASSERT_EQ(e.candidates.size(), 1U);
  EXPECT_EQ(e.candidates[0].verdict.rule, 0);
  EXPECT_FALSE(e.candidates[0].conditional);
  EXPECT_THAT(e.matching, ElementsAre(0));
  // socket: two conditional errno rules, then the default. The kernel's record does not say
  // which errno: either rule; a record with the errno names the one.
  e = Explain(Record(line(41, 0x50000)), &interp);
  ASSERT_EQ(e.candidates.size(), 3U);
  EXPECT_TRUE(e.candidates[0].conditional);
  EXPECT_EQ(e.candidates[2].verdict.reason, Verdict::Reason::kDefault);
  EXPECT_THAT(e.matching, ElementsAre(0, 1));
  e = Explain(Record(line(41, 0x5000d)), &interp);
  EXPECT_THAT(e.matching, ElementsAre(0));
  // Not what this policy answers: another filter made it.
  e = Explain(Record(line(272, 0x80000000)), &interp);
  EXPECT_TRUE(e.matching.empty());
  e = Explain(Record(line(0, 0x50000)), &interp);  // read: allowed here
  EXPECT_TRUE(e.matching.empty());
  // sysgate run sends errno verdicts to its supervisor: a USER_NOTIF record. Its kill verdicts
  // stay the kernel's: a notify record of execve is not this policy's.
  e = Explain(Record(line(272, 0x7fc00000)), &interp);
  EXPECT_THAT(e.matching, ElementsAre(0));
  EXPECT_TRUE(e.routed);
  e = Explain(Record(line(59, 0x7fc00000)), &interp);
  EXPECT_TRUE(e.matching.empty());
  // ausearch -i writes both kills as "kill": the policy's kill-process made it; a raw record
  // of kill-thread was not this policy's.
  e = Explain(Record("type=SECCOMP msg=audit(12/06/24 07:00:00.124:46) : arch=x86_64 "
                     "syscall=execve code=kill"),
              &interp);
  EXPECT_THAT(e.matching, ElementsAre(0));
  e = Explain(Record(line(59, 0x0)), &interp);
  EXPECT_TRUE(e.matching.empty());
  // A foreign ABI gets the foreign action.
  e = Explain(Record("type=1326 arch=c00000b7 syscall=97 code=0x80000000"), &interp);
  ASSERT_EQ(e.candidates.size(), 1U);
  EXPECT_EQ(e.candidates[0].verdict.reason, Verdict::Reason::kBadArch);
}

}  // namespace
}  // namespace sysgate::analysis
