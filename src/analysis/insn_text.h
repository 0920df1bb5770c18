// One instruction in the disassembler's words, with the names what is known there allows
// (syscall names once the arch is checked, ARCH_* constants, args[N]): for the listing and
// for `sysgate graph`'s nodes and edges.
#pragma once

#include <string>

#include "analysis/dataflow.h"
#include "sysgate/bpf.h"

namespace sysgate::analysis {

// A statement or a return: "A = args[1]", "mem[0] = A", "return ERRNO(1)".
std::string StatementText(const bpf::Insn& insn, const InsnContext& context);
// The condition of a conditional jump, as taken (`negated`: as not taken): "A == openat",
// "A & 0x8".
std::string ConditionText(const bpf::Insn& insn, const InsnContext& context, bool negated);

}  // namespace sysgate::analysis
