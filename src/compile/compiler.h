// The compiler's own entry: a Policy to one program for all its targets, unchecked. Everything
// else calls sysgate::Compile (sysgate/compiler.h, in analysis/), which checks the program
// against the policy before returning it.
#pragma once

#include <map>
#include <string>

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate::compile {

// How often each syscall is called, by name (CompileOptions::frequencies).
using Frequencies = std::map<std::string, double>;

// The program for `policy` (resolved, without errors); an error where a target cannot read it
// or the program is longer than the kernel takes.
Result<bpf::Program> Generate(const Policy& policy, const Frequencies& frequencies = {});

}  // namespace sysgate::compile
