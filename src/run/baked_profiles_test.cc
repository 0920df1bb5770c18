// The baked built-in profiles are what compiling the built-in profiles gives now: a stale or
// wrong bake would install a filter that no longer matches the profile sysgate prints.
#include "run/baked_profiles.h"

#include <gtest/gtest.h>

#include "supervise/policy_supervisor.h"
#include "sysgate/compiler.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate::run {
namespace {

bpf::Program Of(std::span<const bpf::Insn> s) { return {s.begin(), s.end()}; }

TEST(BakedProfiles, EveryBuiltinProfileIsBakedAsItCompilesNow) {
  for (std::string_view name : BuiltinProfileNames()) {
    SCOPED_TRACE(name);
    const BakedProfile* baked = FindBakedProfile(name);
    ASSERT_NE(baked, nullptr);
    EXPECT_EQ(baked->name, name);
    ParsedPolicy parsed = ParseBuiltinProfile(name);
    ASSERT_TRUE(parsed.ok());
    const Policy& policy = *parsed.policy;
    auto supervised = Compile(supervise::RouteForReports(policy));
    auto unsupervised = Compile(policy);
    ASSERT_TRUE(supervised && unsupervised);
    EXPECT_EQ(Of(baked->supervised), *supervised);
    EXPECT_EQ(Of(baked->unsupervised), *unsupervised);
    EXPECT_NE(*supervised, *unsupervised);  // errno verdicts do go to the supervisor

    EXPECT_EQ(std::vector<ActionKind>(baked->actions.begin(), baked->actions.end()),
              policy.ActionKinds());
    // Filter::Builtin adds no terminal rule: each profile denies TIOCSTI and TIOCLINUX itself,
    // junk in the upper half or not.
    int32_t ioctl = *SyscallNumber(HostArch(), "ioctl");
    for (uint64_t cmd : {0x5412ULL, 0x541cULL, 0x5412ULL | (1ULL << 32)}) {
      Verdict v = Interpreter(policy).Evaluate(SeccompData::For(HostArch(), ioctl, {0, cmd}));
      EXPECT_EQ(v.action, Action::Errno(1)) << cmd;
    }
  }
}

TEST(BakedProfiles, UnknownNamesAreNotBaked) {
  EXPECT_EQ(FindBakedProfile("no-such-profile"), nullptr);
  EXPECT_EQ(FindBakedProfile(""), nullptr);
}

}  // namespace
}  // namespace sysgate::run
