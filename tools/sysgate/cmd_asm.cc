// sysgate asm: assemble the text form (as `sysgate disasm --asm-able` prints it) to BPF.
#include "base/files.h"
#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/analysis.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string file;
  std::string output = "-";
  std::string format = "raw";
  std::string arch;
};

int Run(const Options& o) {
  std::optional<Arch> arch;
  if (!o.arch.empty()) {
    arch = ParseArchOption(o.arch);
    if (!arch) return kExitUsage;
  }
  auto format = ParseBpfFormat(o.format);
  if (!format) {
    PrintError(format.error().message);
    return kExitUsage;
  }
  auto text = base::ReadFile(o.file);
  if (!text) {
    PrintError(text.error().ToString());
    return kExitInvalid;
  }
  auto prog = analysis::Assemble(*text, o.file, arch);
  if (!prog) {
    PrintError(prog.error().ToString());
    return kExitInvalid;
  }
  if (!AcceptLoadable(*prog, Unloadable::kRefuse)) return kExitInvalid;
  if (auto w = WriteOutput(o.output, RenderBpf(*prog, *format, arch)); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("file", opts->file, "Assembler text")->required();
  cmd->add_option("-o,--output", opts->output, "Output file (default: stdout)");
  cmd->add_option("-f,--format", opts->format, "raw (default), hex, c, disasm");
  cmd->add_option("-a,--arch", opts->arch, "Arch for syscall names before the program checks it");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "asm",
                                  .order = 90,
                                  .description = "Assemble BPF text to a program",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
