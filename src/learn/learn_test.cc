#include "sysgate/learn.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate::learn {
namespace {

using ::testing::HasSubstr;

Verdict Eval(const Policy& p, Arch a, std::string_view name,
             std::initializer_list<uint64_t> args = {}) {
  return Interpreter(p).Evaluate(SeccompData::For(a, *SyscallNumber(a, name), args));
}

bool Allows(const Policy& p, Arch a, std::string_view name,
            std::initializer_list<uint64_t> args = {}) {
  return Eval(p, a, name, args).action.kind() == ActionKind::kAllow;
}

Recording Sample() {
  Recording r;
  r.calls[{Arch::kX86_64, "read"}] = {1200, true, {}};
  r.calls[{Arch::kX86_64, "openat"}] = {7, false, {{{O_RDONLY}, 7}}};
  r.calls[{Arch::kX86_64, "mmap"}] = {3, false, {{{PROT_READ}, 2}, {{PROT_READ | PROT_WRITE}, 1}}};
  r.calls[{Arch::kX86_64, "socket"}] = {
      2, false, {{{AF_UNIX, SOCK_STREAM}, 1}, {{AF_INET, SOCK_DGRAM}, 1}}};
  r.calls[{Arch::kI386, "write"}] = {5, true, {}};  // a 32-bit child
  r.total = 1217;
  return r;
}

TEST(Synthesize, AllowsWhatWasRecordedAndNothingElse) {
  auto l = Synthesize(Sample(), {});
  ASSERT_TRUE(l) << l.error().ToString();
  const Policy& p = l->policy;
  EXPECT_TRUE(Allows(p, Arch::kX86_64, "read"));
  EXPECT_TRUE(Allows(p, Arch::kX86_64, "openat", {0, 0, O_RDONLY | O_CLOEXEC}));
  EXPECT_FALSE(Allows(p, Arch::kX86_64, "openat", {0, 0, O_WRONLY}));
  EXPECT_TRUE(Allows(p, Arch::kX86_64, "mmap", {0, 0, PROT_READ | PROT_WRITE}));
  EXPECT_FALSE(Allows(p, Arch::kX86_64, "mmap", {0, 0, PROT_READ | PROT_EXEC}));
  // Pairs stay pairs: AF_UNIX datagrams were never seen.
  EXPECT_TRUE(Allows(p, Arch::kX86_64, "socket", {AF_UNIX, SOCK_STREAM}));
  EXPECT_TRUE(Allows(p, Arch::kX86_64, "socket", {AF_INET, SOCK_DGRAM}));
  EXPECT_FALSE(Allows(p, Arch::kX86_64, "socket", {AF_UNIX, SOCK_DGRAM}));
  EXPECT_FALSE(Allows(p, Arch::kX86_64, "socket", {AF_INET6, SOCK_DGRAM}));
  // Per ABI: write was seen only from the i386 child.
  EXPECT_TRUE(Allows(p, Arch::kI386, "write"));
  EXPECT_FALSE(Allows(p, Arch::kX86_64, "write"));
  EXPECT_FALSE(Allows(p, Arch::kI386, "read"));
  EXPECT_EQ(Eval(p, Arch::kX86_64, "mount").action, Action::KillProcess());
  EXPECT_THAT(l->text, HasSubstr("allow write on i386"));
  EXPECT_THAT(l->text, HasSubstr("# 1,200"));
}

TEST(Synthesize, AddsWhatRecordersMissOnEveryRecordedAbi) {
  auto l = Synthesize(Sample(), {});
  ASSERT_TRUE(l);
  for (Arch a : {Arch::kX86_64, Arch::kI386}) {
    for (const char* s : {"rt_sigreturn", "restart_syscall", "exit", "exit_group", "clock_gettime",
                          "gettimeofday", "time", "getcpu"}) {
      EXPECT_TRUE(Allows(l->policy, a, s)) << s << " on " << Info(a).name;
    }
  }
  EXPECT_TRUE(Allows(l->policy, Arch::kI386, "sigreturn"));
  EXPECT_FALSE(Allows(l->policy, Arch::kX86_64, "execve"));
  auto oci = Synthesize(Sample(), {.allow_start_exec = true});
  ASSERT_TRUE(oci);
  EXPECT_TRUE(Allows(oci->policy, Arch::kX86_64, "execve"));
}

TEST(Synthesize, WithoutArgsNoConditions) {
  auto l = Synthesize(Sample(), {.args = false});
  ASSERT_TRUE(l);
  EXPECT_TRUE(Allows(l->policy, Arch::kX86_64, "socket", {AF_INET6, SOCK_RAW}));
  EXPECT_THAT(l->text, ::testing::Not(::testing::ContainsRegex("allow [a-z0-9_]+ if")));
}

TEST(Synthesize, TheCommandStaysInItsComment) {
  auto l = Synthesize(Sample(), {.command = "python3 -c 'import os\nallow execve\n'\r"});
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_THAT(l->text, HasSubstr("import os\\nallow execve\\n'\\x0d"));
  EXPECT_FALSE(Allows(l->policy, Arch::kX86_64, "execve"));
}

// A socket option is written by name at its level (2 is SO_REUSEADDR at SOL_SOCKET, IP_TTL at
// SOL_IP), and means the same read back.
TEST(Synthesize, SocketOptionsByName) {
  Recording r;
  r.calls[{Arch::kX86_64, "setsockopt"}] = {2, false, {{{1, 2}, 1}, {{0, 2}, 1}}};
  r.total = 2;
  auto l = Synthesize(r, {});
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_THAT(l->text, HasSubstr("level == SOL_SOCKET && optname == SO_REUSEADDR"));
  EXPECT_THAT(l->text, HasSubstr("level == SOL_IP && optname == IP_TTL"));
  Interpreter in(l->policy);
  auto nr = *SyscallNumber(Arch::kX86_64, "setsockopt");
  EXPECT_EQ(in.Evaluate(SeccompData::For(Arch::kX86_64, nr, {3, 1, 2})).action, Action::Allow());
  EXPECT_EQ(in.Evaluate(SeccompData::For(Arch::kX86_64, nr, {3, 0, 2})).action, Action::Allow());
  EXPECT_NE(in.Evaluate(SeccompData::For(Arch::kX86_64, nr, {3, 1, 3})).action, Action::Allow());
  auto back = RecordingFromPolicy(l->policy, {{"<learned>", l->text}});
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ((back->calls[{Arch::kX86_64, "setsockopt"}].tuples.size()), 2u);
}

// A number the tables do not know (a syscall newer than them) is allowed by number, on its ABI.
TEST(Synthesize, UnknownNumbers) {
  Recording r = Sample();
  r.calls[{Arch::kX86_64, "#1000"}] = {4, true, {}};
  auto l = Synthesize(r, {});
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_THAT(l->text, HasSubstr("allow 1000 on x86_64"));
  EXPECT_EQ(Interpreter(l->policy).Evaluate(SeccompData::For(Arch::kX86_64, 1000)).action,
            Action::Allow());
  EXPECT_NE(Interpreter(l->policy).Evaluate(SeccompData::For(Arch::kX86_64, 1001)).action,
            Action::Allow());
  auto back = RecordingFromPolicy(l->policy, {{"<learned>", l->text}});
  ASSERT_TRUE(back);
  EXPECT_EQ((back->calls[{Arch::kX86_64, "#1000"}].count), 4u);
  EXPECT_THAT(FrequencyText(r), ::testing::Not(HasSubstr("#1000")));
}

TEST(Synthesize, DefaultAction) {
  auto l = Synthesize(Sample(), {.default_action = Action::Errno(1)});
  ASSERT_TRUE(l);
  EXPECT_EQ(Eval(l->policy, Arch::kX86_64, "mount").action, Action::Errno(1));
}

// A learned policy read back is the same recording (merge input), counts included.
TEST(RecordingFromPolicy, ReadsBackWhatSynthesizeWrote) {
  Recording r = Sample();
  auto l = Synthesize(r, {});
  ASSERT_TRUE(l);
  auto back = RecordingFromPolicy(l->policy, {{"<learned>", l->text}});
  ASSERT_TRUE(back) << back.error().ToString();
  for (const auto& [key, rec] : r.calls) {
    ASSERT_TRUE(back->calls.contains(key)) << key.second;
    const SyscallRecord& b = back->calls.at(key);
    EXPECT_EQ(b.count, rec.count) << key.second;
    EXPECT_EQ(b.any_args, rec.any_args) << key.second;
    if (key.second == "mmap") {  // flags come back as the union of the bits seen
      ASSERT_EQ(b.tuples.size(), 1u);
      EXPECT_EQ(b.tuples.begin()->first, std::vector<uint64_t>{PROT_READ | PROT_WRITE});
    } else {
      for (const auto& [t, n] : rec.tuples) EXPECT_TRUE(b.tuples.contains(t)) << key.second;
      EXPECT_EQ(b.tuples.size(), rec.tuples.size()) << key.second;
    }
  }
  // Synthesizing again gives the same policy.
  auto again = Synthesize(*back, {});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->policy, l->policy);
}

