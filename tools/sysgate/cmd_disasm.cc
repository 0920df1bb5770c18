// sysgate disasm: a BPF file (raw or hex) as a readable listing, or (--asm-able) as text that
// `sysgate asm` reads back.
#include <iostream>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/analysis.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string file;
  std::string arch;
  bool asm_able = false;
};

int Run(const Options& o) {
  analysis::DisasmOptions d;
  if (!o.arch.empty()) {
    auto a = ParseArchOption(o.arch);
    if (!a) return kExitUsage;
    d.arch = *a;
  }
  d.asm_able = o.asm_able;
  std::optional<bpf::Program> prog = ReadBpfToLoad(o.file, Unloadable::kWarn);
  if (!prog) return kExitInvalid;
  std::cout << analysis::Disassemble(*prog, d);
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("file", opts->file, "Raw BPF (struct sock_filter array) or hex text")->required();
  cmd->add_option("-a,--arch", opts->arch, "Arch assumed before the program checks it");
  cmd->add_flag("--asm-able", opts->asm_able, "Print text that `sysgate asm` reads back");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "disasm",
                                  .order = 80,
                                  .description = "Disassemble a seccomp BPF program",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
