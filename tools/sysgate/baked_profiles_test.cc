// The baked built-in profiles are what compiling the built-in profiles gives now: a stale or
// wrong bake would install a filter that no longer matches the profile sysgate prints.
#include "baked_profiles.h"

#include <gtest/gtest.h>

#include <set>

#include "supervise/policy_supervisor.h"
#include "sysgate/compiler.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate::cli {
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
    auto supervised = Compile(supervise::RouteBlockingVerdicts(policy));
    auto unsupervised = Compile(policy);
    ASSERT_TRUE(supervised && unsupervised);
    EXPECT_EQ(Of(baked->supervised), *supervised);
    EXPECT_EQ(Of(baked->unsupervised), *unsupervised);
    EXPECT_NE(*supervised, *unsupervised);  // blocking verdicts do go to the supervisor

    std::set<ActionKind> kinds = {policy.default_action.kind(), policy.unknown_action.kind()};
    for (const Rule& r : policy.rules) kinds.insert(r.action.kind());
    EXPECT_EQ(std::set<ActionKind>(baked->actions.begin(), baked->actions.end()), kinds);

    auto execve = SyscallNumber(HostArch(), "execve");
    ASSERT_TRUE(execve);
    ActionKind k = Interpreter(policy).Evaluate(SeccompData::For(HostArch(), *execve)).action.kind();
    EXPECT_EQ(baked->allows_execve, k == ActionKind::kAllow || k == ActionKind::kLog);
  }
}

TEST(BakedProfiles, UnknownNamesAreNotBaked) {
  EXPECT_EQ(FindBakedProfile("no-such-profile"), nullptr);
  EXPECT_EQ(FindBakedProfile(""), nullptr);
}

}  // namespace
}  // namespace sysgate::cli
