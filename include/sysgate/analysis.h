// Reading BPF programs: emulate them exactly as the kernel runs them, verify them with the
// kernel's load rules, and evaluate a stack of filters with the kernel's precedence.
//
//   Result<void> ok = analysis::VerifyLoadable(prog);      // "instruction 12: ..." if not
//   auto r = analysis::Emulate(prog, SeccompData::For(Arch::kX86_64, 59));
//   r->ret;        // 0x80000000 = KILL_PROCESS
//   r->executed;   // instructions executed
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "sysgate/bpf.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"

namespace sysgate::analysis {

struct EmulateResult {
  uint32_t ret = 0;  // the filter's return value
  int executed = 0;  // instructions executed, the RET included
  // The path loaded more than nr and arch (an argument or the instruction pointer): the
  // kernel's per-syscall cache cannot hold this verdict (it caches allows that depend on nr
  // and arch alone).
  bool reads_args = false;
};

// Runs `prog` on `data`. The 32-bit words of args and instruction_pointer are read in the
// byte order of the arch named by data.arch (its audit LE bit), as that kernel would. Fails
// (instead of misbehaving) on anything the kernel would not have loaded.
Result<EmulateResult> Emulate(const bpf::Program& prog, const SeccompData& data);

// The kernel's checks at load time (bpf_check_classic + seccomp_check_filter): length 1..4096,
// only the opcodes seccomp accepts, aligned loads inside seccomp_data, jumps forward and in
// range, no division by constant zero or shifts by 32 or more, scratch memory written before
// it is read on every path, a RET at the end. The error names the instruction.
Result<void> VerifyLoadable(const bpf::Program& prog);

// A stack of filters as the kernel runs them: every filter sees the call, the most
// restrictive action wins (KILL_PROCESS > KILL_THREAD > TRAP > ERRNO > USER_NOTIF > TRACE >
// LOG > ALLOW), and among equal actions the newest filter's data. `filters` is oldest first.
struct StackVerdict {
  uint32_t ret = 0;   // the return value the kernel acts on
  size_t filter = 0;  // the index in `filters` of the filter that decided it
};
Result<StackVerdict> EvaluateStack(const std::vector<bpf::Program>& filters,
                                   const SeccompData& data);

}  // namespace sysgate::analysis

namespace sysgate::analysis {

struct TranslationReport {
  size_t inputs = 0;  // seccomp_data inputs compared
};

// Translation validation: runs `prog` in the emulator and the policy in the reference
// interpreter on every input class that matters, and fails on the first disagreement, naming
// the input. The inputs: each target arch and foreign ones; every syscall number the tables
// or the rules name, with its neighbours, and the boundaries of the number space (-1, the x32
// range, past every table); for syscalls with argument conditions, the boundary values of
// every comparison (the constant, +-1, sign-extended, with junk in the upper half, 0, max)
// in combination.
Result<TranslationReport> VerifyTranslation(const Policy& policy, const bpf::Program& prog);

// The input classes above, for other comparisons: calls `check` on each and stops at the first
// error. Returns how many inputs were checked.
using InputCheck = std::function<Result<void>(const SeccompData&)>;
Result<size_t> ForEachBoundaryInput(const Policy& policy, const InputCheck& check);

// Two policies give the same action on the boundary inputs of both (format round trips,
// conversions). The error names the first input where they differ.
Result<TranslationReport> VerifyEquivalent(const Policy& a, const Policy& b);

// A conversion checked: `text`, written in `format` by formats::Export from a policy whose
// Exported::means is `means`, read back the way sysgate reads that format (for means' first
// target arch; `section`: the Firecracker thread category or SPO profile written) and compared
// with `means` on the arches both cover (OCI adds the native arch, Firecracker keeps one). An
// error when the text does not read back or means something else: either is a sysgate bug.
Result<TranslationReport> VerifyConversion(const Policy& means, std::string_view text,
                                           formats::Format format, const std::string& section);

// formats::Export with ExportOptions::widen, checked: the written text, as it reads back, lets
// run every call the policy lets run and fails none with another errno than the policy's, on
// the policy's boundary inputs (policy/permissiveness.h). Where the widening fell short (systemd
// decides i386's socketcall(SYS_SOCKET) with socket's entry), that syscall is allowed and the
// policy written again, with a warning; what no syscall's verdict can widen (unknown numbers,
// other ABIs, which systemd decides itself) is an error naming the input.
formats::Exported ExportWidened(const Policy& policy, formats::Format format,
                                formats::ExportOptions options);

// ---- comparing two policies ----

// Where two policies decide a syscall differently: one entry per ABI, syscall number and pair
// of actions, over the boundary inputs of both policies (those above).
struct PolicyDifference {
  SeccompData example;  // an input where they differ this way, with the fewest arguments set
  Verdict before;       // what the first policy does with it
  Verdict after;        // and the second
  size_t inputs = 0;    // inputs of this syscall that differ this way
  size_t compared = 0;  // inputs of this syscall compared: all differ when equal to inputs
};

// Where two policies' fs, net and scope rules differ: what one path, one kind of port or the
// scopes get ("fs /etc": "read" -> "read write"; "-" where a side says nothing).
struct AccessDifference {
  std::string what;  // "fs /etc", "fs", "net bind", "net connect", "scope", "fs best-effort"
  std::string before;
  std::string after;
};

struct PolicyDiff {
  std::vector<PolicyDifference> differences;  // by audit arch, then number
  size_t inputs = 0;                          // distinct inputs compared
  std::vector<AccessDifference> access;       // fs paths in the order the policies name them
};

// `sysgate diff`: what changed between two versions of a policy (a learned one and the
// tightened one, say), syscall by syscall.
PolicyDiff DiffPolicies(const Policy& before, const Policy& after);

}  // namespace sysgate::analysis

