// The check sysgate::Compile (sysgate/compiler.h) makes of every program it returns, apart from
// the compiler so that a test can hand it a program that is wrong on purpose.
#pragma once

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate::analysis {

// Whether `program`, compiled from `policy`, does what the policy says (VerifyTranslation).
// Any disagreement is the compiler's fault: a kInternal error that says it is a sysgate bug.
Result<void> CheckCompiled(const Policy& policy, const bpf::Program& program);

}  // namespace sysgate::analysis
