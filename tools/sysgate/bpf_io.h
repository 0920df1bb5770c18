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

// What a command does with a program the kernel would refuse to load (analysis::VerifyLoadable).
enum class Unloadable {
  kRefuse,  // an error: check, stats and asm work on programs that could be installed
  kWarn,    // a warning, then on: disasm shows any program, to see what is wrong with it
};
// Whether the command goes on with `prog`. A program the kernel would refuse is said on
// stderr: "the kernel would refuse this program: WHY", an error (false) or a warning (true)
// as `unloadable` says.
bool AcceptLoadable(const bpf::Program& prog, Unloadable unloadable);
// ReadBpfFile(path), then AcceptLoadable; none after the error is printed.
std::optional<bpf::Program> ReadBpfToLoad(const std::string& path, Unloadable unloadable);
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
