#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include "sysgate/arch.h"

namespace sysgate {
namespace {

TEST(Constants, AgreeWithHostHeaders) {
  EXPECT_EQ(FindConstant("O_RDONLY"), O_RDONLY);
  EXPECT_EQ(FindConstant("O_CLOEXEC"), O_CLOEXEC);
  EXPECT_EQ(FindConstant("AT_FDCWD"), AT_FDCWD);
  EXPECT_EQ(FindConstant("AF_INET6"), AF_INET6);
  EXPECT_EQ(FindConstant("SOCK_STREAM"), SOCK_STREAM);
  EXPECT_EQ(FindConstant("CLONE_NEWUSER"), CLONE_NEWUSER);
  EXPECT_EQ(FindConstant("PROT_EXEC"), PROT_EXEC);
  EXPECT_EQ(FindConstant("MAP_SHARED"), MAP_SHARED);
  EXPECT_EQ(FindConstant("MADV_DONTNEED"), MADV_DONTNEED);
  EXPECT_EQ(FindConstant("PR_SET_NO_NEW_PRIVS"), PR_SET_NO_NEW_PRIVS);
  EXPECT_EQ(FindConstant("F_SETFL"), F_SETFL);
  EXPECT_EQ(FindConstant("TIOCSTI"), static_cast<int64_t>(TIOCSTI));
  EXPECT_EQ(FindConstant("FIONREAD"), static_cast<int64_t>(FIONREAD));
  EXPECT_EQ(FindConstant("ADDR_NO_RANDOMIZE"), ADDR_NO_RANDOMIZE);
  EXPECT_EQ(FindConstant("READ_IMPLIES_EXEC"), READ_IMPLIES_EXEC);
  EXPECT_EQ(FindConstant("PER_LINUX"), PER_LINUX);
  EXPECT_EQ(FindConstant("NOT_A_CONSTANT"), std::nullopt);
}

TEST(Constants, ErrnoAndSignalNames) {
  EXPECT_EQ(ErrnoFromName("EPERM"), EPERM);
  EXPECT_EQ(ErrnoFromName("ENOSYS"), ENOSYS);
  EXPECT_EQ(ErrnoFromName("EWOULDBLOCK"), EAGAIN);  // an alias
  EXPECT_EQ(ErrnoName(EAGAIN), "EAGAIN");           // printed by its first name
  EXPECT_EQ(ErrnoName(EPERM), "EPERM");
  EXPECT_EQ(ErrnoFromName("EPOLLIN"), std::nullopt);  // a constant, not an errno
  EXPECT_EQ(ErrnoFromName("O_RDONLY"), std::nullopt);
  EXPECT_EQ(ErrnoName(4095), std::nullopt);
  EXPECT_EQ(SignalFromName("SIGSYS"), SIGSYS);
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalFromName("SIG_DFL"), std::nullopt);
}

// Each ABI's own values (the header suite, tests/abi, checks them all against the headers).
TEST(Constants, EachAbiHasItsOwnValues) {
  EXPECT_EQ(FindConstant(Arch::kX86_64, "O_DIRECTORY"), 0200000);
  EXPECT_EQ(FindConstant(Arch::kAarch64, "O_DIRECTORY"), 040000);
  EXPECT_EQ(FindConstant(Arch::kArm, "O_DIRECTORY"), 040000);
  EXPECT_EQ(FindConstant(Arch::kMipsel, "SOCK_NONBLOCK"), 0200);
  EXPECT_EQ(FindConstant(Arch::kAarch64, "ARCH_SET_FS"), std::nullopt);  // x86's arch_prctl
  EXPECT_EQ(FindConstant(Arch::kI386, "ARCH_SET_FS"), 0x1002);
  EXPECT_TRUE(IsConstantName("ARCH_SET_FS"));
  EXPECT_EQ(ErrnoFromName(Arch::kMips64el, "ENOSYS"), 89);
  EXPECT_EQ(ErrnoName(Arch::kSparc64, 90), "ENOSYS");
  EXPECT_EQ(SignalFromName(Arch::kMipsel, "SIGSYS"), 12);
  // errno numbers in policies are the generic ones; each ABI returns its own for the error.
  EXPECT_EQ(ErrnoOn(Arch::kMipsel, 38), 89u);
  EXPECT_EQ(ErrnoOn(Arch::kAarch64, 38), 38u);
  EXPECT_EQ(ErrnoOn(Arch::kMipsel, 1), 1u);
  EXPECT_EQ(ErrnoOn(Arch::kMipsel, 5000), 5000u);  // no name: as written
}

}  // namespace
}  // namespace sysgate
