// One libFuzzer executable per target (entry_points.h): fuzz_<name>, built with
// -DSYSGATE_FUZZ_TARGET="<name>" by `make fuzz`.
#include <cstdio>
#include <cstdlib>

#include "fuzz/entry_points.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sysgate::fuzz::Target* target = sysgate::fuzz::FindTarget(SYSGATE_FUZZ_TARGET);
  if (target == nullptr) std::abort();
  std::string_view input(reinterpret_cast<const char*>(data), size);
  if (sysgate::fuzz::Failure f = target->run(input)) {
    std::fprintf(stderr, "sysgate fuzz (%s): %s\n", SYSGATE_FUZZ_TARGET, f->c_str());
    std::abort();
  }
  return 0;
}
