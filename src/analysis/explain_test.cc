// sysgate explain: seccomp and Landlock audit records in each shape logs have them, decoded,
// and matched against policies. (tests/e2e/explain_test.sh reads records the kernel writes in
// the test; tests/kernel/landlock_audit_test.cc Landlock's, where audit is enabled.)
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
        "[ 1.0] traps: audit: type=1326", "x=1 type=1326", "node=a b type=SECCOMP",
        "Dec 05 16:00:00 web1 mallory[9]: [x] audit: type=1326",
        "Dec 05 16:00:00 web1 mallory[9]: kernel: audit: type=1326",
        "Dec 05 16:00:00 web1 mallory[9]: hi audit[1]: SECCOMP",
        "Dec 05 16:00:00 web1 mallory[9]: audit[1]: SECCOMP", "hi audit[1]: SECCOMP"}) {
    auto r = ParseSeccompRecord(prefix + fields, {});
    ASSERT_TRUE(r) << prefix << ": " << r.error().ToString();
    EXPECT_FALSE(*r) << prefix;
  }
  for (std::string prefix :
       {"[ 1234.567890] audit: type=1326", "[12345.678901] audit: type=1326", "audit: type=1326",
        "Dec 05 16:00:00 web1 kernel: audit: type=1326",
        "2026-12-05T16:00:00+0000 web1 kernel: audit: type=1326",
        "5,1234,5678901,-;audit: type=1326", "type=1326", "node=web1 type=SECCOMP msg=",
        "Dec  6 17:50:39 web1 kernel: [53105.922800] audit: type=1326",
        "[Sun Dec  6 17:50:39 2026] audit: type=1326"}) {
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

// Landlock's records (Linux 6.15, ABI 7), in the shapes of the kernel's documentation
// (Documentation/admin-guide/LSM/landlock.rst, security/landlock/audit.c).
LandlockRecord Landlock(std::string_view line) {
  auto r = ParseAuditRecord(line, {"log", 7, 0});
  EXPECT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(r && *r && std::holds_alternative<LandlockRecord>(**r)) << "no record in: " << line;
  return r && *r && std::holds_alternative<LandlockRecord>(**r) ? std::get<LandlockRecord>(**r)
                                                                : LandlockRecord{};
}

// Whether `line` holds no record explain reads, and is no error.
::testing::AssertionResult NoAuditRecord(const std::string& line) {
  auto r = ParseAuditRecord(line, {});
  if (!r) return ::testing::AssertionFailure() << line << ": " << r.error().ToString();
  if (*r) return ::testing::AssertionFailure() << "a record in: " << line;
  return ::testing::AssertionSuccess();
}

std::string AuditErrorOf(std::string_view line) {
  auto r = ParseAuditRecord(line, {"log", 7, 0});
  return r ? "ok" : r.error().ToString();
}

TEST(ExplainLandlock, EveryLogShape) {
  const std::string fields =
      "domain=2b7c11e04 blockers=fs.read_file path=\"/etc/shadow\" dev=\"vda1\" ino=1311";
  for (std::string line : {
           "type=LANDLOCK_ACCESS msg=audit(1765000000.250:812): " + fields,          // audit.log
           "node=web1 type=UNKNOWN[1423] msg=audit(1765000000.250:812): " + fields,  // old auditd
           "[ 8123.000001] audit: type=1423 audit(1765000000.250:812): " + fields,   // dmesg
           "6,2210,8123000001,-;audit: type=1423 audit(1765000000.250:812): " + fields,  // kmsg
           "Dec 06 07:46:40 web1 kernel: audit: type=1423 audit(1765000000.250:812): " + fields,
       }) {
    LandlockRecord r = Landlock(line);
    EXPECT_EQ(r.kind, LandlockRecord::Kind::kAccess) << line;
    EXPECT_EQ(r.domain, 0x2b7c11e04U) << line;
    EXPECT_EQ(r.stamp.seconds, 1765000000) << line;
    EXPECT_EQ(r.stamp.millis, 250) << line;
    EXPECT_EQ(r.stamp.serial, 812U) << line;
    EXPECT_THAT(r.blockers, ElementsAre("fs.read_file")) << line;
    EXPECT_EQ(r.fs, fs_access::kReadFile) << line;
    EXPECT_EQ(r.path, "/etc/shadow") << line;
    EXPECT_EQ(r.dev, "vda1") << line;
    EXPECT_EQ(r.ino, 1311U) << line;
    EXPECT_FALSE(r.interpreted) << line;
  }
  // journald's rendering: no time, no serial; AUDIT1423 where systemd lacks the name.
  for (std::string line : {"Dec 06 07:46:40 web1 audit: LANDLOCK_ACCESS " + fields,
                           "Dec 06 07:46:40 web1 audit: AUDIT1423 " + fields}) {
    LandlockRecord r = Landlock(line);
    EXPECT_EQ(r.domain, 0x2b7c11e04U) << line;
    EXPECT_FALSE(r.stamp.serial) << line;
  }
}

// Each kind of blocker and its object: several rights, TCP, signals, what sysgate has no rule
// for; a hex-encoded path (the kernel encodes one with a space, a quote or a control byte).
TEST(ExplainLandlock, BlockersAndObjects) {
  LandlockRecord two = Landlock(
      "type=1423 audit(1.5:9): domain=1a blockers=fs.make_reg,fs.refer path=\"/srv/up\" "
      "dev=\"sda2\" ino=77");
  EXPECT_EQ(two.fs, fs_access::kMakeReg | fs_access::kRefer);
  LandlockRecord hex = Landlock(
      "type=1423 audit(1.5:9): domain=1a blockers=fs.write_file path=2F746D702F6D7920660A "
      "dev=\"tmpfs\" ino=5");
  EXPECT_EQ(hex.path, "/tmp/my f\n");
  LandlockRecord bind = Landlock(
      "type=LANDLOCK_ACCESS msg=audit(1.5:9): domain=1a blockers=net.bind_tcp "
      "saddr=127.0.0.1 src=8080");
  EXPECT_EQ(bind.net, net_access::kBindTcp);
  EXPECT_EQ(bind.port, 8080);
  EXPECT_EQ(bind.addr, "127.0.0.1");
  LandlockRecord connect = Landlock(
      "type=LANDLOCK_ACCESS msg=audit(1.5:9): domain=1a blockers=net.connect_tcp "
      "daddr=::1 dest=443");
  EXPECT_EQ(connect.net, net_access::kConnectTcp);
  EXPECT_EQ(connect.port, 443);
  LandlockRecord signal = Landlock(
      "type=LANDLOCK_ACCESS msg=audit(1.5:9): domain=1a blockers=scope.signal opid=1 "
      "ocomm=\"systemd\"");
  EXPECT_EQ(signal.scopes, scope::kSignal);
  EXPECT_EQ(signal.opid, 1);
  EXPECT_EQ(signal.ocomm, "systemd");
  LandlockRecord later =
      Landlock("type=LANDLOCK_ACCESS msg=audit(1.5:9): domain=1a blockers=net.bind_udp src=53");
  EXPECT_THAT(later.blockers, ElementsAre("net.bind_udp"));  // a later kernel's right
  EXPECT_EQ(later.net, 0U);
  EXPECT_EQ(BlockerText("fs.read_file"), "read-file");
  EXPECT_EQ(BlockerText("net.connect_tcp"), "connect");
  EXPECT_EQ(BlockerText("scope.abstract_unix_socket"), "abstract-unix");
  EXPECT_EQ(BlockerText("net.bind_udp"), "net.bind_udp");
}

TEST(ExplainLandlock, DomainAndSyscallRecords) {
  LandlockRecord made = Landlock(
      "type=LANDLOCK_DOMAIN msg=audit(1.5:9): domain=1a status=allocated mode=enforcing pid=300 "
      "uid=1000 exe=\"/usr/bin/sysgate\" comm=\"sysgate\"");
  EXPECT_EQ(made.kind, LandlockRecord::Kind::kDomainAllocated);
  EXPECT_EQ(made.pid, 300);
  EXPECT_EQ(made.uid, 1000U);
  EXPECT_EQ(made.exe, "/usr/bin/sysgate");
  EXPECT_EQ(made.comm, "sysgate");
  LandlockRecord gone =
      Landlock("type=LANDLOCK_DOMAIN msg=audit(1.6:10): domain=1a status=deallocated denials=3");
  EXPECT_EQ(gone.kind, LandlockRecord::Kind::kDomainDeallocated);
  EXPECT_EQ(gone.denials, 3U);
  auto call = ParseAuditRecord(
      "type=SYSCALL msg=audit(1.5:9): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c "
      "ppid=1 pid=301 auid=0 uid=0 gid=0 comm=\"cat\" exe=\"/usr/bin/cat\" key=(null)",
      {});
  ASSERT_TRUE(call && *call && std::holds_alternative<SyscallRecord>(**call));
  const SyscallRecord& c = std::get<SyscallRecord>(**call);
  EXPECT_EQ(c.stamp.serial, 9U);
  EXPECT_EQ(c.arch, 0xc000003eU);
  EXPECT_EQ(c.syscall, 257);
  EXPECT_EQ(c.exit, -13);
  EXPECT_EQ(c.pid, 301);  // not ppid's
  EXPECT_EQ(c.ppid, 1);
  EXPECT_EQ(c.comm, "cat");
  // A SYSCALL record is context: what it lacks is no error.
  auto odd = ParseAuditRecord("type=SYSCALL msg=audit(1.5:9): arch=zz pid=x", {});
  ASSERT_TRUE(odd && *odd);
  EXPECT_FALSE(std::get<SyscallRecord>(**odd).arch);
  auto end = ParseAuditRecord("type=EOE msg=audit(1.5:9): ", {});
  ASSERT_TRUE(end && *end && std::holds_alternative<EventEnd>(**end));
  // And none of them is a seccomp record.
  auto seccomp = ParseSeccompRecord("type=1423 audit(1.5:9): domain=1a blockers=fs.read_file", {});
  ASSERT_TRUE(seccomp);
  EXPECT_FALSE(*seccomp);
}

// ausearch -i writes the untrusted strings decoded and unquoted: a value runs on up to the
// field the kernel writes after it, so a path cannot add fields.
TEST(ExplainLandlock, AusearchInterpreted) {
  LandlockRecord r = Landlock(
      "type=LANDLOCK_ACCESS msg=audit(12/06/2026 07:46:40.250:812) : domain=2b7c11e04 "
      "blockers=fs.read_file path=/srv/my dev=x ino=1 file dev=vda1 ino=1311 ");
  EXPECT_TRUE(r.interpreted);
  EXPECT_FALSE(r.stamp.seconds);  // a local date
  EXPECT_EQ(r.stamp.serial, 812U);
  EXPECT_EQ(r.path, "/srv/my dev=x ino=1 file");
  EXPECT_EQ(r.dev, "vda1");
  EXPECT_EQ(r.ino, 1311U);
  LandlockRecord made = Landlock(
      "type=LANDLOCK_DOMAIN msg=audit(12/06/2026 07:46:40.250:812) : domain=2b7c11e04 "
      "status=allocated mode=enforcing pid=300 uid=alice exe=/opt/my app comm=my app");
  EXPECT_FALSE(made.uid);  // a name: left out
  EXPECT_EQ(made.exe, "/opt/my app");
  EXPECT_EQ(made.comm, "my app");
}

TEST(ExplainLandlock, ForgedRecordsAreNotRecords) {
  const std::string fields =
      " audit(1.2:3): domain=1 blockers=fs.read_file path=\"/etc/shadow\" dev=\"x\" ino=1";
  for (std::string prefix :
       {"Dec 06 07:46:40 web1 mallory[999]: hello type=1423",
        "Dec 06 07:46:40 web1 root[1]: audit: type=1423", "hello audit: type=1423",
        "[ 1.0] traps: audit: type=LANDLOCK_ACCESS", "x=1 type=1423",
        "node=a b type=LANDLOCK_ACCESS", "write(1, \"audit: type=1423", "LANDLOCK_ACCESS",
        "Dec 06 07:46:40 web1 mallory[9]: audit: LANDLOCK_ACCESS", "type=UNKNOWN[14230]",
        "audit: 1423", "Dec 06 07:46:40 web1 mallory[9]: hello audit: LANDLOCK_ACCESS",
        "Dec 06 07:46:40 web1 mallory[9]: [x] audit: type=1423",
        "Dec 06 07:46:40 web1 mallory[9]: kernel: audit: type=1424"}) {
    EXPECT_TRUE(NoAuditRecord(prefix + fields));
  }
}

TEST(ExplainLandlock, BadRecordsAreLocatedErrors) {
  EXPECT_EQ(AuditErrorOf("audit: type=1423 audit(1.2:3): blockers=fs.read_file"),
            "log:7:8: a Landlock access record without domain=");
  EXPECT_EQ(AuditErrorOf("type=1423 audit(1.2:3): domain=1a path=\"/x\""),
            "log:7:1: a Landlock access record without blockers=");
  EXPECT_EQ(AuditErrorOf("type=1423 audit(1.2:3): domain=1a blockers= path=\"/x\""),
            "log:7:1: a Landlock access record without blockers=");
  EXPECT_EQ(AuditErrorOf("type=1423 audit(1.2:3): domain=1a blockers=, path=\"/x\""),
            "log:7:1: a Landlock access record without blockers=");
  EXPECT_EQ(AuditErrorOf("type=1424 audit(1.2:3): domain=1a denials=3"),
            "log:7:1: a Landlock domain record without status=");
  EXPECT_EQ(AuditErrorOf("type=1423 audit(1.2:3): domain=xyz blockers=fs.read_file"),
            "log:7:25: domain=xyz is not a hexadecimal domain id");
  EXPECT_EQ(AuditErrorOf("type=1423 audit(1.2:3): domain=1a blockers=net.bind_tcp src=99999"),
            "log:7:57: src=99999 is not a port number");
  EXPECT_EQ(AuditErrorOf("type=1424 audit(1.2:3): domain=1a status=gone"),
            "log:7:35: status=gone is not allocated or deallocated");
}

// With a policy: what its fs and net rules grant on the object, and so whether it denied.
TEST(ExplainLandlock, MatchedAgainstAPolicy) {
  Policy p = Parse(
      "default allow\n"
      "fs read /etc\n"
      "fs read write /srv/data\n"
      "net connect 443\n");
  const AccessRules& rules = p.access;
  auto explain = [&](std::string_view fields) {
    return ExplainAccess(Landlock("type=1423 audit(1.2:3): domain=1a " + std::string(fields)),
                         rules);
  };
  using Match = AccessExplained::Match;
  // Nothing grants it: decided.
  AccessExplained e = explain("blockers=fs.read_file path=\"/home/a/key\" dev=\"x\" ino=1");
  EXPECT_EQ(e.match, Match::kDecided);
  EXPECT_TRUE(e.path_rules.empty());
  // A rule on /etc grants reading, not writing.
  e = explain("blockers=fs.write_file path=\"/etc/passwd\" dev=\"x\" ino=1");
  EXPECT_EQ(e.match, Match::kDecided);
  ASSERT_EQ(e.path_rules.size(), 1U);
  EXPECT_EQ(e.path_rules[0]->loc.line, 2);
  EXPECT_EQ(e.granted_fs, 0U);
  // The rules grant it there: another domain denied it.
  e = explain("blockers=fs.read_file path=\"/etc/passwd\" dev=\"x\" ino=1");
  EXPECT_EQ(e.match, Match::kOtherDomain);
  EXPECT_EQ(e.granted_fs, fs_access::kReadFile);
  // name= only: which directory is not known.
  e = explain("blockers=fs.make_reg name=\"new\" dev=\"x\" ino=1");
  EXPECT_EQ(e.match, Match::kUnknown);
  // Ports: connect is handled (443 only); bind is not.
  e = explain("blockers=net.connect_tcp daddr=10.0.0.1 dest=80");
  EXPECT_EQ(e.match, Match::kDecided);
  e = explain("blockers=net.connect_tcp daddr=10.0.0.1 dest=443");
  EXPECT_EQ(e.match, Match::kOtherDomain);
  ASSERT_NE(e.port_rule, nullptr);
  EXPECT_EQ(e.port_rule->loc.line, 4);
  e = explain("blockers=net.bind_tcp src=80");
  EXPECT_EQ(e.match, Match::kOtherDomain);
  EXPECT_EQ(e.handled_net, 0U);
  // No scope statement; Landlock's own denials (ptrace) come with any domain.
  EXPECT_EQ(explain("blockers=scope.signal opid=1 ocomm=\"init\"").match, Match::kOtherDomain);
  EXPECT_EQ(explain("blockers=ptrace opid=1 ocomm=\"init\"").match, Match::kDecided);
  // A policy without fs, net or scope rules made no Landlock denial.
  Policy none = Parse("default allow\n");
  EXPECT_EQ(ExplainAccess(Landlock("type=1423 audit(1.2:3): domain=1a blockers=ptrace opid=1"),
                          none.access)
                .match,
            Match::kOtherDomain);
  EXPECT_EQ(ExplainAccess(Landlock("type=1423 audit(1.2:3): domain=1a blockers=fs.read_file "
                                   "path=\"/etc/shadow\" dev=\"x\" ino=1"),
                          none.access)
                .match,
            Match::kOtherDomain);
  // What sysgate has no rule for is listed.
  EXPECT_THAT(explain("blockers=net.bind_udp src=53").unknown, ElementsAre("net.bind_udp"));
}

}  // namespace
}  // namespace sysgate::analysis
