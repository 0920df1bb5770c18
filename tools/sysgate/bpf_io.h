// Reading and writing BPF program files in the CLI: raw (struct sock_filter array), hex text,
// or the assembler's text, detected by content.
#pragma once

#include <string>

#include "sysgate/bpf.h"

namespace sysgate::cli {

enum class BpfFormat { kRaw, kHex, kC, kDisasm, kAsm };
Result<BpfFormat> ParseBpfFormat(const std::string& name);  // raw, hex, c, disasm, asm

// Reads a file of raw BPF (or hex text, detected); prints nothing.
Result<bpf::Program> ReadBpfFile(const std::string& path);
Result<std::string> ReadFile(const std::string& path);
// Writes `bytes` to path, or stdout for "-".
Result<void> WriteOutput(const std::string& path, const std::string& bytes);

}  // namespace sysgate::cli
