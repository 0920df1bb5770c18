// sysgate decompile: a seccomp BPF program back to a native policy (docs/inspect.md), exact
// and proven.
//
//   auto d = analysis::Decompile(prog);       // any program the kernel would load
//   if (!d) ...                               // "instruction 7: ... the language cannot say"
//   std::cout << d->text;                     // .sgp text; parses to d->policy
//   d->rule_insns[i];                         // the RET instructions behind d->policy.rules[i]
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate::analysis {

struct DecompileOptions {
  // Paths through the program explored at most (a DAG of forward jumps can have exponentially
  // many); past it the program is refused rather than decompiled in part.
  size_t max_paths = 1'000'000;
  // `name`: written into the policy text's header comment.
  std::string name = "<bpf>";
};

struct Decompiled {
  std::string text;  // the policy in the native language (with a header comment)
  Policy policy;     // `text` parsed and resolved
  // For each rule of `policy`: the RET instructions of the paths it stands for, ascending.
  std::vector<std::vector<int>> rule_insns;
  size_t paths = 0;              // paths of the program explored
  size_t recompiled_length = 0;  // instructions of `policy` compiled again
  size_t inputs_checked = 0;     // inputs on which input, policy and recompiled program agreed
};

// Symbolic execution of every path of `prog` (it must pass VerifyLoadable), per ABI and
// syscall number the verdict as a function of the argument words, 32-bit halves merged back
// into 64-bit comparisons, rules grouped by verdict (syscall groups where a whole group shares
// one). Refuses, naming the instruction, what the language cannot say (a test of the
// instruction pointer, arithmetic on a loaded value, a verdict on foreign ABIs other than
// kill-process, ...). The result is proven: the text is parsed, compiled again, and the input
// program, the policy and the recompiled program give the same action on every boundary input
// of the policy and every syscall number the program tells apart; an error otherwise.
Result<Decompiled> Decompile(const bpf::Program& prog, const DecompileOptions& options = {});

}  // namespace sysgate::analysis
