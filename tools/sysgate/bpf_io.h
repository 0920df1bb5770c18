// Reading and writing BPF program files in the CLI: raw (struct sock_filter array), hex text,
// or the assembler's text, detected by content.
#pragma once

#include <string>

#include <optional>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/bpf.h"

namespace sysgate::cli {

enum class BpfFormat { kRaw, kHex, kC, kDisasm, kAsm };
Result<BpfFormat> ParseBpfFormat(const std::string& name);  // raw, hex, c, disasm, asm

// The program in `format` (listings assume `arch` before the program checks it).
std::string RenderBpf(const bpf::Program& prog, BpfFormat format,
                      std::optional<Arch> arch = std::nullopt);

// Reads a file of raw BPF (or hex text, detected); prints nothing.
Result<bpf::Program> ReadBpfFile(const std::string& path);
// Reads one program or several: raw BPF, hex text, or the listing `sysgate disasm` and
// `sysgate dump` print (its CODE JT JF K columns; `# filter` lines start the next program).
Result<std::vector<bpf::Program>> ReadBpfFilters(const std::string& path);
// The filter numbered `filter` (1-based; 0: the only one) of ReadBpfFilters(path); an error
// (ErrorCode::kInvalidArgument, for a usage message) when there are several and none is chosen.
Result<bpf::Program> ReadBpfFilter(const std::string& path, size_t filter);
// Writes `bytes` to path, or stdout for "-" (flushed: a full disk is an error here). A regular
// file is replaced whole (a temporary file beside it, renamed over it), so that a full disk, a
// size limit or a kill leaves the old contents, never part of the new (`fmt -i`, `learn
// --merge p.sgp -o p.sgp`); it keeps its mode, and its owner where we may set it; a symlink
// is followed. A file we may not write is refused as before; a device or fifo is written to.
Result<void> WriteOutput(const std::string& path, const std::string& bytes);

}  // namespace sysgate::cli