// The calls every program may make are written in one rule, with the ones seen and their
// counts in its comment: read back, only those, with those counts (merging once made the
// group's unseen members distinct calls and lost the counts).
TEST(RecordingFromPolicy, TheAlwaysRuleKeepsWhatWasSeen) {
  Recording r;
  r.calls[{Arch::kX86_64, "read"}] = {5, true, {}};
  r.calls[{Arch::kX86_64, "exit_group"}] = {1, true, {}};
  r.calls[{Arch::kX86_64, "rt_sigreturn"}] = {1200, true, {}};
  r.total = 1206;
  auto l = Synthesize(r, {});
  ASSERT_TRUE(l);
  ASSERT_THAT(l->text, HasSubstr("# seen: exit_group 1, rt_sigreturn 1,200"));
  auto back = RecordingFromPolicy(l->policy, {{"<learned>", l->text}});
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->calls.size(), 3u);
  EXPECT_EQ((back->calls[{Arch::kX86_64, "exit_group"}].count), 1u);
  EXPECT_EQ((back->calls[{Arch::kX86_64, "rt_sigreturn"}].count), 1200u);
  EXPECT_EQ(back->total, 1206u);
  back->Merge(r);
  EXPECT_EQ(back->Distinct(), 3u);
  EXPECT_EQ(back->total, 2412u);
  auto again = Synthesize(*back, {});
  ASSERT_TRUE(again);
  EXPECT_THAT(again->text, HasSubstr("# seen: exit_group 2, rt_sigreturn 2,400"));
}

