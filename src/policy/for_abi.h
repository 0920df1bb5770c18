// A policy as one ABI reads it. Policies are written once for all their target ABIs, with
// argument names and constants; what they mean differs between ABIs (docs/architectures.md):
//  * arguments sit in other registers (clone's flags are arg1 on s390x) and have other widths
//    (long is 32 bits on i386 and x32); a 64-bit value takes two registers on 32-bit ABIs;
//  * named constants have each ABI's value (O_DIRECTORY: 0200000 on x86_64, 040000 on aarch64).
// The interpreter, the compiler and translation validation all read a policy through this, so
// that they agree on what each ABI means; the kernel suites (tests/arches) hold it to the kernels.
#pragma once

#include <cstddef>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::policy {

struct AbiPolicy {
  Arch abi = Arch::kX86_64;
  // The policy's rules in order, their conditions with the ABI's argument registers, widths and
  // constants. A rule that names no syscall of the ABI is kept as it was.
  Policy policy;
  // policy.rules[i] comes from rules[origin[i]] of the policy lowered.
  std::vector<size_t> origin;
};

// Lowers a resolved policy for `abi`. `diags` (may be null) receives the errors, each located
// at the comparison and naming the ABI: a constant with no value there, an argument its
// prototype there does not have or passes where seccomp cannot see it, a constant that does not
// fit the argument's width there. The comparisons in error are left as they were.
AbiPolicy ForAbi(const Policy& policy, Arch abi, std::vector<Diagnostic>* diags = nullptr);

// ForAbi for every target of `policy`: its errors, one diagnostic for all the ABIs that share
// one ("... on i386, arm").
std::vector<Diagnostic> CheckAbis(const Policy& policy);

}  // namespace sysgate::policy
