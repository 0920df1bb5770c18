#include "supervise/policy_supervisor.h"

#include <errno.h>
#include <unistd.h>

#include <deque>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "supervise/access_effects.h"
#include "supervise/decode.h"
#include "support/emulate.h"
#include "sysgate/analysis.h"
#include "sysgate/bpf.h"
#include "sysgate/compiler.h"
#include "sysgate/policy_builder.h"
#include "sysgate/policy_text.h"

namespace sysgate::supervise {
namespace {

using ::testing::HasSubstr;

// A NotifyFd with scripted notifications, for the supervisor's decisions.
class FakeNotifyFd : public NotifyFd {
 public:
  std::deque<Notification> queue;
  std::vector<Response> sent;
  bool valid = true;
  Result<Notification> Receive() override {
    if (queue.empty()) return MakeError(ErrorCode::kNotFound, "empty");
    Notification n = queue.front();
    queue.pop_front();
    return n;
  }
  Result<bool> Send(const Response& r) override {
    sent.push_back(r);
    return valid;
  }
  bool IdValid(uint64_t) override { return valid; }
  Result<int> AddFd(uint64_t, int, bool, bool) override {
    return MakeError(ErrorCode::kUnsupported, "fake");
  }
  int fd() const override { return -1; }
};

Notification Note(uint64_t id, uint32_t pid, std::string_view name,
                  std::initializer_list<uint64_t> args = {}) {
  return {id, pid, SeccompData::For(Arch::kX86_64, *SyscallNumber(Arch::kX86_64, name), args)};
}

Policy Build(const PolicyBuilder& b) {
  auto p = b.Build();
  EXPECT_TRUE(p) << p.error().ToString();
  return *p;
}

TEST(PolicySupervisor, RoutesOnlyErrnoVerdicts) {
  Policy p = Build(PolicyBuilder()
                       .Default(Action::Errno(EPERM))
                       .Allow("read")
                       .KillProcess("mincore")
                       .Trap("ptrace")
                       .Log("getpid")
                       .Errno(EACCES, "openat")
                       .KillThread("gettid"));
  Policy r = RouteForReports(p);
  EXPECT_EQ(r.default_action.kind(), ActionKind::kNotify);
  EXPECT_EQ(r.unknown_action.kind(), ActionKind::kNotify);  // errno(ENOSYS)
  EXPECT_EQ(r.foreign_abi_action, Action::KillProcess());   // the kernel's
  EXPECT_EQ(r.rules[0].action, Action::Allow());
  EXPECT_EQ(r.rules[1].action, Action::KillProcess());  // kills stay with the kernel
  EXPECT_EQ(r.rules[2].action, Action::Trap(0));
  EXPECT_EQ(r.rules[3].action, Action::Log());
  EXPECT_EQ(r.rules[4].action.kind(), ActionKind::kNotify);
  EXPECT_NE(r.rules[4].action, r.default_action);  // each keeps its errno
  EXPECT_EQ(r.rules[5].action, Action::KillThread());
}

TEST(PolicySupervisor, AuditRoutesEverythingThatStops) {
  Policy p = Build(PolicyBuilder()
                       .Default(Action::Errno(EPERM))
                       .Allow("read")
                       .KillProcess("mincore")
                       .Trap("ptrace")
                       .Log("getpid")
                       .KillThread("gettid")
                       .Notify("ioctl"));
  Policy r = RouteForAudit(p);
  EXPECT_EQ(r.default_action, Action::Notify());
  EXPECT_EQ(r.foreign_abi_action, Action::Notify());  // an x32 call is reported, not fatal
  EXPECT_EQ(r.rules[0].action, Action::Allow());
  EXPECT_EQ(r.rules[1].action, Action::Notify());
  EXPECT_EQ(r.rules[2].action, Action::Notify());
  EXPECT_EQ(r.rules[3].action, Action::Log());
  EXPECT_EQ(r.rules[4].action, Action::Notify());
  EXPECT_EQ(r.rules[5].action, Action::Notify());
}

bpf::Program Installed(const Policy& p) {
  auto prog = Compile(p);
  EXPECT_TRUE(prog) << prog.error().ToString();
  return prog ? *prog : bpf::Program{};
}

// --report-access: what the policy allows of the calls that reach files and ports is let
// run by the supervisor; nothing it denies, kills or logs changes.
TEST(PolicySupervisor, AccessRoutingLetsRunOnlyWhatThePolicyAllows) {
  ParsedPolicy parsed = ParsePolicyText(
      "arch x86_64\ndefault allow\nallow read, openat if arg2:u64 == 0\nerrno(EPERM) mkdir, "
      "openat\n"
      "kill-process symlink\nlog unlink\nallow 82\nallow @file-system\n"
      "fs read /usr\n",
      "p.sgp");
  ASSERT_TRUE(parsed.ok()) << parsed.FirstError().ToString();
  const Policy& p = *parsed.policy;
  bpf::Program installed = Installed(RouteAccessForReports(RouteForReports(p)));
  PolicySupervisor s(installed);
  auto decide = [&](std::string_view name, std::initializer_list<uint64_t> args = {}) {
    return s.Decide(SeccompData::For(Arch::kX86_64, *SyscallNumber(Arch::kX86_64, name), args));
  };
  auto kernel = [&](std::string_view name, std::initializer_list<uint64_t> args = {}) {
    return testing::EmulatedAction(installed, Arch::kX86_64, name, args).kind();
  };
  // openat with flags 0 is allowed by the first rule (under its condition): it runs.
  EXPECT_EQ(decide("openat", {0, 0, 0}).reply.kind, Reply::Kind::kContinue);
  EXPECT_TRUE(decide("openat", {0, 0, 0}).allowed);
  // Any other openat meets the errno rule, which still answers.
  EXPECT_EQ(decide("openat", {0, 0, 1}).reply.kind, Reply::Kind::kFail);
  EXPECT_EQ(decide("mkdir").reply.kind, Reply::Kind::kFail);
  EXPECT_EQ(decide("mkdir").error, EPERM);
  // Kill and log stay with the kernel; other calls are not notified at all.
  EXPECT_EQ(kernel("symlink"), ActionKind::kKillProcess);
  EXPECT_EQ(kernel("unlink"), ActionKind::kLog);
  EXPECT_EQ(kernel("read"), ActionKind::kAllow);
  EXPECT_EQ(kernel("getpid"), ActionKind::kAllow);
  // A number (82 is rename) is allowed without a report; a group's access members (rename2 is
  // in @file-system) and the default's (connect) run through the supervisor.
  EXPECT_EQ(kernel("rename"), ActionKind::kAllow);
  EXPECT_EQ(decide("renameat2").reply.kind, Reply::Kind::kContinue);
  EXPECT_EQ(decide("connect").reply.kind, Reply::Kind::kContinue);
  EXPECT_EQ(decide("bind").reply.kind, Reply::Kind::kContinue);
  // On every x86_64 syscall (and openat's two flag values), the installed verdict is the
  // policy's, but for what it allows of the access syscalls.
  Interpreter interp(p);
  const auto access = AccessSyscalls();
  for (int32_t nr = 0; nr < 470; ++nr) {
    for (uint64_t flags : {0, 1}) {
      SeccompData d = SeccompData::For(Arch::kX86_64, nr, {0, 0, flags});
      Action want = interp.Evaluate(d).action;
      auto name = SyscallName(Arch::kX86_64, nr);
      Action have = testing::EmulatedAction(installed, d);
      if (want.kind() == ActionKind::kAllow && name && *name != "rename" &&
          std::ranges::find(access, *name) != access.end()) {
        EXPECT_TRUE(have.kind() == ActionKind::kNotify &&
                    decide(*name, {0, 0, flags}).reply.kind == Reply::Kind::kContinue)
            << *name;
      } else if (want.kind() == ActionKind::kErrno) {
        EXPECT_EQ(s.Decide(d).error, static_cast<int>(want.data())) << nr;
      } else {
        EXPECT_EQ(have, want) << nr << " " << name.value_or("?");
      }
    }
  }
}

TEST(RunnerExec, ExactlyTheRunnersExecOnce) {
  Policy deny = Build(
      PolicyBuilder().Default(Action::Allow()).Errno(EPERM, "execve").Errno(EPERM, "execveat"));
  bpf::Program installed = Installed(RouteForReports(deny));
  Notification own = Note(1, 100, "execve", {0x1000, 0x2000, 0x3000});
  RunnerExec gate(100, own.data, installed);
  ASSERT_TRUE(gate.armed());
  EXPECT_TRUE(gate.Matches(own));
  EXPECT_FALSE(gate.Matches(Note(2, 200, "execve", {0x1000, 0x2000, 0x3000})));  // another process
  EXPECT_FALSE(gate.Matches(Note(3, 100, "execveat", {0x1000, 0x2000, 0x3000})));
  EXPECT_FALSE(gate.Matches(Note(4, 100, "execve", {0x1000, 0x2000, 0})));  // other pointers
  EXPECT_FALSE(gate.Matches(Note(5, 100, "execve", {0x1001, 0x2000, 0x3000})));
  Notification i386 = own;
  i386.data.arch = Info(Arch::kI386).audit_arch;
  EXPECT_FALSE(gate.Matches(i386));
  gate.Disarm();
  EXPECT_FALSE(gate.Matches(own));  // the program's exec with the same pointers
}

TEST(RunnerExec, NotArmedWhenTheFilterAllowsIt) {
  // The policy allows the runner's exec: nothing is left over for the program, even an exec
  // the policy denies (THREATS row 34: envp == NULL, execveat).
  Policy p = Build(PolicyBuilder()
                       .Default(Action::Allow())
                       .Errno(EPERM, "execveat")
                       .Errno(EPERM, "execve")
                       .If(Arg("envp") == 0));
  bpf::Program installed = Installed(RouteForReports(p));
  Notification own = Note(1, 100, "execve", {0x1000, 0x2000, 0x3000});
  RunnerExec gate(100, own.data, installed);
  EXPECT_FALSE(gate.armed());
  EXPECT_FALSE(gate.Matches(own));
  EXPECT_FALSE(gate.Matches(Note(2, 100, "execve", {0x1000, 0x2000, 0})));
}

TEST(PolicySupervisor, AnswersAsTheInstalledFilterSays) {
  Policy p = Build(PolicyBuilder()
                       .Default(Action::Errno(EPERM))
                       .KillProcess("mincore")
                       .Errno(EACCES, "openat")
                       .If((Arg("flags") & 3) != 0)
                       .Notify("ioctl"));
  bpf::Program installed = Installed(RouteForReports(p));
  PolicySupervisor s(installed);
  Decision d = s.Decide(Note(1, 100, "openat", {0, 0, 1}).data);
  EXPECT_EQ(d.reply.kind, Reply::Kind::kFail);
  EXPECT_EQ(d.reply.value, EACCES);
  EXPECT_EQ(d.error, EACCES);
  d = s.Decide(Note(3, 100, "mount").data);
  EXPECT_EQ(d.reply.value, EPERM);
  d = s.Decide(Note(4, 100, "ioctl").data);  // the policy's own notify: no handler in the runner
  EXPECT_EQ(d.reply.value, ENOSYS);
  EXPECT_EQ(s.Decide(SeccompData::For(Arch::kX86_64, 1000)).reply.value, ENOSYS);  // unknown
  // What the kernel kills reaches the supervisor only through the runner's exec gate: killed.
  d = s.Decide(Note(2, 100, "mincore").data);
  EXPECT_EQ(d.reply.kind, Reply::Kind::kKillProcess);
}

TEST(PolicySupervisor, ErrnoZeroIsAFakedSuccess) {
  Policy p =
      Build(PolicyBuilder().Default(Action::Allow()).DangerAllowErrnoZero().Errno(0, "setuid"));
  bpf::Program installed = Installed(RouteForReports(p));
  Decision d = PolicySupervisor(installed).Decide(Note(1, 100, "setuid").data);
  EXPECT_EQ(d.reply.kind, Reply::Kind::kReturn);
  EXPECT_EQ(d.reply.value, 0);
}

TEST(Decode, StringsArgvAndNumbers) {
  FakeNotifyFd fd;
  static const char path[] = "/etc/shadow";
  static const char* argv[] = {"sh", "-c", "id", nullptr};
  Notification n =
      Note(1, static_cast<uint32_t>(getpid()), "openat",
           {static_cast<uint64_t>(-100), reinterpret_cast<uintptr_t>(path), 0x241, 0644});
  EXPECT_EQ(FormatCall(fd, n), "openat(AT_FDCWD, \"/etc/shadow\", O_WRONLY|O_CREAT|O_TRUNC, 0644)");
  Notification e = Note(2, static_cast<uint32_t>(getpid()), "execve",
                        {reinterpret_cast<uintptr_t>(path), reinterpret_cast<uintptr_t>(argv), 0});
  EXPECT_EQ(FormatCall(fd, e), "execve(\"/etc/shadow\", [\"sh\", \"-c\", \"id\"], NULL)");
  // When the notification is no longer valid, memory is not trusted: addresses only.
  fd.valid = false;
  EXPECT_THAT(FormatCall(fd, n), HasSubstr("openat(AT_FDCWD, 0x"));
  Notification s = Note(3, 1, "socket", {40, 0x80001, 0});
  EXPECT_EQ(FormatCall(fd, s), "socket(AF_VSOCK, SOCK_STREAM|SOCK_CLOEXEC, 0)");
  EXPECT_EQ(FormatCall(fd, Note(4, 1, "clone", {0x10000000 | 17})),
            "clone(CLONE_NEWUSER|SIGCHLD, 0, NULL, NULL, 0)");
  EXPECT_EQ(FormatCall(fd, Note(5, 1, "ioctl", {0, 0x5412, 0})), "ioctl(0, TIOCSTI, 0)");
  EXPECT_EQ(FormatCall(fd, Note(6, 1, "mmap", {0, 4096, 7, 0x22, static_cast<uint64_t>(-1), 0})),
            "mmap(0, 4096, PROT_READ|PROT_WRITE|PROT_EXEC, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  EXPECT_EQ(FormatCall(fd, Note(7, 1, "unshare", {0x10000000})), "unshare(CLONE_NEWUSER)");
  // Unsigned sizes print unsigned; signed longs print signed.
  EXPECT_EQ(FormatCall(fd, Note(8, 1, "read", {3, 0, ~0ULL})),
            "read(3, NULL, 18446744073709551615)");
  EXPECT_EQ(FormatCall(fd, Note(9, 1, "lseek", {3, static_cast<uint64_t>(-5), 1})),
            "lseek(3, -5, 1)");
  // Commands and options, not the seals, lock types or sub-commands that share their prefix.
  EXPECT_EQ(FormatCall(fd, Note(10, 1, "fcntl", {3, 2, 1})), "fcntl(3, F_SETFD, 1)");
  EXPECT_EQ(FormatCall(fd, Note(11, 1, "fcntl", {3, 8, 1})), "fcntl(3, F_SETOWN, 1)");
  EXPECT_EQ(FormatCall(fd, Note(12, 1, "fcntl", {3, 1, 0})), "fcntl(3, F_GETFD, 0)");
  EXPECT_THAT(FormatCall(fd, Note(13, 1, "prctl", {4, 1})), HasSubstr("prctl(PR_SET_DUMPABLE, "));
  EXPECT_THAT(FormatCall(fd, Note(14, 1, "prctl", {15})), HasSubstr("prctl(PR_SET_NAME, "));
  EXPECT_THAT(FormatCall(fd, Note(15, 1, "prctl", {34})), HasSubstr("prctl(PR_MCE_KILL_GET, "));
  // Values strace names too (issue 18): a mode, ids and fds of -1, requests and advice.
  EXPECT_EQ(FormatCall(fd, Note(16, 1, "umask", {0})), "umask(000)");
  EXPECT_EQ(FormatCall(fd, Note(17, 1, "umask", {022})), "umask(022)");
  EXPECT_EQ(FormatCall(fd, Note(30, 1, "unlinkat", {0xffffff9c, 0, 0})),
            "unlinkat(AT_FDCWD, NULL, 0)");  // no flags: 0
  EXPECT_EQ(FormatCall(fd, Note(31, 1, "unlinkat", {0xffffff9c, 0, 0x200})),
            "unlinkat(AT_FDCWD, NULL, AT_REMOVEDIR)");
  EXPECT_EQ(FormatCall(fd, Note(18, 1, "mmap", {0, 4096, 1, 0x22, 0xffffffff, 0})),
            "mmap(0, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)");
  EXPECT_EQ(FormatCall(fd, Note(19, 1, "fchown", {4, 0xffffffff, 0})), "fchown(4, -1, 0)");
  EXPECT_EQ(FormatCall(fd, Note(20, 1, "setresuid", {0xffffffff, 1000, 0xffffffff})),
            "setresuid(-1, 1000, -1)");
  EXPECT_THAT(FormatCall(fd, Note(21, 1, "ptrace", {16, 42, 0, 0})),
              HasSubstr("ptrace(PTRACE_ATTACH, 42, "));
  EXPECT_THAT(FormatCall(fd, Note(22, 1, "ptrace", {0x4206, 42, 0, 0})),
              HasSubstr("ptrace(PTRACE_SEIZE, 42, "));
  EXPECT_EQ(FormatCall(fd, Note(23, 1, "madvise", {0, 4096, 4})),
            "madvise(0, 4096, MADV_DONTNEED)");
  // Option names by level (SOL_SOCKET 1, SOL_TCP 6, SOL_IP 0, SOL_IPV6 41), as strace names them.
  EXPECT_THAT(FormatCall(fd, Note(24, 1, "setsockopt", {3, 1, 2, 0, 4})),
              HasSubstr("setsockopt(3, SOL_SOCKET, SO_REUSEADDR, "));
  EXPECT_THAT(FormatCall(fd, Note(25, 1, "setsockopt", {3, 1, 20, 0, 16})),
              HasSubstr("setsockopt(3, SOL_SOCKET, SO_RCVTIMEO, "));
  EXPECT_THAT(FormatCall(fd, Note(26, 1, "setsockopt", {3, 6, 1, 0, 4})),
              HasSubstr("setsockopt(3, SOL_TCP, TCP_NODELAY, "));
  EXPECT_THAT(FormatCall(fd, Note(27, 1, "getsockopt", {3, 6, 2, 0, 0})),
              HasSubstr("getsockopt(3, SOL_TCP, TCP_MAXSEG, "));
  EXPECT_THAT(FormatCall(fd, Note(28, 1, "setsockopt", {3, 0, 2, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IP, IP_TTL, "));
  EXPECT_THAT(FormatCall(fd, Note(29, 1, "setsockopt", {3, 0, 1, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IP, IP_TOS, "));
  EXPECT_THAT(FormatCall(fd, Note(29, 1, "setsockopt", {3, 0, 7, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IP, IP_RETOPTS, "));
  EXPECT_THAT(FormatCall(fd, Note(29, 1, "setsockopt", {3, 0, 10, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IP, IP_MTU_DISCOVER, "));
  EXPECT_THAT(FormatCall(fd, Note(30, 1, "setsockopt", {3, 41, 26, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IPV6, IPV6_V6ONLY, "));
  EXPECT_THAT(FormatCall(fd, Note(30, 1, "setsockopt", {3, 41, 54, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IPV6, IPV6_HOPOPTS, "));
  EXPECT_THAT(FormatCall(fd, Note(30, 1, "setsockopt", {3, 41, 20, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IPV6, IPV6_ADD_MEMBERSHIP, "));
  EXPECT_THAT(FormatCall(fd, Note(30, 1, "setsockopt", {3, 41, 999, 0, 4})),
              HasSubstr("setsockopt(3, SOL_IPV6, 999, "));
  EXPECT_THAT(FormatCall(fd, Note(30, 1, "setsockopt", {3, 0, 20, 0, 4})),
              HasSubstr("SOL_IP, IP_ORIGDSTADDR, "));
  EXPECT_THAT(FormatCall(fd, Note(30, 1, "setsockopt", {3, 41, 74, 0, 4})),
              HasSubstr("SOL_IPV6, IPV6_ORIGDSTADDR, "));
  EXPECT_THAT(FormatCall(fd, Note(32, 1, "setsockopt", {3, 1, 26, 0, 16})),
              HasSubstr("setsockopt(3, SOL_SOCKET, SO_ATTACH_FILTER, "));
  EXPECT_THAT(FormatCall(fd, Note(33, 1, "getsockopt", {3, 1, 26, 0, 0})),
              HasSubstr("getsockopt(3, SOL_SOCKET, SO_GET_FILTER, "));
  // Multicast, flow labels and iptables' options, by direction.
  EXPECT_THAT(FormatCall(fd, Note(35, 1, "setsockopt", {3, 0, 42, 0, 136})),
              HasSubstr("SOL_IP, MCAST_JOIN_GROUP, "));
  EXPECT_THAT(FormatCall(fd, Note(35, 1, "setsockopt", {3, 41, 42, 0, 136})),
              HasSubstr("SOL_IPV6, MCAST_JOIN_GROUP, "));
  EXPECT_THAT(FormatCall(fd, Note(35, 1, "setsockopt", {3, 41, 11, 0, 4})),
              HasSubstr("SOL_IPV6, IPV6_FLOWINFO, "));
  EXPECT_THAT(FormatCall(fd, Note(35, 1, "setsockopt", {3, 0, 64, 0, 4})),
              HasSubstr("SOL_IP, IPT_SO_SET_REPLACE, "));
  EXPECT_THAT(FormatCall(fd, Note(35, 1, "getsockopt", {3, 0, 64, 0, 0})),
              HasSubstr("SOL_IP, IPT_SO_GET_INFO, "));
  EXPECT_THAT(FormatCall(fd, Note(35, 1, "getsockopt", {3, 41, 80, 0, 0})),
              HasSubstr("SOL_IPV6, IP6T_SO_ORIGINAL_DST, "));
  EXPECT_THAT(FormatCall(fd, Note(35, 1, "getsockopt", {3, 0, 80, 0, 0})),
              HasSubstr("SOL_IP, SO_ORIGINAL_DST, "));
  EXPECT_THAT(FormatCall(fd, Note(29, 1, "setsockopt", {3, 6, 999, 0, 4})),
              HasSubstr("setsockopt(3, SOL_TCP, 999, "));  // no such option
  EXPECT_EQ(FormatCall(fd, Note(26, 1, "ioctl", {4, 0x40049409, 3})), "ioctl(4, FICLONE, 3)");
  // An address where most requests take a pointer: in hex, as strace writes it.
  EXPECT_EQ(FormatCall(fd, Note(26, 1, "ioctl", {0, 0x5412, 0x7ffd6b1c2a5f})),
            "ioctl(0, TIOCSTI, 0x7ffd6b1c2a5f)");
  // The *at calls' flags by name; 0x200 is what the call makes of it.
  EXPECT_THAT(FormatCall(fd, Note(34, 1, "fchownat", {0xffffff9cULL, 0, 0, 0, 0x100})),
              HasSubstr(", 0, 0, AT_SYMLINK_NOFOLLOW)"));
  EXPECT_THAT(FormatCall(fd, Note(34, 1, "faccessat2", {0xffffff9cULL, 0, 0, 0x1200})),
              HasSubstr(", AT_EMPTY_PATH|AT_EACCESS)"));
  EXPECT_THAT(FormatCall(fd, Note(34, 1, "newfstatat", {3, 0, 0, 0x80000})),
              HasSubstr(", 0x80000)"));
}

}  // namespace
}  // namespace sysgate::supervise
