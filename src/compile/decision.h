// The decision IR: for each audit arch value the policy targets, the whole 32-bit syscall
// number space cut into ranges, each with the chain of rules that decides it.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "policy/for_abi.h"
#include "sysgate/policy.h"

namespace sysgate::compile {

// What decides one syscall number: the conditional rules that apply, in order, then a tail.
// Rule indices are into the policy as `abi` reads it (policy::ForAbi).
struct Chain {
  static constexpr int kDefault = -1;  // the policy's default action
  static constexpr int kUnknown = -2;  // the policy's unknown action
  static constexpr int kBadAbi = -3;   // kill-process: an ABI the policy does not target
  std::vector<int> conditional;        // rule indices whose conditions are tried in order
  int tail = kUnknown;                 // an unconditional rule's index, or one of the above
  Arch abi = Arch::kX86_64;            // the ABI whose number this is

  friend bool operator==(const Chain&, const Chain&) = default;
};

struct Range {
  uint32_t lo;
  uint32_t hi;  // inclusive
  Chain chain;
};

// All targets sharing one audit arch value (x86_64 and x32 share theirs).
struct ArchDecision {
  uint32_t audit_arch;
  Endian endian;
  std::vector<Range> ranges;  // sorted, contiguous, covering 0..0xffffffff
};

// Targets in policy order (the first target's arch is checked first). `lowered` holds the
// policy as each target reads it.
std::vector<ArchDecision> Decide(const Policy& p, const std::map<Arch, policy::AbiPolicy>& lowered);

}  // namespace sysgate::compile
