// Reading a learned policy back into a recording, so that runs can be merged: the allow
// rules' syscalls, their counts from the `# N` comments, and the argument values of the
// condition shapes Synthesize writes (anything else is refused rather than guessed).
#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"
#include "learn/always_allowed.h"
#include "policy/groups.h"
#include "sysgate/learn.h"

namespace sysgate::learn {
namespace {

using Values = std::map<int, std::set<uint64_t>>;  // argument index -> allowed values

uint64_t Mask(const Comparison& c) {
  return c.arg.width == Width::k32 ? 0xffffffffULL : ~uint64_t{0};
}

// One alternative: comparisons joined by &&, each on a recorded argument.
bool Alternative(const Condition& c, const std::vector<RecordedArg>& args, Values* out) {
  std::vector<const Condition*> parts;
  if (c.kind() == Condition::Kind::kAnd) {
    for (const Condition& ch : c.children()) parts.push_back(&ch);
  } else {
    parts.push_back(&c);
  }
  for (const Condition* p : parts) {
    if (p->kind() == Condition::Kind::kOr) {  // the access-mode alternatives
      for (const Condition& ch : p->children()) {
        if (!Alternative(ch, args, out)) return false;
      }
      continue;
    }
    if (p->kind() != Condition::Kind::kCompare) return false;
    const Comparison& cmp = p->comparison();
    auto it =
        std::ranges::find_if(args, [&](const RecordedArg& a) { return a.index == cmp.arg.index; });
    if (it == args.end()) return false;
    std::set<uint64_t>& vals = (*out)[cmp.arg.index];
    switch (it->use) {
      case ArgUse::kValue:
        if (cmp.op == CmpOp::kEq || cmp.op == CmpOp::kIn) {
          for (const Operand& o : cmp.operands) vals.insert(o.value & Mask(cmp));
          continue;
        }
        return false;
      case ArgUse::kFlags:
        if (cmp.op == CmpOp::kMaskedEq && cmp.operands[1].value == 0) {
          vals.insert(~cmp.operands[0].value & Mask(cmp));
          continue;
        }
        return false;
      case ArgUse::kAccessMode:
        if (cmp.op == CmpOp::kMaskedEq && cmp.operands[0].value == O_ACCMODE) {
          vals.insert(cmp.operands[1].value);
          continue;
        }
        return false;
    }
  }
  return true;
}

// The tuples a condition allows, in RecordedArgs order; false if it has another shape.
bool Tuples(const Condition& c, const std::vector<RecordedArg>& args,
            std::map<std::vector<uint64_t>, uint64_t>* tuples) {
  std::vector<const Condition*> alts;
  bool top_or = c.kind() == Condition::Kind::kOr && args.size() > 1;
  if (top_or) {
    for (const Condition& ch : c.children()) alts.push_back(&ch);
  } else {
    alts.push_back(&c);
  }
  for (const Condition* alt : alts) {
    Values v;
    if (!Alternative(*alt, args, &v)) return false;
    std::vector<std::vector<uint64_t>> product = {{}};
    for (const RecordedArg& a : args) {
      if (!v.contains(a.index)) return false;  // an argument left open: not our shape
      std::vector<std::vector<uint64_t>> next;
      for (const auto& prefix : product) {
        for (uint64_t x : v[a.index]) {
          auto t = prefix;
          t.push_back(x);
          next.push_back(std::move(t));
        }
      }
      product = std::move(next);
    }
    for (auto& t : product) tuples->emplace(std::move(t), 0);
  }
  return true;
}

// The count in a rule's `# N` comment (N with thousands commas, then ';' or the end of the
// line), on its lines; 0 when there is none or it is too large to be one sysgate wrote.
uint64_t CountOf(const std::vector<std::string_view>& lines, int first, int last) {
  auto blank = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  for (int l = first; l <= last && l <= static_cast<int>(lines.size()); ++l) {
    std::string_view line = lines[static_cast<size_t>(l - 1)];
    for (size_t hash = line.find('#'); hash != std::string_view::npos;
         hash = line.find('#', hash + 1)) {
      size_t i = hash + 1;
      while (i < line.size() && blank(line[i])) ++i;
      std::string digits;
      for (; i < line.size() && (std::isdigit(static_cast<unsigned char>(line[i])) ||
                                 (line[i] == ',' && !digits.empty()));
           ++i) {
        if (line[i] != ',') digits += line[i];
      }
      if (digits.empty()) continue;
      std::string_view rest = line.substr(i);
      bool ends = rest.starts_with(';') || std::ranges::all_of(rest, blank);
      if (ends) return base::ParseInteger(digits).value_or(0);
    }
  }
  return 0;
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

// The calls in the comment of learn's rule for the calls every program may make (`allow @exit,
// @vdso  # seen: exit_group 1, rt_sigreturn 1,024`), with their counts; empty for other rules.
std::map<std::string, uint64_t> SeenOf(const std::vector<std::string_view>& lines, int first,
                                       int last) {
  std::map<std::string, uint64_t> seen;
  constexpr std::string_view kSeen = "# seen: ";
  for (int l = first; l <= last && l <= static_cast<int>(lines.size()); ++l) {
    std::string_view line = lines[static_cast<size_t>(l - 1)];
    const size_t at = line.find(kSeen);
    if (at == std::string_view::npos) continue;
    // "name N, name N": ", " parts; a count's thousands commas have no space after them.
    std::string_view rest = line.substr(at + kSeen.size());
    while (!rest.empty()) {
      const size_t end = rest.find(", ");
      std::string_view item = rest.substr(0, end);
      const size_t space = item.rfind(' ');
      if (space != std::string_view::npos) {
        std::string digits;
        for (char c : item.substr(space + 1)) {
          if (c != ',') digits += c;
        }
        if (auto n = base::ParseInteger(digits)) {
          uint64_t& c = seen[std::string(item.substr(0, space))];
          c = SaturatingAdd(c, *n);
        }
      }
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 2);
    }
    break;
  }
  return seen;
}

// The paths in an fs rule's comment (`# 12; 40 paths`, as AccessSection writes it), or 1.
uint64_t PathsOf(const std::vector<std::string_view>& lines, int line) {
  if (line < 1 || line > static_cast<int>(lines.size())) return 1;
  std::string_view l = lines[static_cast<size_t>(line - 1)];
  const size_t hash = l.find('#');
  const size_t end = l.find(" paths", hash == std::string_view::npos ? l.size() : hash);
  if (hash == std::string_view::npos || end == std::string_view::npos) return 1;
  size_t start = end;
  while (start > hash &&
         (std::isdigit(static_cast<unsigned char>(l[start - 1])) || l[start - 1] == ','))
    --start;
  if (start == end || l.substr(start - 2, 2) != "; ") return 1;
  std::string digits;
  for (char c : l.substr(start, end - start)) {
    if (c != ',') digits += c;
  }
  return std::max<uint64_t>(base::ParseInteger(digits).value_or(1), 1);
}

using Lines = std::map<std::string, std::vector<std::string_view>>;  // by file

// The count in the `# N` comment on the line of `loc`, or 0.
uint64_t CountAt(const Lines& lines, const SourceLoc& loc) {
  auto file = lines.find(loc.file);
  return loc.known() && file != lines.end() ? CountOf(file->second, loc.line, loc.line) : 0;
}

// learn's rule for what every program may make (`allow @exit, @vdso  # seen: ...`): only
// groups every program may call.
bool IsAlwaysRule(const Rule& r) {
  return !r.syscalls.empty() && std::ranges::all_of(r.syscalls, [](const SyscallSpec& s) {
    return s.kind == SyscallSpec::Kind::kGroup &&
           std::ranges::find(kAlwaysGroups, s.name) != std::end(kAlwaysGroups);
  });
}

// What an allow or log rule gives the recording, read from the rule and its comment.
struct RuleCalls {
  std::vector<std::string> names;
  std::vector<int32_t> numbers;
  uint64_t count = 0;                    // the rule's `# N`
  std::map<std::string, uint64_t> seen;  // the always rule's `# seen: name N, ...`
};

RuleCalls CallsOf(const Policy& policy, size_t i, const Lines& lines) {
  const Rule& r = policy.rules[i];
  RuleCalls calls;
  // The rule's comment is on one of its lines: up to the next rule of the same file.
  const Rule* next = i + 1 < policy.rules.size() ? &policy.rules[i + 1] : nullptr;
  int last = next && next->loc.known() && next->loc.file == r.loc.file ? next->loc.line - 1
                                                                       : r.loc.line + 8;
  auto file = lines.find(r.loc.file);
  calls.count = r.loc.known() && file != lines.end() ? CountOf(file->second, r.loc.line, last) : 0;
  // The always rule (on one line) stands for its groups' members that were seen, with their
  // counts (the rule itself is written again whatever the recording holds). No other rule is
  // read so.
  if (IsAlwaysRule(r) && r.loc.known() && file != lines.end())
    calls.seen = SeenOf(file->second, r.loc.line, r.loc.line);
  for (const SyscallSpec& s : r.syscalls) {
    switch (s.kind) {
      case SyscallSpec::Kind::kName: calls.names.push_back(s.name); break;
      case SyscallSpec::Kind::kNumber: calls.numbers.push_back(s.number); break;
      case SyscallSpec::Kind::kGroup:
        if (const policy::SyscallGroup* g = policy::FindGroup(s.name)) {
          for (std::string_view m : g->members) {
            if (calls.seen.empty() || calls.seen.contains(std::string(m)))
              calls.names.emplace_back(m);
          }
        }
        break;
    }
  }
  return calls;
}

// Records one call of rule `r` on ABI `a`; an error when the rule's condition is not a shape
// Synthesize writes. `seen_counted` holds the seen calls already counted on an ABI.
std::optional<Error> AddCall(Recording& rec, Arch a, const std::string& name, const Rule& r,
                             const RuleCalls& calls, std::set<std::string>& seen_counted) {
  SyscallRecord& s = rec.calls[{a, name}];
  // A group's count is not its members'; a single syscall's is, and a seen one's (on one ABI:
  // the counts are by name).
  if (calls.names.size() + calls.numbers.size() == 1) s.count += calls.count;
  if (auto c = calls.seen.find(name); c != calls.seen.end() && seen_counted.insert(name).second) {
    s.count = SaturatingAdd(s.count, c->second);
    rec.total = SaturatingAdd(rec.total, c->second);
  }
  if (!r.condition) {
    s.any_args = true;
    return std::nullopt;
  }
  std::vector<RecordedArg> args = RecordedArgs(name);
  if (args.empty() || !Tuples(*r.condition, args, &s.tuples)) {
    std::string where = r.loc.known() ? r.loc.ToString() + ": " : "";
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{}the condition of this rule for {} is not one sysgate "
                                 "learn writes; merge the recordings before tightening "
                                 "by hand",
                                 where, name));
  }
  return std::nullopt;
}

