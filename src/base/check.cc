#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace sysgate::base {

void CheckFailed(const char* expr, const char* file, int line, const char* msg) {
  std::fprintf(stderr, "sysgate: internal error at %s:%d: %s (%s)\n", file, line, msg, expr);
  std::abort();
}

}  // namespace sysgate::base
