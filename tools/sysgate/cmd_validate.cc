// sysgate validate: check policy files and print their diagnostics.
#include <iostream>

#include <fmt/format.h>

#include "cli_util.h"
#include "commands.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::vector<std::string> files;
  InputOptions input;
  bool werror = false;
  bool quiet = false;
};

int Run(const Options& o) {
  int rc = kExitOk;
  for (const std::string& f : o.files) {
    formats::Imported r = LoadAndReport(f, o.input, o.quiet, {}, /*show_notes=*/true);
    bool warned = std::ranges::any_of(
        r.diagnostics, [](const Diagnostic& d) { return d.severity == Severity::kWarning; });
    if (!r.ok() || (o.werror && warned)) {
      rc = kExitInvalid;
    } else if (!o.quiet) {
      const AccessRules& a = r.policy->access;
      std::string access;  // the fs, net and scope part, when there is one
      if (!a.empty()) {
        access = fmt::format("; {} fs path{}, {} net port rule{}{}", a.paths.size(),
                             a.paths.size() == 1 ? "" : "s", a.ports.size(),
                             a.ports.size() == 1 ? "" : "s", a.scoped ? ", scoped" : "");
      }
      std::cerr << fmt::format("{}: ok ({} rule{}{})\n", f == "-" ? "<stdin>" : f,
                               r.policy->rules.size(), r.policy->rules.size() == 1 ? "" : "s",
                               access);
    }
  }
  return rc;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("file", opts->files, "Policy files")->required();
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("--Werror", opts->werror, "Treat warnings as errors");
  cmd->add_flag("-q,--quiet", opts->quiet, "Print errors only");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "validate",
                                  .order = 30,
                                  .description = "Check policy files; exit 1 on errors",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