namespace sysgate::analysis {

// ---- cost ----

struct SyscallCost {
  int32_t nr;
  std::string name;
  int executed;     // instructions, with all arguments zero
  bool reads_args;  // the verdict depends on arguments: the kernel cannot cache it
  uint32_t ret;     // the verdict with all arguments zero
};

struct ProgramStats {
  size_t length = 0;
  Arch abi = Arch::kX86_64;
  double mean = 0;  // instructions per syscall of the ABI's table
  int max = 0;
  double weighted_mean = 0;  // by the frequencies given (0 without)
  size_t cacheable = 0;      // syscalls the kernel's cache allows without running the filter
  size_t may_allow = 0;      // syscalls that can be allowed (cacheable, or by argument)
  std::vector<SyscallCost> per_syscall;  // every syscall of the ABI's table, by number
};

// Runs the program for every syscall of `abi`'s table (arguments zero).
ProgramStats ComputeStats(const bpf::Program& prog, Arch abi,
                          const std::map<std::string, double>& frequencies = {});

// Syscall frequencies: lines "name count", or the table `strace -c` prints (its header, rules
// and total line are skipped). Counts of one name add up.
Result<std::map<std::string, double>> ParseFrequencies(std::string_view text);

struct DisasmOptions {
  std::optional<Arch> arch;  // assumed before the program checks the arch (default: host)
  bool asm_able = false;     // labels instead of line numbers, readable by Assemble()
};

// The seccomp-tools style listing:
//    line  CODE  JT   JF      K
//   =================================
//    0000: 0x20 0x00 0x00 0x00000004  A = arch
//    0001: 0x15 0x00 0x05 0xc000003e  if (A != ARCH_X86_64) goto 0007
// with syscall names where the arch is known, or (asm_able) the same statements with labels.
std::string Disassemble(const bpf::Program& prog, const DisasmOptions& options = {});

// Reads the asm-able form back: statements such as `A = sys_number`, `A = args[1] >> 32`,
// `if (A == openat) goto allow else goto deny`, `return ERRNO(1)`, labels `name:`, syscall
// names (resolved for the arch the program has checked, or `arch.name`), ARCH_* constants.
// Assemble(Disassemble(p, {.asm_able = true})) == p, but for fields the kernel ignores and the
// listing does not show (jt and jf outside conditional jumps, k where there is no constant).
Result<bpf::Program> Assemble(std::string_view text, std::string_view filename = "<input>",
                              std::optional<Arch> arch = std::nullopt);

}  // namespace sysgate::analysis
