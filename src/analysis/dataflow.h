// What is known at each instruction of a program: which arch it is checking (after
// `if (A == ARCH_X)`), and what A holds (the syscall number, the arch, an argument word).
// The disassembler uses it to print syscall names; the assembler to resolve them.
#pragma once

#include <optional>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/bpf.h"

namespace sysgate::analysis {

struct InsnContext {
  enum class A : uint8_t { kUnknown, kNr, kArch, kArgLo, kArgHi, kIpLo, kIpHi };
  bool reachable = false;
  std::optional<Arch> arch;  // for x86_64's audit value: x86_64 (x32 numbers are told apart)
  // The byte order of seccomp_data here: known when every arch that reaches this instruction
  // has the same (code is shared between arches when it is identical).
  std::optional<Endian> endian;
  A a = A::kUnknown;
  int arg = 0;  // for kArgLo/kArgHi
};

// `fallback` is the arch assumed before any arch check (for byte order and names).
std::vector<InsnContext> AnalyzeContexts(const bpf::Program& prog, std::optional<Arch> fallback);

// What A holds after loading the word at `offset` of seccomp_data on an arch of this byte order.
InsnContext::A ContentAt(uint32_t offset, Endian endian, int* arg);

}  // namespace sysgate::analysis
