#include <gtest/gtest.h>

#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/policy_text.h"

namespace sysgate::analysis {
namespace {

bpf::Program MustCompile(std::string_view text, const CompileOptions& o = {}) {
  ParsedPolicy p = ParsePolicyText(text);
  EXPECT_TRUE(p.ok()) << p.RenderDiagnostics();
  auto prog = Compile(*p.policy, o);
  EXPECT_TRUE(prog);
  return *prog;
}

TEST(Stats, CountsCacheableAllowsAndArgumentReads) {
  bpf::Program p = MustCompile(
      "arch x86_64\ndefault errno(EPERM)\nallow read, write\nallow openat if flags == 0\n");
  ProgramStats s = ComputeStats(p, Arch::kX86_64);
  EXPECT_EQ(s.length, p.size());
  EXPECT_EQ(s.cacheable, 2u);  // read, write
  EXPECT_EQ(s.may_allow, 3u);  // and openat, by argument
  EXPECT_EQ(s.per_syscall.size(), Syscalls(Arch::kX86_64).size());
  for (const SyscallCost& c : s.per_syscall) {
    EXPECT_EQ(c.reads_args, c.name == "openat") << c.name;
    EXPECT_GE(c.executed, 3);
    EXPECT_LE(c.executed, s.max);
  }
  EXPECT_GT(s.mean, 3);
}

TEST(Stats, FrequenciesMakeTheHotSyscallsCheap) {
  const char* policy = "arch x86_64\ndefault errno(EPERM)\nallow @system-service\n";
  CompileOptions hot;
  hot.frequencies = {{"read", 1e6}, {"write", 5e5}, {"epoll_wait", 2e5}};
  bpf::Program plain = MustCompile(policy), laid_out = MustCompile(policy, hot);
  double before = ComputeStats(plain, Arch::kX86_64, hot.frequencies).weighted_mean;
  double after = ComputeStats(laid_out, Arch::kX86_64, hot.frequencies).weighted_mean;
  EXPECT_LT(after, before - 3) << before << " -> " << after;
  // Same verdicts either way.
  ParsedPolicy p = ParsePolicyText(policy);
  EXPECT_TRUE(VerifyTranslation(*p.policy, laid_out));
}

TEST(Stats, ParsesCountsAndStraceSummaries) {
  auto simple = ParseFrequencies("# counts\nread 10\nwrite 0x20\nread 5\n");
  ASSERT_TRUE(simple);
  EXPECT_EQ((*simple)["read"], 15);
  EXPECT_EQ((*simple)["write"], 32);
  auto strace = ParseFrequencies(
      "% time     seconds  usecs/call     calls    errors syscall\n"
      "------ ----------- ----------- --------- --------- ----------------\n"
      " 32.11    0.000918         918         1           execve\n"
      " 12.49    0.000357          10        34        13 openat\n"
      "------ ----------- ----------- --------- --------- ----------------\n"
      "100.00    0.002859          18       151        16 total\n");
  ASSERT_TRUE(strace);
  EXPECT_EQ((*strace)["openat"], 34);
  EXPECT_EQ((*strace)["execve"], 1);
  EXPECT_EQ(strace->size(), 2u);
  auto bad = ParseFrequencies("read\n");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message,
            "line 1: expected 'syscall count' or an strace -c line, not 'read'");
  EXPECT_FALSE(ParseFrequencies("frobnicate 10\n"));
}

}  // namespace
}  // namespace sysgate::analysis
