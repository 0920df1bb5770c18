// sysgate syscalls: resolve syscall names and numbers per arch, like scmp_sys_resolver.
//   sysgate syscalls --arch i386 execve          -> 11
//   sysgate syscalls --arch aarch64 56           -> openat
//   sysgate syscalls --signature openat          -> openat(fd:s32 dfd, ...)
//   sysgate syscalls --arch s390x --signature clone   -> clone(ulong:u64 newsp, flags:u64
//   clone_flags, ...) sysgate syscalls @io-uring                   -> the group's members on the
//   arch sysgate syscalls --groups                    -> every group sysgate syscalls --groups
//   openat             -> the groups that contain openat
#include <iostream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "cli_util.h"
#include "commands.h"
#include "policy/groups.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string arch = "native";
  std::vector<std::string> queries;
  bool json = false;
  bool signature = false;
  bool groups = false;
};

nlohmann::json SignatureJson(const Signature& sig) {
  nlohmann::json args = nlohmann::json::array();
  for (int i = 0; i < sig.nargs; ++i) {
    const ArgInfo& a = sig.args[static_cast<size_t>(i)];
    args.push_back({{"index", i},
                    {"name", a.name},
                    {"kind", ArgKindName(a.kind)},
                    {"bits", a.bits},
                    {"signed", a.is_signed}});
  }
  return args;
}

// A query that is a syscall number (`257`, `0x101`): its syscall on `arch`, or no name after
// the error is printed. `numeric` is false for any other query.
struct NumberQuery {
  bool numeric = false;
  int32_t nr = 0;
  std::optional<std::string_view> name;
};
NumberQuery ResolveNumber(const std::string& q, Arch arch) {
  NumberQuery out;
  auto num = SyscallNumberArg(q);
  if (!num) return out;
  out.numeric = true;
  if (!*num) {
    PrintError(num->error().message);
    return out;
  }
  out.nr = **num;
  out.name = SyscallName(arch, out.nr);
  if (!out.name) PrintError(fmt::format("no syscall has number {} on {}", q, Info(arch).name));
  return out;
}

// For each queried syscall (a name, or a number on `arch`), the groups that contain it.
int PrintGroupsOf(const Options& o, Arch arch) {
  const bool arch_given = o.arch != "native";  // else any ABI's names, as groups hold them
  nlohmann::json items = nlohmann::json::array();
  int rc = kExitOk;
  for (const std::string& q : o.queries) {
    std::string name = q;
    if (NumberQuery num = ResolveNumber(q, arch); num.numeric) {
      if (!num.name) {
        rc = kExitInvalid;
        continue;
      }
      name = *num.name;
    } else if (arch_given ? !SyscallNumber(arch, q) : !IsSyscallName(q)) {
      PrintError(NoSyscallMessage(q, arch));
      rc = kExitInvalid;
      continue;
    }
    std::vector<std::string_view> groups;
    for (const policy::SyscallGroup& g : policy::AllGroups()) {
      if (std::ranges::binary_search(g.members, std::string_view(name), {}, &SyscallNameText::view))
        groups.push_back(g.name);
    }
    if (o.json) {
      items.push_back({{"name", name}, {"groups", groups}});
    } else {
      std::cout << fmt::format(
          "{:<18} {}\n", name,
          groups.empty() ? "(in no group)" : fmt::format("{}", fmt::join(groups, " ")));
    }
  }
  if (o.json) std::cout << nlohmann::json{{"syscalls", items}}.dump(2) << "\n";
  return rc;
}

// Every group, with its description (and members, with --json).
int PrintAllGroups(const Options& o) {
  nlohmann::json items = nlohmann::json::array();
  for (const policy::SyscallGroup& g : policy::AllGroups()) {
    if (o.json) {
      items.push_back(
          {{"group", g.name},
           {"description", g.description},
           {"members", std::vector<std::string_view>(g.members.begin(), g.members.end())}});
    } else {
      std::cout << fmt::format("{:<18} {}\n", g.name, g.description);
    }
  }
  if (o.json) std::cout << nlohmann::json{{"groups", items}}.dump(2) << "\n";
  return kExitOk;
}

