// sysgate convert: a policy from one format to another, checked: the written text is read back
// and must give the same verdicts as the policy read (on the boundary inputs of both).
//   sysgate convert docker.json --to sysgate            # Docker profile, resolved for this host
//   sysgate convert web.sgp --to oci -o seccomp.json    # for runc/crun/Docker/Podman
//   sysgate convert unit.conf -f systemd --to spo --name web
#include <iostream>

#include <fmt/format.h>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/analysis.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string input;
  std::string output = "-";
  std::string to;
  std::vector<std::string> arches;
  InputOptions in;
  std::string name;
  std::vector<std::string> flags;
  std::string listener_path;
  std::string listener_metadata;
  bool no_verify = false;
  bool quiet = false;
  bool strict = false;
  bool widen = false;
};

std::optional<formats::Format> OutputFormat(const Options& o) {
  if (!o.to.empty()) return formats::FormatFromName(o.to);
  std::string_view out = o.output;
  if (out.ends_with(".json")) return formats::Format::kOci;
  if (out.ends_with(".yaml") || out.ends_with(".yml")) return formats::Format::kSpo;
  if (out.ends_with(".sgp")) return formats::Format::kSysgate;
  if (out.ends_with(".conf") || out.ends_with(".service")) return formats::Format::kSystemd;
  return std::nullopt;
}

void Report(const std::vector<Diagnostic>& d, bool quiet) {
  std::vector<Diagnostic> shown;
  for (const Diagnostic& x : d) {
    if (!quiet || x.severity == Severity::kError) shown.push_back(x);
  }
  std::cerr << RenderDiagnostics(shown, {}, ColorStderr());
}

int Run(const Options& o) {
  auto to = OutputFormat(o);
  if (!to) {
    PrintError(o.to.empty()
                   ? "say which format to write: --to " + formats::FormatNames(true)
                   : "--to: unknown format '" + o.to + "' (" + formats::FormatNames(true) + ")");
    return kExitUsage;
  }
  if (o.widen && *to != formats::Format::kSystemd) {
    PrintError(
        fmt::format("--widen is for --to systemd, whose filter cannot test arguments; {} can say "
                    "the policy as it is, or refuses with the rule it cannot say",
                    formats::FormatName(*to)));
    return kExitUsage;
  }
  if (!formats::CanWrite(*to)) {
    PrintError(fmt::format("sysgate does not write {} policies (writable: {})",
                           formats::FormatName(*to), formats::FormatNames(true)));
    return kExitUsage;
  }
  formats::Imported r = LoadAndReport(o.input, o.in, o.quiet, o.arches);
  if (!r.ok()) return kExitInvalid;
  Policy& policy = *r.policy;
  if (!OverrideArches(policy, o.arches)) return kExitUsage;
  if (!o.arches.empty() && !ValidForNewArches(policy, r.sources, o.quiet)) return kExitInvalid;
  formats::ExportOptions eo;
  eo.runtime = r.runtime;
  if (!o.flags.empty()) eo.runtime.flags = o.flags;
  if (!o.listener_path.empty()) eo.runtime.listener_path = o.listener_path;
  if (!o.listener_metadata.empty()) eo.runtime.listener_metadata = o.listener_metadata;
  eo.section = o.name;
  eo.strict = o.strict;
  eo.widen = o.widen;
  formats::Exported e =
      o.widen ? analysis::ExportWidened(policy, *to, eo) : formats::Export(policy, *to, eo);
  Report(e.diagnostics, o.quiet);
  if (!e.text) return kExitInvalid;
  std::string verified = "not verified (--no-verify)";
  if (!o.no_verify) {
    Result<analysis::TranslationReport> same =
        analysis::VerifyConversion(*e.means, *e.text, *to, o.name);
    if (!same) {
      PrintError(same.error().message + " (this is a sysgate bug; please report it)");
      return kExitInvalid;
    }
    verified = fmt::format("verified on {} inputs", same->inputs);
  }
  if (auto w = WriteOutput(o.output, *e.text); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  if (!o.quiet) {
    std::cerr << fmt::format("sysgate: {} -> {}: {} rules; {}\n", o.input, formats::FormatName(*to),
                             policy.rules.size(), verified);
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("input", opts->input, "Policy file")->required();
  cmd->add_option("-o,--output", opts->output, "Output file (default: stdout)");
  cmd->add_option(
      "-t,--to", opts->to,
      "Output format: " + formats::FormatNames(true) + " (default: from the -o extension)");
  cmd->add_option("-a,--arch", opts->arches, "Target arches (replaces the policy's)")
      ->delimiter(',')
      ->allow_extra_args(false);
  AddInputOptions(cmd, opts->in);
  cmd->add_option("--name", opts->name, "Firecracker thread category / SPO metadata.name to write");
  cmd->add_option("--flag", opts->flags, "OCI flags (SECCOMP_FILTER_FLAG_TSYNC, ...)")
      ->delimiter(',');
  cmd->add_option("--listener-path", opts->listener_path, "OCI listenerPath");
  cmd->add_option("--listener-metadata", opts->listener_metadata, "OCI listenerMetadata");
  cmd->add_flag(
      "--strict-access", opts->strict,
      "Refuse, rather than drop or widen, fs/net/scope rules the output format cannot say exactly");
  cmd->add_flag(
      "--widen", opts->widen,
      "systemd: allow more where the unit cannot say a rule (argument conditions, per-call "
      "errnos), with a warning for each syscall, instead of refusing");
  cmd->add_flag("--no-verify", opts->no_verify, "Skip reading the output back");
  cmd->add_flag("-q,--quiet", opts->quiet, "Print errors only");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "convert",
                                  .order = 110,
                                  .description = "Convert a policy between formats",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
