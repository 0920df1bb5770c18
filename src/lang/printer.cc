// The canonical text of a Policy: one statement per line, the rules in order, constants with
// the names they were written with. parse(print(p)) == p.
#include <algorithm>

#include <fmt/format.h>

#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

constexpr size_t kWrapColumn = 100;

std::string ArgText(const ArgRef& a) {
  std::string out = a.name.empty() ? fmt::format("arg{}", a.index) : a.name;
  if (a.explicit_type) {
    out += fmt::format(":{}{}", a.is_signed ? 's' : 'u', a.width == Width::k32 ? 32 : 64);
  }
  return out;
}

std::string OperandText(const ArgRef& a, const Operand& o) {
  if (!o.spelling.empty()) return o.spelling;
  int64_t s = a.width == Width::k32 ? static_cast<int32_t>(o.value) : static_cast<int64_t>(o.value);
  if (a.is_signed && s < 0) return fmt::format("{}", s);
  if (o.value < 10) return fmt::format("{}", o.value);
  return fmt::format("{:#x}", o.value);
}

std::string CompareText(const Comparison& c, bool negated) {
  const auto& ops = c.operands;
  std::string arg = ArgText(c.arg);
  switch (c.op) {
    case CmpOp::kMaskedEq:
      return fmt::format("({} & {}) {} {}", arg, OperandText(c.arg, ops[0]),
                         negated ? "!=" : "==", OperandText(c.arg, ops[1]));
    case CmpOp::kIn: {
      std::vector<std::string> items;
      for (const Operand& o : ops) items.push_back(OperandText(c.arg, o));
      return fmt::format("{} {}in {{{}}}", arg, negated ? "not " : "", fmt::join(items, ", "));
    }
    case CmpOp::kRange:
      return fmt::format("{} {}in {}..{}", arg, negated ? "not " : "", OperandText(c.arg, ops[0]),
                         OperandText(c.arg, ops[1]));
    default: return fmt::format("{} {} {}", arg, CmpOpSymbol(c.op), OperandText(c.arg, ops[0]));
  }
}

std::string ConditionText(const Condition& c) {
  using K = Condition::Kind;
  switch (c.kind()) {
    case K::kCompare: return CompareText(c.comparison(), false);
    case K::kNot: {
      const Condition& ch = c.children().front();
      if (ch.kind() == K::kCompare) {
        CmpOp op = ch.comparison().op;
        if (op == CmpOp::kMaskedEq || op == CmpOp::kIn || op == CmpOp::kRange) {
          return CompareText(ch.comparison(), true);
        }
      }
      return "!(" + ConditionText(ch) + ")";
    }
    case K::kAnd: {
      std::vector<std::string> parts;
      for (const Condition& ch : c.children()) {
        std::string t = ConditionText(ch);
        parts.push_back(ch.kind() == K::kOr ? "(" + t + ")" : t);
      }
      return fmt::format("{}", fmt::join(parts, " && "));
    }
    case K::kOr: {
      std::vector<std::string> parts;
      for (const Condition& ch : c.children()) parts.push_back(ConditionText(ch));
      return fmt::format("{}", fmt::join(parts, " || "));
    }
  }
  return "";
}

std::string SpecText(const SyscallSpec& s) {
  return s.kind == SyscallSpec::Kind::kNumber ? fmt::format("{}", s.number) : s.name;
}

std::string ArchListText(const std::vector<Arch>& arches) {
  std::vector<std::string_view> names;
  for (Arch a : arches) names.push_back(Info(a).name);
  return fmt::format("{}", fmt::join(names, ", "));
}

// "head a, b, c tail" with the list wrapped after commas at kWrapColumn.
std::string WrappedList(const std::string& head, const std::vector<std::string>& items) {
  std::string out = head;
  size_t col = out.size();
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item = items[i] + (i + 1 < items.size() ? "," : "");
    if (i > 0 && col + 1 + item.size() > kWrapColumn) {
      out += "\n   ";
      col = 3;
    }
    out += " " + item;
    col += 1 + item.size();
  }
  return out;
}

