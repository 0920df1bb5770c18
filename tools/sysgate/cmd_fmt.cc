// sysgate fmt: print a policy in canonical form (includes expanded).
#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string file;
  InputOptions input;
  bool in_place = false;
  bool check = false;
};

int Run(const Options& o) {
  formats::Imported r = LoadAndReport(o.file, o.input, /*quiet_warnings=*/true);
  if (!r.ok()) return kExitInvalid;
  // The -D constants are the program's to give, not the policy's: not written into it.
  for (const std::string& name : DefinedNames(o.input)) {
    std::erase_if(r.policy->constants, [&](const NamedConstant& c) { return c.name == name; });
  }
  std::string text = PrintPolicy(*r.policy);
  if (o.check) {
    if (r.sources[o.file] == text) return kExitOk;
    PrintError(o.file + " is not in canonical form (run sysgate fmt -i)");
    return kExitInvalid;
  }
  if (auto w = WriteOutput(o.in_place ? o.file : "-", text); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  return kExitOk;
}

}  // namespace

void RegisterFmt(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("fmt", "Print a policy in canonical form");
  cmd->add_option("file", opts->file, "Policy file")->required();
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("-i,--in-place", opts->in_place, "Rewrite the file");
  cmd->add_flag("--check", opts->check, "Exit 1 if the file is not in canonical form");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace sysgate::cli
