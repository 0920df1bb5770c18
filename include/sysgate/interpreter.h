// The reference interpreter: what a policy means for one syscall, computed directly from the
// Policy (no BPF). Compiled filters are tested against it.
//
//   Interpreter interp(policy);                  // policy must be resolved (no errors)
//   SeccompData d = SeccompData::For(Arch::kX86_64, *SyscallNumber(Arch::kX86_64, "openat"),
//                                    {AT_FDCWD_bits, path, O_RDONLY});
//   Verdict v = interp.Evaluate(d);               // v.action, v.rule (index) or v.reason
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <map>
#include <unordered_map>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate {

// Layout-compatible with the kernel's struct seccomp_data.
struct SeccompData {
  int32_t nr = 0;
  uint32_t arch = 0;
  uint64_t instruction_pointer = 0;
  std::array<uint64_t, 6> args{};

  static SeccompData For(Arch arch, int32_t nr, std::initializer_list<uint64_t> args = {});
};

struct Verdict {
  enum class Reason : uint8_t {
    kRule,     // rule `rule` matched
    kDefault,  // a syscall of the ABI's table that no rule matched
    kUnknown,  // a number the ABI's table does not know, that no rule matched
    kBadArch,  // the ABI is not a target of the policy
  };
  Action action;
  Reason reason = Reason::kDefault;
  int rule = -1;  // index into Policy::rules for kRule
  friend bool operator==(const Verdict&, const Verdict&) = default;
};

class Interpreter {
 public:
  explicit Interpreter(const Policy& policy);
  Verdict Evaluate(const SeccompData& data) const;
  // What the policy can answer the call `nr` of the ABI `audit_arch`, whatever its arguments
  // (for a record that has none, like the kernel's audit log): the verdict of each rule that
  // covers it, in order, up to the first without a condition; then, if every one has a
  // condition, what is left (the default, the unknown-syscall or the foreign-ABI action).
  // `conditional`: as that ABI reads the rule (a socket rule is socketcall's `if call ==
  // SYS_SOCKET` on i386).
  struct Candidate {
    Verdict verdict;
    bool conditional = false;
  };
  std::vector<Candidate> Candidates(uint32_t audit_arch, int32_t nr) const;

 private:
  // The policy as one target ABI reads it (argument registers and constants of that ABI).
  struct Abi {
    Policy policy;
    std::vector<size_t> origin;  // policy.rules[i] is the policy's rules[origin[i]]
    // Per syscall number: the rules (indexes into policy.rules) that cover it, in order, so
    // that an input is tried against its syscall's rules only, not every rule of a large policy.
    std::unordered_map<int32_t, std::vector<size_t>> rules;
  };
  const Policy& policy_;
  std::map<Arch, Abi> abis_;
};

// One-shot form of Interpreter(policy).Evaluate(data).
Verdict Evaluate(const Policy& policy, const SeccompData& data);

}  // namespace sysgate
