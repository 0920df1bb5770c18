// The compiler: a Policy to one seccomp BPF program for all of its target arches.
//
//   Result<bpf::Program> prog = Compile(policy);      // policy resolved, without errors
//   if (!prog) ...                                     // e.g. more than 4096 instructions
//
// Every program is checked against the policy before it is returned: the emulator runs it and
// the reference interpreter the policy on the inputs where they could differ
// (analysis::VerifyTranslation); a disagreement is an error (kInternal), never a program. Only
// a caller that checks otherwise, or measures the compiler alone, turns it off (verify).
// The program checks the arch first (an ABI the policy does not target: kill-process; x32
// numbers on x86_64 unless x32 is a target: kill-process), dispatches on the syscall number
// by a search tree over ranges of numbers that share the same code (weight-balanced by the
// syscalls each range holds, or by CompileOptions::frequencies), and then evaluates the
// argument conditions of the rules that apply, 32 bits at a time, in rule order; a run of
// equality rules on one argument becomes a binary search over its values. Allowing a syscall
// without conditions touches no argument, so the kernel's action cache serves it.
#pragma once

#include <map>
#include <string>

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate {

struct CompileOptions {
  // How often each syscall is called (by name; `sysgate learn` counts or an strace -c summary,
  // see analysis::ParseFrequencies). The number dispatch is laid out so that the expected
  // instructions per syscall are lowest for this mix (a weight-balanced search tree, as
  // minijail's @frequency); without it every syscall of the tables weighs the same.
  std::map<std::string, double> frequencies;
  // Check the program against the policy before returning it (above). It costs about as much
  // as compiling; analysis::VerifyTranslation does it alone and says on how many inputs.
  bool verify = true;
};

Result<bpf::Program> Compile(const Policy& policy, const CompileOptions& options = {});

}  // namespace sysgate