// A syscall in JSON: its name, number and, when known, its arguments.
nlohmann::json EntryJson(std::string_view name, int32_t nr) {
  nlohmann::json e = {{"name", name}, {"number", nr}};
  if (const Signature* s = FindSignature(name)) e["args"] = SignatureJson(*s);
  return e;
}

// One syscall of a list ("257\topenat"), or its entry in `items` with --json.
void ListEntry(const Options& o, std::string_view name, int32_t nr, nlohmann::json& items) {
  if (o.json) {
    items.push_back(EntryJson(name, nr));
  } else {
    std::cout << nr << "\t" << name << "\n";
  }
}

// The members of the group `q` ("@io-uring") that `arch` has; false after an error.
bool PrintGroupMembers(const Options& o, Arch arch, const std::string& q, nlohmann::json& items) {
  const policy::SyscallGroup* g = policy::FindGroup(q);
  if (!g) {
    std::string msg = fmt::format("unknown syscall group '{}'", q);
    if (auto m = base::ClosestMatch(q, policy::GroupNames()))
      msg += fmt::format("; did you mean '{}'?", *m);
    PrintError(msg);
    return false;
  }
  for (std::string_view m : g->members) {
    auto nr = SyscallNumber(arch, m);
    if (!nr) continue;
    ListEntry(o, m, *nr, items);
  }
  return true;
}

// The syscall that has the number `num` (its name, or signature); false after an error.
bool PrintNumbered(const Options& o, Arch arch, const NumberQuery& num, nlohmann::json& items) {
  if (!num.name) return false;
  const std::string_view name = *num.name;
  if (o.json) {
    items.push_back(EntryJson(name, num.nr));
  } else if (o.signature) {
    const Signature* s = FindSignature(arch, name);
    std::cout << (s ? FormatSignature(*s) : std::string(name) + "(?)") << "\n";
  } else {
    std::cout << name << "\n";
  }
  return true;
}

// The syscall named `q` (its number, or signature); false after an error.
bool PrintNamed(const Options& o, Arch arch, const std::string& q, nlohmann::json& items) {
  auto nr = SyscallNumber(arch, q);
  if (!nr) {
    PrintError(NoSyscallMessage(q, arch));
    return false;
  }
  if (o.json) {
    items.push_back(EntryJson(q, *nr));
  } else if (o.signature) {
    const Signature* s = FindSignature(arch, q);
    std::cout << (s ? FormatSignature(*s) : q + "(?): no prototype known") << "\n";
  } else {
    std::cout << *nr << "\n";
  }
  return true;
}

// What one query (@group, number or name) resolves to on `arch`; false after an error.
bool PrintQuery(const Options& o, Arch arch, const std::string& q, nlohmann::json& items) {
  if (q.starts_with("@")) return PrintGroupMembers(o, arch, q, items);
  if (NumberQuery num = ResolveNumber(q, arch); num.numeric)
    return PrintNumbered(o, arch, num, items);
  return PrintNamed(o, arch, q, items);
}

int Run(const Options& o) {
  auto arch = ParseArchOption(o.arch);
  if (!arch) return kExitUsage;
  if (o.groups && !o.queries.empty()) return PrintGroupsOf(o, *arch);
  if (o.groups) return PrintAllGroups(o);
  nlohmann::json out = {{"arch", Info(*arch).name}};
  nlohmann::json items = nlohmann::json::array();
  if (o.queries.empty()) {
    for (const SyscallEntry& e : Syscalls(*arch)) ListEntry(o, e.name, e.nr, items);
  }
  int rc = kExitOk;
  for (const std::string& q : o.queries) {
    if (!PrintQuery(o, *arch, q, items)) rc = kExitInvalid;
  }
  if (o.json) {
    out["syscalls"] = items;
    std::cout << out.dump(2) << "\n";
  }
  return rc;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("-a,--arch", opts->arch, "Architecture (x86_64, i386, aarch64, ...; native)");
  cmd->add_option("query", opts->queries, "Syscall names, numbers or @groups (none: list all)");
  cmd->add_flag("--json", opts->json, "Print JSON");
  cmd->add_flag("-s,--signature", opts->signature, "Print the argument signature");
  cmd->add_flag("--groups", opts->groups,
                "List the syscall groups (with queries: the groups that contain each)");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "syscalls",
                                  .order = 10,
                                  .description = "Resolve syscall names and numbers per arch",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