// A path as the lexer reads it back: bare when every character may be, else quoted.
std::string PathText(const std::string& path) {
  bool bare = !path.empty() && path.front() == '/';
  for (char c : path) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f ||
        std::string_view(",;#\"(){}\\").find(c) != std::string_view::npos) {
      bare = false;
    }
  }
  if (bare) return path;
  std::string out = "\"";
  for (char c : path) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string PortText(const PortRule& r) {
  return r.first == r.last ? fmt::format("{}", r.first) : fmt::format("{}..{}", r.first, r.last);
}

// The fs, net and scope statements: consecutive rules with the same rights as one statement.
std::string AccessText(const AccessRules& a) {
  std::string out;
  if (a.best_effort) out += "fs best-effort\n";
  if (a.handled_fs && a.paths.empty()) out += "fs none\n";
  for (size_t i = 0; i < a.paths.size();) {
    std::vector<std::string> items;
    size_t j = i;
    for (; j < a.paths.size() && a.paths[j].access == a.paths[i].access; ++j) {
      items.push_back(PathText(a.paths[j].path));
    }
    out += WrappedList("fs " + FsAccessText(a.paths[i].access), items) + "\n";
    i = j;
  }
  for (uint64_t bit : {net_access::kBindTcp, net_access::kConnectTcp}) {
    if ((a.handled_net & bit) &&
        std::ranges::none_of(a.ports, [&](const PortRule& r) { return (r.access & bit) != 0; })) {
      out += fmt::format("net {} none\n", NetAccessName(bit));
    }
  }
  for (size_t i = 0; i < a.ports.size();) {
    std::vector<std::string> items;
    size_t j = i;
    for (; j < a.ports.size() && a.ports[j].access == a.ports[i].access; ++j)
      items.push_back(PortText(a.ports[j]));
    std::string head = "net";
    for (uint64_t bit : {net_access::kBindTcp, net_access::kConnectTcp}) {
      if (a.ports[i].access & bit) head += fmt::format(" {}", NetAccessName(bit));
    }
    out += WrappedList(head, items) + "\n";
    i = j;
  }
  if (a.scoped) out += "scope " + ScopeText(a.scoped) + "\n";
  return out;
}

}  // namespace

std::string PrintPolicy(const Policy& p) {
  std::string out;
  if (!p.arches.empty()) out += "arch " + ArchListText(p.arches) + "\n";
  out += "default " + p.default_action.ToString() + "\n";
  out += "unknown " + p.unknown_action.ToString() + "\n";
  if (p.foreign_abi_action != Action::KillProcess())
    out += "foreign " + p.foreign_abi_action.ToString() + "\n";
  if (p.allow_errno_zero) out += "option allow-errno-zero\n";
  if (!p.constants.empty()) out += "\n";
  for (const NamedConstant& c : p.constants) {
    std::string v =
        c.value.spelling.empty() ? fmt::format("{:#x}", c.value.value) : c.value.spelling;
    out += fmt::format("const {} = {}\n", c.name, v);
  }
  if (!p.rules.empty()) out += "\n";
  for (const Rule& r : p.rules) {
    std::vector<std::string> items;
    for (const SyscallSpec& s : r.syscalls) items.push_back(SpecText(s));
    std::string line = WrappedList(r.action.ToString(), items);
    if (!r.arches.empty()) line += " on " + ArchListText(r.arches);
    if (r.condition) line += " if " + ConditionText(*r.condition);
    out += line + "\n";
  }
  if (!p.access.empty() || p.access.best_effort) out += "\n" + AccessText(p.access);
  return out;
}

std::string PrintAccessRules(const AccessRules& rules) { return AccessText(rules); }

}  // namespace sysgate
