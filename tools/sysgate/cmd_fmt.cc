// sysgate fmt: lay out a policy file in sysgate's language canonically, keeping its comments,
// include lines and line breaks (lang/source_format.h).
#include <fmt/format.h>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "lang/source_format.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string file;
  InputOptions input;
  bool in_place = false;
  bool check = false;
};

int Run(const Options& o) {
  if (o.in_place && o.file == "-") {
    PrintError("fmt -i rewrites a file: standard input has none");
    return kExitUsage;
  }
  // Read as every command reads it (includes, -D), so that only a valid policy is laid out.
  formats::Imported r = LoadAndReport(o.file, o.input, /*quiet_warnings=*/true);
  if (!r.ok()) return kExitInvalid;
  const std::string name = o.file == "-" ? "<stdin>" : o.file;
  if (r.format != formats::Format::kSysgate) {
    PrintError(fmt::format("{}: fmt lays out policies in sysgate's language, and this is {} ('sysgate convert {} "
                           "--to sysgate' writes it in sysgate's)",
                           name, formats::FormatName(r.format), o.file));
    return kExitInvalid;
  }
  const std::string& source = r.sources.at(name);
  std::string text = lang::FormatSource(source);
  // Only blanks changed, so the policy must read back the same: checked before anything is
  // written, as gofmt checks its output.
  Result<CheckedInput> checked = CheckInputOptions(o.input);
  if (!checked) return kExitInvalid;  // LoadAndReport has said why
  checked->import.filename = name;
  formats::Imported again = formats::Import(text, formats::Format::kSysgate, checked->import);
  if (!again.ok() || !(*again.policy == *r.policy)) {
    PrintError(fmt::format("internal error: the laid-out {} would mean something else; nothing was written", name));
    return kExitInvalid;
  }
  if (o.check) {
    if (source == text) return kExitOk;
    PrintError(name + " is not laid out canonically (run sysgate fmt -i)");
    return kExitInvalid;
  }
  if (o.in_place && source == text) return kExitOk;  // the file untouched: its time and inode kept
  if (auto w = WriteOutput(o.in_place ? o.file : "-", text); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  return kExitOk;
}

}  // namespace

void RegisterFmt(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("fmt", "Lay out a policy file canonically, keeping its comments");
  cmd->add_option("file", opts->file, "Policy file in sysgate's language ('-': standard input)")->required();
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("-i,--in-place", opts->in_place, "Rewrite the file");
  cmd->add_flag("--check", opts->check, "Exit 1 if the file is not laid out canonically");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace sysgate::cli
