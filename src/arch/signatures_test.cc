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

const ArgInfo& Arg(Arch a, std::string_view syscall, std::string_view name) {
  const Signature* s = FindSignature(a, syscall);
  EXPECT_NE(s, nullptr) << syscall;
  for (int i = 0; i < s->nargs; ++i) {
    if (s->args[static_cast<size_t>(i)].name == name) return s->args[static_cast<size_t>(i)];
  }
  ADD_FAILURE() << syscall << " has no " << name << " on " << Info(a).name;
  return s->args[0];
}

TEST(Signatures, EachAbiHasItsOwn) {
  // clone: x86_64's order; CONFIG_CLONE_BACKWARDS (tls before child_tidptr); s390's stack first.
  EXPECT_EQ(Arg(Arch::kX86_64, "clone", "tls").slot, 4);
  EXPECT_EQ(Arg(Arch::kAarch64, "clone", "tls").slot, 3);
  EXPECT_EQ(Arg(Arch::kS390x, "clone", "clone_flags").slot, 1);
  // long is 32 bits on 32-bit ABIs and x32; 64-bit values take two registers where registers
  // have 32 bits: consecutive on i386, from an even one on arm, high half first on big-endian.
  EXPECT_EQ(Arg(Arch::kX32, "mmap", "len").bits, 32);
  EXPECT_EQ(Arg(Arch::kX32, "pread64", "pos").hi_slot, -1);
  EXPECT_EQ(Arg(Arch::kI386, "pread64", "pos").slot, 3);
  EXPECT_EQ(Arg(Arch::kI386, "pread64", "pos").hi_slot, 4);
  EXPECT_EQ(Arg(Arch::kArm, "pread64", "pos").slot, 4);
  EXPECT_EQ(Arg(Arch::kArm, "pread64", "pos").hi_slot, 5);
  EXPECT_EQ(Arg(Arch::kPpc, "pread64", "pos").slot, 5);
  EXPECT_EQ(Arg(Arch::kPpc, "pread64", "pos").hi_slot, 4);
  EXPECT_EQ(Arg(Arch::kMipsel, "sync_file_range", "flags").slot, 6);  // on the stack
  EXPECT_EQ(FindSignature(Arch::kI386, "mmap")->nargs, 1);            // sys_old_mmap
  EXPECT_EQ(FindSignature(Arch::kAarch64, "open"), nullptr);          // no such syscall there
  EXPECT_EQ(
      FormatSignature(*FindSignature(Arch::kI386, "pread64")),
      "pread64(fd:u32 fd, pointer:u32 buf, size:u32 count, long:s64 pos [arg3 low, arg4 high])");
}

}  // namespace
}  // namespace sysgate
