// sysgate compile: a policy to a BPF program, checked against the policy (translation
// validation) unless --no-verify.
//   sysgate compile web.sgp -o web.bpf               # raw struct sock_filter array
//   sysgate compile web.sgp -f disasm                # readable listing
#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string policy;
  std::string output = "-";
  std::vector<std::string> formats;  // -f: output encodings and/or the input format
  std::vector<std::string> arches;
  InputOptions input;
  std::string freq;
  bool no_verify = false;
  bool quiet = false;
};

int Run(Options o) {
  // -f takes the output encoding (raw, hex, c, disasm, asm) or the policy's format (oci, ...):
  // the two sets of names do not overlap, so `-f oci -f disasm` says both.
  std::string encoding;
  for (const std::string& f : o.formats) {
    if (formats::FormatFromName(f))
      o.input.format = f;
    else
      encoding = f;
  }
  formats::Imported r = LoadAndReport(o.policy, o.input, /*quiet_warnings=*/o.quiet, o.arches);
  if (!r.ok()) return kExitInvalid;
  Policy& policy = *r.policy;
  if (!OverrideArches(policy, o.arches)) return kExitUsage;
  if (!o.arches.empty() && !ValidForNewArches(policy, r.sources, o.quiet)) return kExitInvalid;
  if (!o.quiet && !policy.access.empty()) {
    std::cerr << "sysgate: note: the BPF program is the syscall filter alone: the policy's fs, net "
                 "and scope rules are applied by sysgate run and ApplyToThisProcess "
                 "(docs/landlock.md)\n";
  }
  std::string fmt_name = encoding;
  if (fmt_name.empty()) fmt_name = (o.output == "-" && isatty(STDOUT_FILENO)) ? "disasm" : "raw";
  auto format = ParseBpfFormat(fmt_name);
  if (!format) {
    PrintError(format.error().message);
    return kExitUsage;
  }
  CompileOptions copts;
  copts.verify = false;  // verified below, to say on how many inputs (or not: --no-verify)
  if (!o.freq.empty() && !LoadFrequencies(o.freq, copts.frequencies)) return kExitInvalid;
  auto prog = Compile(policy, copts);
  if (!prog) {
    PrintError(prog.error().ToString());
    return kExitInvalid;
  }
  std::string verified = "not verified (--no-verify)";
  if (!o.no_verify) {
    auto report = analysis::VerifyTranslation(policy, *prog);
    if (!report) {
      PrintError(report.error().ToString() + " (this is a sysgate bug; please report it)");
      return kExitInvalid;
    }
    verified = fmt::format("verified against the policy on {} inputs", report->inputs);
  }
  if (auto w = WriteOutput(o.output, RenderBpf(*prog, *format, std::nullopt)); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  if (!o.quiet) {
    std::vector<std::string_view> names;
    for (Arch a : policy.TargetArches()) names.push_back(Info(a).name);
    std::cerr << fmt::format("sysgate: {} instructions for {}; {}\n", prog->size(),
                             fmt::join(names, ", "), verified);
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("policy", opts->policy, "Policy file")->required();
  cmd->add_option("-o,--output", opts->output, "Output file (default: stdout)");
  cmd->add_option("-f,--format", opts->formats,
                  "Output encoding: raw (struct sock_filter array), hex, c, disasm, asm (default: "
                  "raw, or disasm on a terminal); or the policy's format (" +
                      formats::FormatNames(false) + "); repeat for both")
      ->allow_extra_args(false);
  cmd->add_option("-a,--arch", opts->arches,
                  "Target arches, comma-separated or repeated (replaces the policy's)")
      ->delimiter(',')
      ->allow_extra_args(false);
  AddInputOptions(cmd, opts->input, "--from");
  cmd->add_option("--freq", opts->freq,
                  "Syscall frequencies ('name count' lines or strace -c output): lay the dispatch "
                  "out for this mix");
  cmd->add_flag("--no-verify", opts->no_verify, "Skip translation validation");
  cmd->add_flag("-q,--quiet", opts->quiet, "Print errors only");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "compile",
                                  .order = 70,
                                  .description = "Compile a policy to seccomp BPF",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
