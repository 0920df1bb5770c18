#include "run/exec_gate.h"

#include <fmt/format.h>

#include "sysgate/arch.h"

namespace sysgate::run {

Result<bpf::Program> WithExecGate(const bpf::Program& policy, const SeccompData& exec) {
  using namespace bpf::op;
  // 4 instructions for arch and nr, 4 for each of the 3 pointers (two 32-bit halves), 1 RET.
  constexpr uint8_t kGate = 17;
  if (policy.size() + kGate > bpf::kMaxInsns) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("the filter ({} instructions) leaves no room for the gate that lets "
                    "sysgate's own exec of the program through",
                    policy.size()));
  }
  const bool little = Info(HostArch()).endian == Endian::kLittle;
  bpf::Program p;
  // Each test jumps, on a mismatch, to the policy's first instruction (index kGate).
  auto mismatch_to_policy = [&] { return static_cast<uint8_t>(kGate - p.size() - 1); };
  auto load_and_test = [&](uint32_t offset, uint32_t value) {
    p.push_back(bpf::Stmt(kLd | kW | kAbs, offset));
    p.push_back(bpf::Jump(kJmp | kJeq | kK, value, 0, mismatch_to_policy()));
  };
  load_and_test(bpf::data::kArch, exec.arch);
  load_and_test(bpf::data::kNr, static_cast<uint32_t>(exec.nr));
  for (size_t i = 0; i < 3; ++i) {
    const uint32_t at = bpf::data::kArgs + static_cast<uint32_t>(8 * i);
    const uint64_t v = exec.args[i];
    load_and_test(little ? at : at + 4, static_cast<uint32_t>(v));
    load_and_test(little ? at + 4 : at, static_cast<uint32_t>(v >> 32));
  }
  p.push_back(bpf::Stmt(kRet | kK, bpf::ret::kUserNotif));
  p.insert(p.end(), policy.begin(), policy.end());
  return p;
}

}  // namespace sysgate::run
