#include <gtest/gtest.h>

#include <fcntl.h>

#include "sysgate/analysis.h"
#include "sysgate/policy_text.h"

namespace sysgate::analysis {
namespace {

Policy Parse(std::string_view text) {
  ParsedPolicy p = ParsePolicyText(text);
  EXPECT_TRUE(p.ok()) << p.RenderDiagnostics();
  return *p.policy;
}

const PolicyDifference* Find(const PolicyDiff& d, std::string_view syscall, std::string_view before,
                             std::string_view after) {
  for (const PolicyDifference& x : d.differences) {
    auto name = SyscallName(Arch::kX86_64, x.example.nr);
    if (x.example.arch == Info(Arch::kX86_64).audit_arch && name && *name == syscall &&
        x.before.action.ToString() == before && x.after.action.ToString() == after) {
      return &x;
    }
  }
  return nullptr;
}

TEST(DiffPolicies, SamePolicyNoChanges) {
  Policy p = Parse(
      "arch x86_64\ndefault errno(EPERM)\nallow read, write\nallow openat if (flags & O_ACCMODE) "
      "== O_RDONLY\n");
  PolicyDiff d = DiffPolicies(p, p);
  EXPECT_TRUE(d.differences.empty());
  EXPECT_GT(d.inputs, 500u);
}

TEST(DiffPolicies, NamesEachChangeWithAnExample) {
  Policy before = Parse("arch x86_64\ndefault errno(EPERM)\nallow read, write, connect, openat\n");
  Policy after = Parse(
      "arch x86_64\ndefault errno(EPERM)\nallow read, write\nallow openat if (flags & O_ACCMODE) "
      "== O_RDONLY\n"
      "kill-process ptrace\n");
  PolicyDiff d = DiffPolicies(before, after);
  ASSERT_EQ(d.differences.size(), 3u);

  const PolicyDifference* connect = Find(d, "connect", "allow", "errno(EPERM)");
  ASSERT_NE(connect, nullptr);
  EXPECT_EQ(connect->inputs, connect->compared);  // for every argument
  EXPECT_EQ(connect->before.reason, Verdict::Reason::kRule);
  EXPECT_EQ(connect->after.reason, Verdict::Reason::kDefault);

  const PolicyDifference* openat = Find(d, "openat", "allow", "errno(EPERM)");
  ASSERT_NE(openat, nullptr);
  EXPECT_LT(openat->inputs, openat->compared);  // only some
  EXPECT_NE(openat->example.args[2] & O_ACCMODE, static_cast<uint64_t>(O_RDONLY));
  EXPECT_EQ(openat->example.args[0], 0u);  // the simplest example: only flags set
  EXPECT_EQ(openat->after.rule, -1);

  EXPECT_NE(Find(d, "ptrace", "errno(EPERM)", "kill-process"), nullptr);
  // Reading the other way round swaps before and after.
  EXPECT_NE(Find(DiffPolicies(after, before), "connect", "errno(EPERM)", "allow"), nullptr);
}

TEST(DiffPolicies, ArchesOneSideDoesNotTarget) {
  Policy both = Parse("arch x86_64, i386\ndefault errno(EPERM)\nallow read\n");
  Policy one = Parse("arch x86_64\ndefault errno(EPERM)\nallow read\n");
  PolicyDiff d = DiffPolicies(both, one);
  ASSERT_FALSE(d.differences.empty());
  for (const PolicyDifference& x : d.differences) {
    EXPECT_EQ(x.example.arch, Info(Arch::kI386).audit_arch);
    EXPECT_EQ(x.after.reason, Verdict::Reason::kBadArch);
  }
}

}  // namespace
}  // namespace sysgate::analysis
