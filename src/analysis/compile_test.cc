// sysgate::Compile's check of its own programs (analysis::CheckCompiled): a program that does
// not do what its policy says is a sysgate bug, kInternal, never a program. The compiler makes
// no such program on purpose, so these tests hand the check one compiled from another policy.
#include "analysis/compile.h"

#include <errno.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysgate/compiler.h"
#include "sysgate/policy_builder.h"

namespace sysgate::analysis {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;

Policy Build(const PolicyBuilder& b) {
  Result<Policy> p = b.Build();
  EXPECT_TRUE(p) << p.error().ToString();
  return p ? *p : Policy{};
}

Policy AllowsRead() {
  return Build(PolicyBuilder({Arch::kX86_64}).Default(Action::Errno(EPERM)).Allow("read"));
}

TEST(CheckCompiled, PassesThePolicysOwnProgram) {
  Policy p = AllowsRead();
  auto prog = Compile(p, {.verify = false});
  ASSERT_TRUE(prog) << prog.error().ToString();
  auto checked = CheckCompiled(p, *prog);
  EXPECT_TRUE(checked) << checked.error().ToString();
}

// The program allows read; the policy it is checked against denies it.
TEST(CheckCompiled, ADisagreementIsASysgateBug) {
  auto prog = Compile(AllowsRead());
  ASSERT_TRUE(prog) << prog.error().ToString();
  Policy denies_read = Build(PolicyBuilder({Arch::kX86_64}).Default(Action::Errno(EPERM)));
  auto checked = CheckCompiled(denies_read, *prog);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, ErrorCode::kInternal);
  EXPECT_THAT(checked.error().message, HasSubstr("translation validation failed"));
  EXPECT_THAT(checked.error().message, HasSubstr("(read)"));
  EXPECT_THAT(checked.error().message, EndsWith(" (a sysgate bug; please report it)"));
}

// A program the kernel would not load (no RET at the end) is one too.
TEST(CheckCompiled, AnUnloadableProgramIsASysgateBug) {
  const bpf::Program no_ret = {bpf::Stmt(0x20, bpf::data::kArch)};
  auto checked = CheckCompiled(AllowsRead(), no_ret);
  ASSERT_FALSE(checked);
  EXPECT_EQ(checked.error().code, ErrorCode::kInternal);
  EXPECT_THAT(checked.error().message, HasSubstr("the program would not load"));
  EXPECT_THAT(checked.error().message, EndsWith(" (a sysgate bug; please report it)"));
}

}  // namespace
}  // namespace sysgate::analysis
