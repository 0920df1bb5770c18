// From a recording to a policy a person can read: one rule per syscall, grouped by what the
// syscall is for, each with its count; conditions from the recorded argument values; the
// calls recorders miss added. The text is parsed back, and every recorded call is checked to
// be allowed by it.
#include <fcntl.h>

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"
#include "learn/always_allowed.h"
#include "learn/fold_access.h"
#include "policy/groups.h"
#include "supervise/flag_names.h"
#include "sysgate/interpreter.h"
#include "sysgate/learn.h"
#include "sysgate/policy_text.h"

namespace sysgate::learn {
namespace {

// Sections, in order; a syscall goes into the first that has it.
constexpr std::string_view kSections[] = {
    "@default", "@basic-io", "@file-system", "@io-event",  "@network-io", "@ipc",
    "@process", "@signal",   "@timer",       "@resources", "@setuid",     "@sync",
    "@memlock", "@chown",    "@aio",         "@sandbox",   "@privileged"};

// Always allowed on every recorded ABI: a recorder may not see them (THREATS rows 31, 32).

// A number the tables did not know is recorded under the name "#NR".
bool IsNumber(std::string_view name) { return name.starts_with('#'); }

bool InGroup(std::string_view group, std::string_view name) {
  const policy::SyscallGroup* g = policy::FindGroup(group);
  return g && std::ranges::binary_search(g->members, name);
}

bool AlwaysAllowed(std::string_view name) {
  return std::ranges::any_of(kAlwaysGroups, [&](std::string_view g) { return InGroup(g, name); });
}

std::string Section(std::string_view name) {
  for (std::string_view s : kSections) {
    if (InGroup(s, name)) return std::string(s);
  }
  return "other";
}

std::string Thousands(uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// The command for a comment: on one line (control characters escaped), and not too long.
std::string OneLine(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += static_cast<char>(c);
    }
  }
  if (out.size() > 200) out = out.substr(0, 200) + "...";
  return out;
}

struct ArgText {
  std::string name;
  bool is_signed = false;
  int bits = 64;
};

ArgText ArgOf(std::string_view syscall, int index) {
  ArgText a{fmt::format("arg{}", index)};
  if (const Signature* sig = FindSignature(syscall)) {
    const ArgInfo& info = sig->args[static_cast<size_t>(index)];
    if (!info.name.empty()) a.name = std::string(info.name);
    a.is_signed = info.is_signed;
    a.bits = info.bits;
  }
  return a;
}

std::string Number(const ArgText& a, uint64_t v) {
  if (a.bits == 32 && a.is_signed && (v & 0x80000000ULL)) {
    return fmt::format("-{}", (uint64_t{1} << 32) - (v & 0xffffffffULL));
  }
  return v < 10 ? std::to_string(v) : fmt::format("{:#x}", v);
}

std::string Value(std::string_view syscall, const ArgText& a, uint64_t v, bool names) {
  if (names) {
    // NameValue writes flags as strace does (A|B); policy text spaces `|` as PrintPolicy and
    // `sysgate fmt` do.
    if (auto n = supervise::NameValue(syscall, a.name, v)) {
      std::string text = *n;
      for (size_t i = text.find('|'); i != std::string::npos; i = text.find('|', i + 3))
        text.replace(i, 1, " | ");
      return text;
    }
  }
  return Number(a, v);
}

// The condition on one argument for a set of recorded values. `level`: a socket option's, by
// which it is named (2 is SO_REUSEADDR at SOL_SOCKET, IP_TTL at SOL_IP).
std::string ArgCondition(std::string_view syscall, const RecordedArg& r,
                         const std::set<uint64_t>& values, bool names,
                         std::optional<uint64_t> level = std::nullopt) {
  ArgText a = ArgOf(syscall, r.index);
  auto value = [&](uint64_t v) {
    if (names && level && a.name == "optname") {
      if (auto n = supervise::SocketOptionName(*level, v, syscall == "getsockopt")) return *n;
    }
    return Value(syscall, a, v, names);
  };
  switch (r.use) {
    case ArgUse::kValue: {
      if (values.size() == 1) return fmt::format("{} == {}", a.name, value(*values.begin()));
      std::vector<std::string> items;
      for (uint64_t v : values) items.push_back(value(v));
      return fmt::format("{} in {{{}}}", a.name, fmt::join(items, ", "));
    }
    case ArgUse::kFlags: {
      uint64_t seen = 0;
      for (uint64_t v : values) seen |= v;
      uint64_t width = a.bits == 32 ? 0xffffffffULL : ~uint64_t{0};
      return fmt::format("({} & {:#x}) == 0", a.name, ~seen & width);
    }
    case ArgUse::kAccessMode: {
      static constexpr std::string_view kModes[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "3"};
      std::vector<std::string> alts;
      for (uint64_t v : values) {
        alts.push_back(fmt::format("({} & O_ACCMODE) == {}", a.name,
                                   names ? std::string(kModes[v & 3]) : std::to_string(v & 3)));
      }
      return alts.size() == 1 ? alts[0] : fmt::format("({})", fmt::join(alts, " || "));
    }
  }
  return "";
}

// A comment naming the bits a flags condition lets through.
std::string FlagsNote(std::string_view syscall, const RecordedArg& r,
                      const std::set<uint64_t>& values) {
  if (r.use != ArgUse::kFlags) return "";
  uint64_t seen = 0;
  for (uint64_t v : values) seen |= v;
  ArgText a = ArgOf(syscall, r.index);
  auto n = supervise::NameValue(syscall, a.name, seen);
  return fmt::format("{} may have {}", a.name, n ? *n : fmt::format("{:#x}", seen));
}

struct Merged {
  std::set<Arch> arches;
  uint64_t count = 0;
  bool any_args = false;
  std::set<std::vector<uint64_t>> tuples;
};

// "if ..." for a syscall, or "" for no condition. Two recorded arguments: grouped by the
// first one, so that pairs stay pairs (AF_UNIX with SOCK_STREAM, AF_INET with SOCK_DGRAM).
std::string Condition(std::string_view syscall, const Merged& m, bool names, std::string* note) {
  std::vector<RecordedArg> args = RecordedArgs(syscall);
  if (m.any_args || m.tuples.empty() || args.empty()) return "";
  if (args.size() == 1) {
    std::set<uint64_t> values;
    for (const auto& t : m.tuples) values.insert(t[0]);
    *note = FlagsNote(syscall, args[0], values);
    return ArgCondition(syscall, args[0], values, names);
  }
  std::map<uint64_t, std::set<uint64_t>> by_first;
  for (const auto& t : m.tuples) by_first[t[0]].insert(t[1]);
  std::vector<std::string> alts;
  for (const auto& [first, seconds] : by_first) {
    alts.push_back(fmt::format("{} && {}", ArgCondition(syscall, args[0], {first}, names),
                               ArgCondition(syscall, args[1], seconds, names, first)));
  }
  if (alts.size() == 1) return alts[0];
  for (std::string& a : alts) a = "(" + a + ")";
  return fmt::format("{}", fmt::join(alts, " ||\n    "));
}

std::string ArchNames(const std::set<Arch>& arches) {
  std::vector<std::string_view> names;
  for (Arch a : arches) names.push_back(Info(a).name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// "allow NAME [on ARCHES] [if CONDITION]   # COUNT[; note]", the comment aligned.
std::string RuleLine(const std::string& name, const Merged& m, bool on_all_arches, bool args,
                     bool names) {
  const bool number = IsNumber(name);
  std::string rule = "allow " + (number ? name.substr(1) : name);
  // A bare number means that number on every ABI: always say which.
  if (!on_all_arches || number) rule += " on " + ArchNames(m.arches);
  std::string note;
  std::string cond = args && !number ? Condition(name, m, names, &note) : "";
  if (!cond.empty()) rule += " if " + cond;
  std::string comment = "# " + Thousands(m.count);
  if (!note.empty()) comment += "; " + note;
  size_t last_line = rule.rfind('\n');
  size_t width = rule.size() - (last_line == std::string::npos ? 0 : last_line + 1);
  return rule + std::string(width < 30 ? 30 - width : 2, ' ') + comment;
}

// A statement with its comment aligned as RuleLine aligns them.
std::string Commented(std::string statement, const std::string& comment) {
  while (!statement.empty() && statement.back() == '\n') statement.pop_back();
  return statement + std::string(statement.size() < 30 ? 30 - statement.size() : 2, ' ') + "# " +
         comment + "\n";
}

// Consecutive ports as ranges: 8000..8010 with the calls of all of them.
std::vector<std::pair<PortRule, uint64_t>> PortRanges(const std::vector<FoldedPort>& ports,
                                                      uint64_t bit) {
  std::vector<std::pair<PortRule, uint64_t>> out;
  for (const FoldedPort& p : ports) {
    if (!out.empty() && out.back().first.last + 1 == p.port) {
      out.back().first.last = p.port;
      out.back().second += p.count;
    } else {
      out.push_back({PortRule{bit, p.port, p.port, {}}, p.count});
    }
  }
  return out;
}

// The fs, net and scope statements: one per line, each with its calls.
std::string AccessSection(const AccessRecording& a, const FoldedAccess& f) {
  std::string out =
      "\n# Files and TCP ports, enforced by Landlock (docs/landlock.md): the rights the calls\n"
      "# needed, folded to directories. Each rule ends with its calls and the paths it covers.\n";
  if (a.best_effort) out += "fs best-effort\n";
  if (a.fs && f.paths.empty()) out += "fs none  # no file was opened\n";
  for (const FoldedPath& p : f.paths) {
    AccessRules one;
    one.paths.push_back({p.access, p.path, {}});
    std::string comment = Thousands(p.count);
    if (p.paths > 1) comment += fmt::format("; {} paths", Thousands(p.paths));
    if (p.shared) comment += "; files made here: the rule covers all of it";
    // A merged policy's rule without a count (written by hand) stays without one.
    out += p.count == 0 ? PrintAccessRules(one) : Commented(PrintAccessRules(one), comment);
  }
  for (uint64_t bit : {net_access::kBindTcp, net_access::kConnectTcp}) {
    if (!(a.handled_net & bit)) continue;
    const std::vector<FoldedPort>& ports = bit == net_access::kBindTcp ? f.bind : f.connect;
    if (ports.empty()) out += fmt::format("net {} none\n", NetAccessName(bit));
    for (const auto& [rule, count] : PortRanges(ports, bit)) {
      AccessRules one;
      one.ports.push_back(rule);
      out +=
          count == 0 ? PrintAccessRules(one) : Commented(PrintAccessRules(one), Thousands(count));
    }
  }
  if (a.scoped) out += "scope " + ScopeText(a.scoped) + "\n";
  return out;
}

std::string Text(const Recording& rec, const SynthesisOptions& o, bool names) {
  std::set<Arch> all_arches;
  std::map<std::string, Merged> by_name;
  for (const auto& [key, r] : rec.calls) {
    all_arches.insert(key.first);
    Merged& m = by_name[key.second];
    m.arches.insert(key.first);
    m.count += r.count;
    m.any_args = m.any_args || r.any_args;
    for (const auto& [t, n] : r.tuples) m.tuples.insert(t);
  }
  if (all_arches.empty()) all_arches.insert(HostArch());
  std::string out;
  out += "# Learned by `sysgate learn`";
  if (!o.command.empty()) out += " from: " + OneLine(o.command);
  out += fmt::format("\n# {} syscalls, {} distinct. Each rule ends with how often it was seen.\n",
                     Thousands(rec.total), Thousands(rec.Distinct()));
  out += "# Tighten it by hand, then check it: sysgate check, sysgate run --audit.\n";
  if (!o.allow_start_exec && !by_name.contains("execve")) {
    out +=
        "# No execve: `sysgate run` lets its own start of the program through. Runtimes that\n"
        "# install the filter before exec (OCI: runc, crun) need `allow execve`.\n";
  }
  out += "\n";
  out += fmt::format("arch {}\n", ArchNames(all_arches));
  out += fmt::format("default {}\nunknown {}\n", o.default_action.ToString(),
                     o.default_action.ToString());

  // What recorders miss, on every ABI.
  std::vector<std::string> seen_always;
  for (const auto& [name, m] : by_name) {
    if (AlwaysAllowed(name) && m.count > 0)
      seen_always.push_back(fmt::format("{} {}", name, Thousands(m.count)));
  }
  out +=
      "\n# Always: returning from signal handlers, restarting and exiting, and the vDSO's\n"
      "# fallbacks (a recorder never sees these when the vDSO answers).\n";
  out += fmt::format("allow {}", fmt::join(kAlwaysGroups, ", "));
  if (!seen_always.empty()) out += fmt::format("  # seen: {}", fmt::join(seen_always, ", "));
  out += "\n";
  if (o.allow_start_exec && !by_name.contains("execve")) {
    out += "allow execve  # the runtime's start of the program\n";
  }

  std::map<std::string, std::vector<std::string>> sections;
  for (const auto& [name, m] : by_name) {
    if (AlwaysAllowed(name)) continue;
    bool on_all = m.arches.size() == all_arches.size();
    sections[IsNumber(name) ? "other" : Section(name)].push_back(
        RuleLine(name, m, on_all, o.args, names));
  }
  auto emit = [&](const std::string& section) {
    auto it = sections.find(section);
    if (it == sections.end()) return;
    const policy::SyscallGroup* g = policy::FindGroup(section);
    out += fmt::format("\n# {}{}\n", section, g ? " - " + std::string(g->description) : "");
    for (const std::string& r : it->second) out += r + "\n";
  };
  for (std::string_view s : kSections) emit(std::string(s));
  emit("other");
  if (!rec.access.empty()) out += AccessSection(rec.access, FoldAccess(rec.access));
  return out;
}

// Every folded path and recorded port must be granted by the learned policy's rules.
Result<void> CheckGrants(const AccessRules& rules, const AccessRecording& a) {
  auto bug = [](const std::string& what) {
    return MakeError(
        ErrorCode::kInvalidArgument,
        fmt::format("the learned policy does not grant {}; a sysgate bug, please report it", what));
  };
  for (const FoldedPath& p : FoldAccess(a).paths) {
    if ((GrantedOn(rules, p.path).access & p.access) != p.access) {
      return bug(fmt::format("{} on {}", FsAccessText(p.access), p.path));
    }
  }
  for (const auto& [ports, bit] :
       {std::pair{&a.bind, net_access::kBindTcp}, std::pair{&a.connect, net_access::kConnectTcp}}) {
    for (const auto& [port, n] : *ports) {
      bool granted = std::ranges::any_of(rules.ports, [&](const PortRule& r) {
        return (r.access & bit) && r.first <= port && port <= r.last;
      });
      if (!granted) return bug(fmt::format("{} to TCP port {}", NetAccessName(bit), port));
    }
  }
  return {};
}

// Every recorded call must be allowed by the learned policy.
Result<void> CheckAllows(const Policy& policy, const Recording& rec, bool args) {
  Interpreter interp(policy);
  for (const auto& [key, r] : rec.calls) {
    auto [arch, name] = key;
    std::optional<int32_t> nr =
        IsNumber(name) ? base::ParseInt32(name.substr(1)) : SyscallNumber(arch, name);
    if (!nr) continue;
    std::vector<std::vector<uint64_t>> tuples;
    for (const auto& [t, n] : r.tuples) tuples.push_back(t);
    if (tuples.empty() || !args) tuples.push_back({});
    std::vector<RecordedArg> ra = RecordedArgs(name);
    for (const auto& t : tuples) {
      SeccompData d = SeccompData::For(arch, *nr);
      for (size_t i = 0; i < t.size() && i < ra.size(); ++i)
        d.args[static_cast<size_t>(ra[i].index)] = t[i];
      Verdict v = interp.Evaluate(d);
      if (v.action.kind() != ActionKind::kAllow) {
        return MakeError(
            ErrorCode::kInvalidArgument,
            fmt::format("the learned policy does not allow a recorded call: {} on {} ({}); "
                        "a sysgate bug, please report it",
                        name, Info(arch).name, v.action.ToString()));
      }
    }
  }
  return {};
}

}  // namespace

Result<Learned> Synthesize(const Recording& rec, const SynthesisOptions& o) {
  // Constant names make the text readable; if one does not parse back, numbers do.
  for (bool names : {true, false}) {
    std::string text = Text(rec, o, names);
    ParsedPolicy parsed = ParsePolicyText(text, "<learned>");
    if (!parsed.ok()) {
      if (names) continue;
      return parsed.FirstError();
    }
    if (auto c = CheckAllows(*parsed.policy, rec, o.args); !c) return c.error();
    if (auto c = CheckGrants(parsed.policy->access, rec.access); !c) return c.error();
    return Learned{std::move(*parsed.policy), std::move(text)};
  }
  return MakeError(ErrorCode::kInvalidArgument, "no policy");
}

std::string FrequencyText(const Recording& rec) {
  std::map<std::string, uint64_t> counts;
  for (const auto& [key, r] : rec.calls) {
    if (!IsNumber(key.second)) counts[key.second] += r.count;
  }
  std::vector<std::pair<std::string, uint64_t>> sorted(counts.begin(), counts.end());
  std::ranges::stable_sort(sorted,
                           [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string out;
  for (const auto& [name, n] : sorted) out += fmt::format("{} {}\n", name, n);
  return out;
}

}  // namespace sysgate::learn
