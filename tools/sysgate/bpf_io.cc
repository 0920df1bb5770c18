#include "bpf_io.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "base/files.h"
#include "sysgate/analysis.h"

namespace sysgate::cli {

Result<BpfFormat> ParseBpfFormat(const std::string& name) {
  if (name == "raw" || name == "bpf") return BpfFormat::kRaw;
  if (name == "hex") return BpfFormat::kHex;
  if (name == "c") return BpfFormat::kC;
  if (name == "disasm") return BpfFormat::kDisasm;
  if (name == "asm") return BpfFormat::kAsm;
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("unknown output format '{}' (raw, hex, c, disasm, asm)", name));
}

std::string RenderBpf(const bpf::Program& prog, BpfFormat format, std::optional<Arch> arch) {
  switch (format) {
    case BpfFormat::kRaw: return bpf::EncodeRaw(prog);
    case BpfFormat::kHex: return bpf::EncodeHex(prog);
    case BpfFormat::kC: return bpf::EncodeC(prog);
    case BpfFormat::kDisasm: return analysis::Disassemble(prog, {.arch = arch});
    case BpfFormat::kAsm: return analysis::Disassemble(prog, {.arch = arch, .asm_able = true});
  }
  return {};
}

Result<bpf::Program> ReadBpfFile(const std::string& path) {
  auto bytes = base::ReadFile(path);
  if (!bytes) return bytes.error();
  // Hex text ("0x20 0x00 0x00 0x00000004" lines) is told apart by its first bytes.
  if (bytes->starts_with("0x")) {
    auto p = bpf::DecodeHex(*bytes);
    if (!p) {
      Error e = p.error();
      e.loc.file = path;
      return e;
    }
    return p;
  }
  auto p = bpf::DecodeRaw(*bytes);
  if (!p) {
    Error e = p.error();
    e.message = path + ": " + e.message;
    return e;
  }
  return p;
}

Result<void> WriteOutput(const std::string& path, const std::string& bytes) {
  if (path == "-" || path.empty()) {
    if (isatty(STDOUT_FILENO) && bytes.find('\0') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "not writing binary BPF to a terminal: use -o FILE or -f hex|c|disasm");
    }
    std::cout.flush();  // what the command printed before comes first
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SystemError("cannot write to standard output", errno);
      done += static_cast<size_t>(n);
    }
    return {};
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  out.close();
  if (!out) return SystemError("cannot write " + path, errno);
  return {};
}

}  // namespace sysgate::cli
