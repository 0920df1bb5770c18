// test_env NEED...: the probes of support/env.h for the shell suites (tests/support/env.sh).
// Prints why the environment cannot meet the first missing need and exits 1; exits 0, printing
// nothing, when it meets them all.
#include <cstdio>

#include "support/env.h"

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (auto why = sysgate::testing::Missing(argv[i])) {
      std::printf("%s\n", why->c_str());
      return 1;
    }
  }
  return 0;
}
