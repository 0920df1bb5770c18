#include <gtest/gtest.h>

#include "sysgate/policy_builder.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

TEST(Printer, CanonicalForm) {
  const char* text =
      "arch x86_64, i386\n"
      "default errno(EPERM)\n"
      "unknown errno(ENOSYS)\n"
      "\n"
      "const RO = O_RDONLY | O_CLOEXEC\n"
      "\n"
      "allow read, write, @exit\n"
      "allow openat if (flags & O_ACCMODE) == O_RDONLY && dfd == AT_FDCWD\n"
      "allow socket if family not in {AF_NETLINK, AF_PACKET}\n"
      "allow fcntl if cmd in 0..4 || (cmd & 1) != 0\n"
      "allow getppid if !(arg0:u64 == 5) && (arg1 == 1 || arg2 == 2)\n"
      "trap(5) 11 on i386\n";
  ParsedPolicy r = ParsePolicyText(text, "p.sgp");
  ASSERT_TRUE(r.ok()) << r.RenderDiagnostics();
  EXPECT_EQ(PrintPolicy(*r.policy), text);  // already canonical: printed unchanged
}

// `foreign` is printed when it is not kill-process (what every policy without it means).
TEST(Printer, ForeignActionWhenSet) {
  const char* text =
      "default allow\nunknown errno(ENOSYS)\nforeign kill-thread\n\nerrno(EPERM) ptrace\n";
  ParsedPolicy r = ParsePolicyText(text, "p.sgp");
  ASSERT_TRUE(r.ok()) << r.RenderDiagnostics();
  EXPECT_EQ(r.policy->foreign_abi_action, Action::KillThread());
  EXPECT_EQ(PrintPolicy(*r.policy), text);
  r = ParsePolicyText("default allow\nforeign kill-process\n", "q.sgp");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(PrintPolicy(*r.policy), "default allow\nunknown errno(ENOSYS)\n");
}

TEST(Printer, BuilderPoliciesPrintWithNumbers) {
  Result<Policy> p =
      PolicyBuilder().Allow("openat").If(Arg("dfd") == -100 && Arg(2) == 0x41).Build();
  ASSERT_TRUE(p);
  std::string text = PrintPolicy(*p);
  EXPECT_NE(text.find("allow openat if dfd == -100 && arg2 == 0x41"), std::string::npos) << text;
  ParsedPolicy back = ParsePolicyText(text);
  ASSERT_TRUE(back.ok()) << back.RenderDiagnostics();
  EXPECT_EQ(*back.policy, *p);
}

TEST(Printer, LongListsWrap) {
  std::string text = "allow";
  for (std::string_view n : {"read", "write", "close", "fstat", "lseek", "mmap", "mprotect",
                             "munmap", "brk", "rt_sigaction", "rt_sigprocmask", "ioctl", "pread64",
                             "pwrite64", "readv", "writev", "access", "pipe", "select"}) {
    text += std::string(text == "allow" ? " " : ", ") + std::string(n);
  }
  ParsedPolicy r = ParsePolicyText(text + "\n");
  ASSERT_TRUE(r.ok());
  std::string printed = PrintPolicy(*r.policy);
  for (size_t start = 0, end; (end = printed.find('\n', start)) != std::string::npos;
       start = end + 1) {
    EXPECT_LE(end - start, 100u) << printed;
  }
  EXPECT_EQ(*ParsePolicyText(printed).policy, *r.policy);
}

}  // namespace
}  // namespace sysgate
