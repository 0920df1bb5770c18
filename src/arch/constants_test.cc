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

}  // namespace
}  // namespace sysgate
