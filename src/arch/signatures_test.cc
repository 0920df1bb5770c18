#include <gtest/gtest.h>

#include "sysgate/arch.h"

namespace sysgate {
namespace {

TEST(Signatures, EveryX86_64SyscallHasOne) {
  for (const SyscallEntry& e : Syscalls(Arch::kX86_64)) {
    EXPECT_NE(FindSignature(e.name), nullptr) << e.name;
  }
}

TEST(Signatures, OpenatArguments) {
  const Signature* s = FindSignature("openat");
  ASSERT_NE(s, nullptr);
  ASSERT_EQ(s->nargs, 4);
  EXPECT_EQ(s->args[0].name, "dfd");
  EXPECT_EQ(s->args[0].kind, ArgKind::kFd);
  EXPECT_EQ(s->args[0].bits, 32);
  EXPECT_TRUE(s->args[0].is_signed);  // AT_FDCWD is negative
  EXPECT_EQ(s->args[1].kind, ArgKind::kString);
  EXPECT_EQ(s->args[2].name, "flags");
  EXPECT_EQ(s->args[2].kind, ArgKind::kFlags);
  EXPECT_EQ(s->args[2].bits, 32);
  EXPECT_EQ(FormatSignature(*s),
            "openat(fd:s32 dfd, string:u64 filename, flags:u32 flags, mode:u32 mode)");
}

TEST(Signatures, WidthsThatMatterForFilters) {
  // ioctl's request is an unsigned int: the kernel ignores the upper half (CVE-2019-7303).
  const Signature* ioctl = FindSignature("ioctl");
  ASSERT_NE(ioctl, nullptr);
  EXPECT_EQ(ioctl->args[1].name, "cmd");
  EXPECT_EQ(ioctl->args[1].bits, 32);
  EXPECT_FALSE(ioctl->args[1].is_signed);
  // clone's flags are an unsigned long on x86_64.
  const Signature* clone = FindSignature("clone");
  ASSERT_NE(clone, nullptr);
  EXPECT_EQ(clone->args[0].name, "clone_flags");
  EXPECT_EQ(clone->args[0].bits, 64);
  const Signature* socket = FindSignature("socket");
  ASSERT_NE(socket, nullptr);
  EXPECT_EQ(socket->args[0].name, "family");
  EXPECT_EQ(socket->args[0].bits, 32);
  EXPECT_EQ(FindSignature("getppid")->nargs, 0);
  EXPECT_EQ(FindSignature("not_a_syscall"), nullptr);
}

TEST(Signatures, KernelArgNNamesAreNotReused) {
  // prctl's kernel names are arg2..arg5, which would clash with sysgate's argN indices.
  const Signature* s = FindSignature("prctl");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->args[0].name, "option");
  for (int i = 1; i < s->nargs; ++i) EXPECT_TRUE(s->args[static_cast<size_t>(i)].name.empty());
}

}  // namespace
}  // namespace sysgate