// Records the calls of the allow or log rule `policy.rules[i]` on each of its ABIs.
std::optional<Error> AddRule(Recording& rec, const Policy& policy, size_t i, const Lines& lines) {
  const Rule& r = policy.rules[i];
  const RuleCalls calls = CallsOf(policy, i, lines);
  std::set<std::string> seen_counted;
  std::vector<Arch> arches = r.arches.empty() ? policy.TargetArches() : r.arches;
  for (Arch a : arches) {
    for (const std::string& n : calls.names) {
      if (!SyscallNumber(a, n).has_value()) continue;  // not on this ABI
      if (auto refused = AddCall(rec, a, n, r, calls, seen_counted)) return refused;
    }
    for (int32_t nr : calls.numbers) {
      if (auto refused = AddCall(rec, a, "#" + std::to_string(nr), r, calls, seen_counted))
        return refused;
    }
  }
  rec.total += calls.count;
  return std::nullopt;
}

// The fs, net and scope rules, with the calls in their comments.
void AddAccess(AccessRecording& access, const AccessRules& a, const Lines& lines) {
  access.fs = a.handled_fs != 0;
  access.handled_net = a.handled_net;
  access.scoped = a.scoped;
  access.best_effort = a.best_effort;
  for (const PathRule& r : a.paths) {
    const bool seen = access.paths.contains(r.path);
    PathUse& u = access.paths[r.path];
    u.access |= r.access;
    u.count += CountAt(lines, r.loc);
    auto file = lines.find(r.loc.file);
    const uint64_t paths =
        r.loc.known() && file != lines.end() ? PathsOf(file->second, r.loc.line) : 1;
    u.paths = seen ? std::max(u.paths, paths) : paths;
  }
  for (const PortRule& r : a.ports) {
    uint64_t count = CountAt(lines, r.loc);  // the range's, given to its first port
    for (uint32_t port = r.first; port <= r.last; ++port) {
      if (r.access & net_access::kBindTcp)
        access.bind[static_cast<uint16_t>(port)] += port == r.first ? count : 0;
      if (r.access & net_access::kConnectTcp)
        access.connect[static_cast<uint16_t>(port)] += port == r.first ? count : 0;
    }
  }
}

}  // namespace

Result<Recording> RecordingFromPolicy(const Policy& policy,
                                      const std::map<std::string, std::string>& sources) {
  Lines lines;
  for (const auto& [file, text] : sources) lines[file] = base::Split(text, '\n');
  Recording rec;
  for (size_t i = 0; i < policy.rules.size(); ++i) {
    ActionKind k = policy.rules[i].action.kind();
    if (k != ActionKind::kAllow && k != ActionKind::kLog) continue;
    if (auto refused = AddRule(rec, policy, i, lines)) return *refused;
  }
  AddAccess(rec.access, policy.access, lines);
  return rec;
}

}  // namespace sysgate::learn
