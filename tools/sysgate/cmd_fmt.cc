// sysgate fmt: lay out a policy file in sysgate's language canonically, keeping its comments,
// include lines and line breaks (lang/source_format.h).
#include <algorithm>

#include <fmt/format.h>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "lang/source_format.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::vector<std::string> files;
  InputOptions input;
  bool in_place = false;
  bool check = false;
};

// One file laid out, checked (--check) or rewritten (-i).
int FormatOne(const Options& o, const std::string& file) {
  // Read as every command reads it (includes, -D), so that only a valid policy is laid out.
  formats::Imported r = LoadAndReport(file, o.input, /*quiet_warnings=*/true);
  if (!r.ok()) return kExitInvalid;
  const std::string name = file == "-" ? "<stdin>" : file;
  if (r.format != formats::Format::kSysgate) {
    PrintError(fmt::format(
        "{}: fmt lays out policies in sysgate's language, and this is {} ('sysgate convert {} "
        "--to sysgate' writes it in sysgate's)",
        name, formats::FormatName(r.format), file));
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
    PrintError(fmt::format(
        "internal error: the laid-out {} would mean something else; nothing was written", name));
    return kExitInvalid;
  }
  if (o.check) {
    if (source == text) return kExitOk;
    PrintError(name + " is not laid out canonically (run sysgate fmt -i)");
    return kExitInvalid;
  }
  if (o.in_place && source == text) return kExitOk;  // the file untouched: its time and inode kept
  if (auto w = WriteOutput(o.in_place ? file : "-", text); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  return kExitOk;
}

int Run(const Options& o) {
  if (o.in_place && std::ranges::find(o.files, "-") != o.files.end()) {
    PrintError("fmt -i rewrites a file: standard input has none");
    return kExitUsage;
  }
  if (o.files.size() > 1 && !o.in_place && !o.check) {
    PrintError("fmt prints one file; several are for -i or --check");
    return kExitUsage;
  }
  int rc = kExitOk;
  for (const std::string& f : o.files)
    rc = std::max(rc, FormatOne(o, f));  // every file, then the verdict
  return rc;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("file", opts->files, "Policy files in sysgate's language ('-': standard input)")
      ->required();
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("-i,--in-place", opts->in_place, "Rewrite the file");
  cmd->add_flag("--check", opts->check, "Exit 1 if the file is not laid out canonically");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "fmt",
     .order = 40,
     .description = "Lay out a policy file canonically, keeping its comments",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