// Only learn's own always-rule is read so: a `seen:` elsewhere changes nothing, and counts
// do not wrap.
TEST(RecordingFromPolicy, SeenOnlyOnTheAlwaysRule) {
  ParsedPolicy p = ParsePolicyText(
      "arch x86_64\nallow @network-io  # seen: socket 3\n"
      "# allow @exit, @vdso  # seen: exit_group 1\nallow read\n"
      "allow @exit, @vdso  # seen: exit_group 18446744073709551615, exit_group 2, bogus 5\n",
      "m.sgp");
  ASSERT_TRUE(p.ok()) << p.RenderDiagnostics();
  auto back = RecordingFromPolicy(*p.policy, p.sources);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_TRUE((back->calls.contains({Arch::kX86_64, "connect"})));  // the whole group kept
  EXPECT_TRUE((back->calls.contains({Arch::kX86_64, "read"})));
  EXPECT_EQ((back->calls.at({Arch::kX86_64, "exit_group"}).count), UINT64_MAX);
  EXPECT_FALSE((back->calls.contains({Arch::kX86_64, "exit"})));
  EXPECT_EQ(back->total, UINT64_MAX);
}

TEST(RecordingFromPolicy, CountsOutOfRangeAreNotCounts) {
  // std::stoull threw on these.
  ParsedPolicy p = ParsePolicyText(
      "arch x86_64\nallow read  # 99999999999999999999999\nallow write  # 12,345;\n", "m.sgp");
  ASSERT_TRUE(p.ok());
  auto back = RecordingFromPolicy(*p.policy, p.sources);
  ASSERT_TRUE(back) << back.error().ToString();
  EXPECT_EQ(back->calls.at({Arch::kX86_64, "read"}).count, 0u);
  EXPECT_EQ(back->calls.at({Arch::kX86_64, "write"}).count, 12345u);
}

TEST(Recording, MergeSumsAndUnions) {
  Recording a = Sample(), b;
  b.calls[{Arch::kX86_64, "read"}] = {10, true, {}};
  b.calls[{Arch::kX86_64, "socket"}] = {1, false, {{{AF_INET6, SOCK_STREAM}, 1}}};
  b.calls[{Arch::kX86_64, "openat"}] = {1, true, {}};  // recorded without --args
  b.total = 12;
  a.Merge(b);
  EXPECT_EQ(a.total, 1229u);
  EXPECT_EQ((a.calls[{Arch::kX86_64, "read"}].count), 1210u);
  EXPECT_EQ((a.calls[{Arch::kX86_64, "socket"}].tuples.size()), 3u);
  auto l = Synthesize(a, {});
  ASSERT_TRUE(l);
  EXPECT_TRUE(Allows(l->policy, Arch::kX86_64, "openat", {0, 0, O_RDWR}));  // any args now
  EXPECT_TRUE(Allows(l->policy, Arch::kX86_64, "socket", {AF_INET6, SOCK_STREAM}));
}

TEST(FrequencyText, MostFrequentFirst) {
  EXPECT_THAT(FrequencyText(Sample()), ::testing::StartsWith("read 1200\nopenat 7\nwrite 5\n"));
}

}  // namespace
}  // namespace sysgate::learn
