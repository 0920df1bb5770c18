// sysgate lint: the bypass classes and traps a policy has (THREATS.md), each a named check.
//   sysgate lint web.sgp                            # text: file:line:col: severity: ... [id]
//   sysgate lint --json /usr/share/containers/seccomp.json
//   sysgate lint --sarif --error-on warning p.sgp   # for CI code scanning
//   sysgate lint --profile default                  # a built-in profile
//   sysgate lint --bpf filter.bpf                   # a BPF program, decompiled first
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/decompile.h"
#include "sysgate/lint.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string policy;
  std::string profile;
  std::string bpf;
  size_t filter = 0;
  InputOptions input;
  std::string arch;
  std::string error_on = "error";
  bool json = false;
  bool sarif = false;
  bool list = false;
};

// SARIF's and sysgate's names of severities are the same words.
std::string Level(Severity s) { return std::string(SeverityName(s)); }

std::optional<int> Rank(const std::string& name) {
  if (name == "error") return 0;
  if (name == "warning") return 1;
  if (name == "note") return 2;
  if (name == "none") return -1;
  return std::nullopt;
}

std::string Sarif(const std::string& path, const std::vector<analysis::LintFinding>& findings) {
  nlohmann::ordered_json rules = nlohmann::json::array();
  for (const analysis::LintCheck& c : analysis::LintChecks()) {
    rules.push_back({{"id", c.id},
                     {"shortDescription", {{"text", c.summary}}},
                     {"help", {{"text", c.fix}}},
                     {"defaultConfiguration", {{"level", Level(c.severity)}}}});
  }
  nlohmann::ordered_json results = nlohmann::json::array();
  auto checks = analysis::LintChecks();
  for (const analysis::LintFinding& f : findings) {
    nlohmann::ordered_json where = {
        {"artifactLocation", {{"uri", f.loc.file.empty() ? path : f.loc.file}}}};
    if (f.loc.line > 0) {
      where["region"] = {{"startLine", f.loc.line}};
      if (f.loc.column > 0) where["region"]["startColumn"] = f.loc.column;
    }
    results.push_back({{"ruleId", f.check->id},
                       {"ruleIndex", f.check - checks.data()},
                       {"level", Level(f.check->severity)},
                       {"message", {{"text", fmt::format("{}. Fix: {}", f.message, f.check->fix)}}},
                       {"locations", {{{"physicalLocation", where}}}}});
  }
  nlohmann::ordered_json run = {
      {"tool", {{"driver", {{"name", "sysgate"}, {"version", SYSGATE_VERSION}, {"rules", rules}}}}},
      {"results", results}};
  nlohmann::ordered_json log = {{"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
                                {"version", "2.1.0"},
                                {"runs", {run}}};
  return log.dump(2) + "\n";
}

std::string Json(const std::string& path, const std::vector<analysis::LintFinding>& findings) {
  nlohmann::ordered_json out = {{"policy", path}, {"findings", nlohmann::json::array()}};
  for (const analysis::LintFinding& f : findings) {
    nlohmann::ordered_json j = {{"id", f.check->id}, {"severity", Level(f.check->severity)}};
    j["file"] = f.loc.file.empty() ? path : f.loc.file;
    if (f.loc.line > 0) j["line"] = f.loc.line;
    if (f.loc.column > 0) j["column"] = f.loc.column;
    j["message"] = f.message;
    j["fix"] = f.check->fix;
    out["findings"].push_back(j);
  }
  return out.dump(2) + "\n";
}

std::string Text(const std::string& path, const std::vector<analysis::LintFinding>& findings) {
  std::string out;
  for (const analysis::LintFinding& f : findings) {
    std::string where = f.loc.file.empty() ? path : f.loc.ToString();
    out += fmt::format("{}: {}: {} [{}]\n    fix: {}\n", where, SeverityName(f.check->severity),
                       f.message, f.check->id, f.check->fix);
  }
  size_t counts[3] = {0, 0, 0};
  for (const analysis::LintFinding& f : findings) ++counts[static_cast<int>(f.check->severity)];
  if (findings.empty()) {
    out += fmt::format("{}: no findings ({} checks)\n", path, analysis::LintChecks().size());
  } else {
    out += fmt::format("{}: {} error{}, {} warning{}, {} note{}\n", path, counts[0],
                       counts[0] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s", counts[2],
                       counts[2] == 1 ? "" : "s");
  }
  return out;
}

// "instructions 12, 15": where the rule a finding concerns came from in a decompiled program.
std::string InsnText(const std::vector<int>& insns) {
  return fmt::format("instruction{} {}", insns.size() == 1 ? "" : "s", fmt::join(insns, ", "));
}

// Reads a BPF program (raw, hex, or a listing; `filter` of several) and decompiles it. The
// findings' rules are then named by the instructions they stand for (*insns, per rule).
std::optional<Policy> DecompiledPolicy(const Options& o, std::vector<std::vector<int>>* insns) {
  auto prog = ReadBpfFilter(o.bpf, o.filter);
  if (!prog) {
    PrintError(prog.error().ToString());
    return std::nullopt;
  }
  auto d = analysis::Decompile(*prog, {.name = o.bpf});
  if (!d) {
    PrintError(fmt::format("cannot decompile {}: {}", o.bpf, d.error().message));
    return std::nullopt;
  }
  *insns = d->rule_insns;
  return std::move(d->policy);
}

int Run(const Options& o) {
  if (o.list) {
    for (const analysis::LintCheck& c : analysis::LintChecks()) {
      std::cout << fmt::format("{:<26} {:<8} {}\n", c.id, SeverityName(c.severity), c.summary);
    }
    return kExitOk;
  }
  auto threshold = Rank(o.error_on);
  if (!threshold) {
    PrintError("--error-on: expected error, warning, note or none, not '" + o.error_on + "'");
    return kExitUsage;
  }
  if (!ExactlyOneSource({&o.policy, &o.profile, &o.bpf},
                        "a policy file, --profile NAME or --bpf FILE"))
    return kExitUsage;
  std::optional<Arch> host = ArchOrHost(o.arch);
  if (!host) return kExitUsage;
  std::optional<Policy> policy;
  std::string path = o.policy;
  bool listener = false;
  std::vector<std::vector<int>> rule_insns;  // a decompiled program's rules: their RETs
  if (!o.bpf.empty()) {
    policy = DecompiledPolicy(o, &rule_insns);
    if (!policy) return kExitInvalid;
    path = o.bpf;
  } else {
    PolicyChoice c = LoadPolicyOrProfile(o.policy, o.profile, o.input);
    if (!c.r.ok()) return c.usage ? kExitUsage : kExitInvalid;
    policy = std::move(c.r.policy);
    listener = !c.r.runtime.listener_path.empty();
    if (!o.profile.empty()) path = "profile:" + o.profile;
  }
  std::vector<analysis::LintFinding> findings = analysis::Lint(*policy, *host);
  if (!o.bpf.empty()) {
    // No source to point at: the rule's instructions, in the message and as the location.
    for (analysis::LintFinding& f : findings) {
      for (size_t i = 0; i < policy->rules.size(); ++i) {
        if (!f.loc.known() || policy->rules[i].loc.line != f.loc.line) continue;
        f.message = fmt::format("{} (the rule of {})", f.message, InsnText(rule_insns[i]));
      }
      f.loc = {};
    }
  }
  if (listener) {  // an OCI profile that names its supervisor
    std::erase_if(findings, [](const auto& f) { return f.check->id == "notify-without-listener"; });
  }
  std::string out = o.sarif  ? Sarif(path, findings)
                    : o.json ? Json(path, findings)
                             : Text(path, findings);
  std::cout << out;
  for (const analysis::LintFinding& f : findings) {
    if (static_cast<int>(f.check->severity) <= *threshold) return kExitInvalid;
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("policy", opts->policy, "Policy file (any format)");
  AddProfileOption(cmd, opts->profile);
  cmd->add_option("--bpf", opts->bpf,
                  "A BPF program instead (raw, hex or a dump listing), decompiled first");
  cmd->add_option("--filter", opts->filter, "With --bpf: which filter of a listing with several");
  cmd->add_option("-a,--arch", opts->arch, "The host the policy runs on (default: this one)");
  cmd->add_flag("--json", opts->json, "Print the findings as JSON");
  cmd->add_flag("--sarif", opts->sarif, "Print SARIF 2.1.0 (what CI code scanning reads)");
  cmd->add_option(
      "--error-on", opts->error_on,
      "Exit 1 on a finding of this severity or worse: error (default), warning, note, none");
  cmd->add_flag("--list", opts->list, "List the checks: id, severity, what each finds");
  AddInputOptions(cmd, opts->input);
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "lint",
     .order = 160,
     .description = "Find the bypasses and traps of a policy (named checks)",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
