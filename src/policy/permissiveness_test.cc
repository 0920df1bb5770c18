// Which verdict may stand in for another when a conversion may only allow more.
#include "policy/permissiveness.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace sysgate::policy {
namespace {

TEST(NotLessPermissive, WhatRunsMustRun) {
  for (Action before : {Action::Allow(), Action::Log(), Action::Notify(), Action::Trace(1)}) {
    EXPECT_TRUE(NotLessPermissive(before, Action::Allow())) << before.ToString();
    EXPECT_TRUE(NotLessPermissive(before, Action::Log())) << before.ToString();
    EXPECT_FALSE(NotLessPermissive(before, Action::Errno(EPERM))) << before.ToString();
    EXPECT_FALSE(NotLessPermissive(before, Action::KillProcess())) << before.ToString();
  }
}

TEST(NotLessPermissive, ErrnosSayNoAlikeButENOSYSAndZero) {
  EXPECT_TRUE(NotLessPermissive(Action::Errno(EPERM), Action::Errno(EACCES)));
  EXPECT_TRUE(NotLessPermissive(Action::Errno(EPERM), Action::Errno(0)));  // not run either
  EXPECT_TRUE(NotLessPermissive(Action::Errno(EPERM), Action::Allow()));
  EXPECT_FALSE(NotLessPermissive(Action::Errno(EPERM), Action::Trap(0)));
  // ENOSYS makes libraries try an older call: another errno could stop them.
  EXPECT_TRUE(NotLessPermissive(Action::Errno(ENOSYS), Action::Errno(ENOSYS)));
  EXPECT_FALSE(NotLessPermissive(Action::Errno(ENOSYS), Action::Errno(EPERM)));
  EXPECT_FALSE(NotLessPermissive(Action::Errno(ENOSYS), Action::Errno(0)));
  // errno(0) fakes success: a failure could stop the program.
  EXPECT_TRUE(NotLessPermissive(Action::Errno(0), Action::Errno(0)));
  EXPECT_TRUE(NotLessPermissive(Action::Errno(0), Action::Allow()));
  EXPECT_FALSE(NotLessPermissive(Action::Errno(0), Action::Errno(EPERM)));
  EXPECT_FALSE(NotLessPermissive(Action::Errno(0), Action::Errno(ENOSYS)));
}

TEST(NotLessPermissive, KillsAndTraps) {
  EXPECT_TRUE(NotLessPermissive(Action::KillProcess(), Action::KillThread()));
  EXPECT_TRUE(NotLessPermissive(Action::KillProcess(), Action::KillProcess()));
  EXPECT_TRUE(NotLessPermissive(Action::KillThread(), Action::Errno(EPERM)));
  EXPECT_FALSE(NotLessPermissive(Action::KillThread(), Action::KillProcess()));
  EXPECT_TRUE(NotLessPermissive(Action::Trap(0), Action::Errno(EPERM)));
  EXPECT_FALSE(NotLessPermissive(Action::Trap(0), Action::KillThread()));
}

}  // namespace
}  // namespace sysgate::policy
