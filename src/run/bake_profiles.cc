// sysgate_bake OUT.inc: compiles every built-in profile as a run installs it (for the build
// host's arches; with errno verdicts routed to the supervisor, and as it is without one),
// checks each program against its policy, and writes them as C++ arrays for
// baked_profiles.cc. Run by the build; a profile that does not parse, compile or verify fails
// the build.
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "supervise/policy_supervisor.h"
#include "sysgate/compiler.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace {

using namespace sysgate;

std::string Identifier(std::string_view name) {
  std::string id;
  for (char c : name) id += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return id;
}

// The program `policy` compiles to, as C++; empty if it fails to compile or verify.
std::string ProgramArray(const std::string& id, const Policy& policy, std::string_view what) {
  auto prog = Compile(policy);
  if (!prog) {
    std::cerr << "sysgate_bake: " << what << ": " << prog.error().ToString() << "\n";
    return {};
  }
  std::string out = fmt::format("inline constexpr bpf::Insn {}[] = {{\n", id);
  for (const bpf::Insn& i : *prog) {
    out += fmt::format("    {{0x{:02x}, {}, {}, 0x{:x}}},\n", i.code, i.jt, i.jf, i.k);
  }
  return out + "};\n";
}

bool Bake(std::string_view name, std::string* out, std::string* table) {
  ParsedPolicy parsed = ParseBuiltinProfile(name);
  if (!parsed.ok()) {
    std::cerr << parsed.RenderDiagnostics(false);
    return false;
  }
  const Policy& policy = *parsed.policy;
  if (!policy.access.empty() || policy.access.best_effort) {
    // A baked profile runs as its program alone (run::Filter::Builtin makes no ruleset).
    std::cerr << "sysgate_bake: built-in profile " << name
              << " has fs, net or scope rules, which a baked profile cannot carry\n";
    return false;
  }
  const std::string id = Identifier(name);
  std::string supervised = ProgramArray("kSupervised_" + id, supervise::RouteForReports(policy),
                                        fmt::format("{} (supervised)", name));
  std::string unsupervised = ProgramArray("kUnsupervised_" + id, policy, name);
  if (supervised.empty() || unsupervised.empty()) return false;

  *out += supervised + unsupervised;
  *out += fmt::format("inline constexpr ActionKind kActions_{}[] = {{", id);
  for (ActionKind k : policy.ActionKinds())
    *out += fmt::format("ActionKind{{{}}}, ", static_cast<int>(k));
  *out += "};\n\n";
  *table += fmt::format("    {{\"{}\", kSupervised_{}, kUnsupervised_{}, kActions_{}}},\n", name,
                        id, id, id);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: sysgate_bake OUT.inc\n";
    return 2;
  }
  std::string out =
      "// GENERATED at build time by sysgate_bake (src/run/bake_profiles.cc); do not edit.\n"
      "// Included once, by src/run/baked_profiles.cc.\n\n";
  std::string table;
  const auto names = BuiltinProfileNames();
  for (std::string_view name : names) {
    if (!Bake(name, &out, &table)) return 1;
  }
  out +=
      fmt::format("inline constexpr std::array<BakedProfile, {}> kBakedProfiles = {{{{\n{}}}}};\n",
                  names.size(), table);
  // Rewritten only when it changed, so that an unchanged bake rebuilds nothing.
  std::ifstream old(argv[1]);
  std::stringstream have;
  have << old.rdbuf();
  if (old && have.str() == out) return 0;
  std::ofstream f(argv[1], std::ios::trunc);
  f << out;
  f.close();
  if (!f) {
    std::cerr << "sysgate_bake: cannot write " << argv[1] << "\n";
    return 1;
  }
  return 0;
}
