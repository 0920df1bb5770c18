// Small seccomp filters told apart by their number, for tests that read filters back from the
// kernel (sysgate dump): filter i fails syscall number 100000 + i (no ABI has one) with errno
// i and allows everything else. Shared by tests/helpers/install_filters.cc and the tests.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <array>
#include <cstddef>
#include <cstdint>

namespace sysgate::testing {

inline constexpr uint32_t kKnownFilterBase = 100000;

inline std::array<sock_filter, 4> KnownFilter(uint32_t i) {
  return {{
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, kKnownFilterBase + i, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (i & SECCOMP_RET_DATA)),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  }};
}

}  // namespace sysgate::testing
