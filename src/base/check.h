// SG_CHECK: aborts with a message when an internal invariant is broken. Invariants are bugs,
// not input errors; input errors are returned as sysgate::Error.
#pragma once

namespace sysgate::base {
[[noreturn]] void CheckFailed(const char* expr, const char* file, int line, const char* msg);
}  // namespace sysgate::base

#define SG_CHECK(cond, msg)                                                    \
  do {                                                                         \
    if (!(cond)) ::sysgate::base::CheckFailed(#cond, __FILE__, __LINE__, msg); \
  } while (0)
