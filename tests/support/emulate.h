// A program run in the emulator on one call, for tests: the one helper that the test files
// share instead of each writing its own. Test code only (it reports through gtest).
//
//   EXPECT_EQ(testing::EmulatedRet(prog, Arch::kX86_64, "openat", {0, 0, 1}),
//             bpf::ret::kErrno | EPERM);
//   EXPECT_EQ(testing::EmulatedAction(prog, data).kind(), ActionKind::kKillProcess);
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

#include "sysgate/analysis.h"
#include "sysgate/arch.h"
#include "sysgate/bpf.h"
#include "sysgate/interpreter.h"

namespace sysgate::testing {

// What the helpers give for a program that cannot run (the test has failed then): no action's
// value that these tests expect.
inline constexpr uint32_t kDidNotRun = 0xdeadbeef;

// What `prog` returns for `data` in the emulator. A program that cannot run fails the test.
inline uint32_t EmulatedRet(const bpf::Program& prog, const SeccompData& data) {
  Result<analysis::EmulateResult> r = analysis::Emulate(prog, data);
  EXPECT_TRUE(r) << "the program cannot run: " << r.error().message;
  return r ? r->ret : kDidNotRun;
}

// The call with number `nr` on `abi`, its first arguments given (the rest 0).
inline uint32_t EmulatedRet(const bpf::Program& prog, Arch abi, int32_t nr,
                            std::initializer_list<uint64_t> args = {}) {
  return EmulatedRet(prog, SeccompData::For(abi, nr, args));
}

// The call by name; a name `abi` does not have fails the test.
inline uint32_t EmulatedRet(const bpf::Program& prog, Arch abi, std::string_view name,
                            std::initializer_list<uint64_t> args = {}) {
  std::optional<int32_t> nr = SyscallNumber(abi, name);
  EXPECT_TRUE(nr) << "no syscall " << name << " on " << Info(abi).name;
  return nr ? EmulatedRet(prog, abi, *nr, args) : kDidNotRun;
}

// The action the program's return value stands for (bpf::ActionOfRet).
inline Action EmulatedAction(const bpf::Program& prog, const SeccompData& data) {
  return bpf::ActionOfRet(EmulatedRet(prog, data));
}
inline Action EmulatedAction(const bpf::Program& prog, Arch abi, std::string_view name,
                             std::initializer_list<uint64_t> args = {}) {
  return bpf::ActionOfRet(EmulatedRet(prog, abi, name, args));
}

}  // namespace sysgate::testing
