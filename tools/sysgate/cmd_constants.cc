// sysgate constants: the values of named constants per ABI, from each ABI's own C headers (what
// policies and `-D` may use in conditions).
//   sysgate constants CLONE_NEWUSER          -> 268435456 (0x10000000)  on every ABI
//   sysgate constants O_DIRECTORY            -> one line per value, with the ABIs that have it
//   sysgate constants -a mips EAGAIN         -> 11 on mips
//   sysgate constants 'PR_SET_*'             -> every constant with that prefix
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "cli_util.h"
#include "commands.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string arch;  // empty: every ABI
  std::vector<std::string> names;
  bool json = false;
};

// One value of a constant and the ABIs whose headers give it that value.
struct ValueOnAbis {
  int64_t value;
  std::vector<Arch> abis;
};

std::vector<ValueOnAbis> ValuesOf(std::string_view name, std::span<const Arch> abis) {
  std::vector<ValueOnAbis> out;
  for (Arch a : abis) {
    auto v = FindConstant(a, name);
    if (!v) continue;
    auto it = std::ranges::find(out, *v, &ValueOnAbis::value);
    if (it == out.end()) {
      out.push_back({*v, {a}});
    } else {
      it->abis.push_back(a);
    }
  }
  return out;
}

// 268435456 (0x10000000): errnos read in decimal, flags in hex. Small and negative values
// in decimal only.
std::string FormatValue(int64_t v) {
  if (v < 10) return fmt::format("{}", v);
  return fmt::format("{} ({:#x})", v, v);
}

std::string AbiList(const std::vector<Arch>& abis, size_t all) {
  if (abis.size() == all && all > 1) return "every ABI";
  std::string s;
  for (Arch a : abis) s += (s.empty() ? "" : " ") + std::string(Info(a).name);
  return s;
}

// The names a query means: itself, or with a trailing '*' every constant with that prefix.
std::vector<std::string_view> Expand(std::string_view query,
                                     const std::vector<std::string_view>& all) {
  if (!query.ends_with('*')) {
    auto it = std::ranges::lower_bound(all, query);
    if (it != all.end() && *it == query) return {*it};
    return {};
  }
  std::string_view prefix = query.substr(0, query.size() - 1);
  std::vector<std::string_view> out;
  for (std::string_view n : all) {
    if (n.starts_with(prefix)) out.push_back(n);
  }
  return out;
}

int Run(const Options& o) {
  std::vector<Arch> abis;
  if (o.arch.empty()) {
    abis.assign(AllArches().begin(), AllArches().end());
  } else {
    auto arch = ParseArchOption(o.arch);
    if (!arch) return kExitUsage;
    abis = {*arch};
  }
  const std::vector<std::string_view> all = ConstantNames();
  nlohmann::json items = nlohmann::json::array();
  int rc = kExitOk;
  for (const std::string& q : o.names) {
    std::vector<std::string_view> names = Expand(q, all);
    if (names.empty()) {
      std::string msg = q.ends_with('*')
                            ? fmt::format("no constant starts with '{}'",
                                          base::Abbreviate(q.substr(0, q.size() - 1)))
                            : fmt::format("unknown constant '{}'", base::Abbreviate(q));
      if (!q.ends_with('*')) {
        if (auto m = base::ClosestMatch(q, all)) msg += fmt::format("; did you mean '{}'?", *m);
      }
      PrintError(msg);
      rc = kExitInvalid;
      continue;
    }
    size_t shown = 0;
    for (std::string_view name : names) {
      std::vector<ValueOnAbis> values = ValuesOf(name, abis);
      if (values.empty()) continue;  // a constant of other ABIs only
      ++shown;
      if (o.json) {
        nlohmann::json vs = nlohmann::json::array();
        for (const ValueOnAbis& v : values) {
          nlohmann::json names_of_abis = nlohmann::json::array();
          for (Arch a : v.abis) names_of_abis.push_back(Info(a).name);
          vs.push_back({{"value", v.value}, {"abis", names_of_abis}});
        }
        items.push_back({{"name", name}, {"values", vs}});
        continue;
      }
      for (const ValueOnAbis& v : values) {
        std::cout << fmt::format("{:<24} {:<28} on {}\n", name, FormatValue(v.value),
                                 AbiList(v.abis, abis.size()));
      }
    }
    if (shown == 0) {  // every name the query means belongs to other ABIs
      PrintError(fmt::format("{} {} on {}", base::Abbreviate(q),
                             q.ends_with('*') ? "matches no constant" : "has no value",
                             Info(abis[0]).name));
      rc = kExitInvalid;
    }
  }
  if (o.json) std::cout << nlohmann::json{{"constants", items}}.dump(2) << "\n";
  return rc;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("name", opts->names,
                  "Constant names (CLONE_NEWUSER), or a prefix and * (PR_SET_*)")
      ->required();
  cmd->add_option("-a,--arch", opts->arch,
                  "Only this architecture (x86_64, i386, aarch64, ...; native)");
  cmd->add_flag("--json", opts->json, "Print JSON");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "constants",
                                  .order = 20,
                                  .description = "Show the values of named constants per ABI",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
