// Running test code in a forked child, for tests that install filters (a filter cannot be
// removed, so it must not land on the test runner itself).
#pragma once

#include <sys/wait.h>
#include <unistd.h>

namespace sysgate::testing {

// Runs fn in a forked child (its return value is the exit code); returns the wait status.
template <class F>
int InChild(F fn) {
  pid_t pid = fork();
  if (pid == 0) _exit(fn());
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

}  // namespace sysgate::testing
