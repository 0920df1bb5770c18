// Firecracker's seccompiler JSON: {"<thread>": {default_action, filter_action, filter: [{syscall,
// args: [{index, type: dword|qword, op, val}]}]}}. One file is for one architecture; each
// thread category is its own filter. Entries are ORed, their args ANDed; dword compares the low
// 32 bits, qword all 64, both unsigned; {"masked_eq": M} is (arg & M) == val.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "formats/flatten.h"
#include "formats/json_locate.h"
#include "formats/json_text.h"
#include "formats/registry.h"

namespace sysgate::formats {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

class FirecrackerReader {
 public:
  explicit FirecrackerReader(const ImportOptions& o) : o_(o) {}

  Imported Run(std::string_view text) {
    json doc;
    if (std::optional<Diagnostic> bad = ParseJson(text, o_.filename, doc)) {
      out_.diagnostics.push_back(std::move(*bad));
      return std::move(out_);
    }
    locate_ = LocateInJson(text, o_.filename);
    if (!doc.is_object()) {
      return Fail("", "not a Firecracker filter file: expected a JSON object of thread categories");
    }
    std::vector<std::string> cats;
    for (auto& [k, v] : doc.items()) cats.push_back(k);
    std::string cat = o_.section;
    if (cat.empty()) {
      if (cats.size() != 1) {
        return Fail("", fmt::format("the file has the thread categories {}: choose one (--section)",
                                    fmt::join(cats, ", ")));
      }
      cat = cats[0];
    }
    if (!doc.contains(cat)) {
      return Fail(
          "", fmt::format("no thread category '{}' (the file has {})", cat, fmt::join(cats, ", ")));
    }
    const json& c = doc[cat];
    std::string ptr = "/" + JsonPointerToken(cat);
    if (!c.is_object()) return Fail(ptr, "expected an object");
    Policy p;
    p.arches = {TargetArch(o_)};
    auto def = ActionOf(c, "default_action", ptr);
    auto filt = ActionOf(c, "filter_action", ptr);
    if (!def || !filt) return std::move(out_);
    p.default_action = *def;
    p.unknown_action = *def;  // seccompiler has no separate action for unknown numbers
    p.default_loc = p.unknown_loc = locate_(ptr + "/default_action");
    if (c.contains("filter")) {
      if (!c["filter"].is_array()) return Fail(ptr + "/filter", "expected an array");
      for (size_t i = 0; i < c["filter"].size(); ++i)
        Entry(c["filter"][i], fmt::format("{}/filter/{}", ptr, i), *filt, p);
    }
    return Finish(std::move(p), std::move(out_));
  }

 private:
  // An error about the value at JSON pointer `ptr`: located there and naming it
  // ("vmm.filter[3].args[0]: ..."); "" is the whole file.
  void Error(const std::string& ptr, std::string_view what) {
    std::string name = JsonPointerName(ptr);
    out_.diagnostics.push_back(
        {Severity::kError, Locate(ptr),
         name.empty() ? std::string(what) : fmt::format("{}: {}", name, what), 1});
  }
  Imported Fail(const std::string& ptr, std::string_view what) {
    Error(ptr, what);
    return std::move(out_);
  }
  SourceLoc Locate(const std::string& ptr) const {
    return locate_ ? locate_(ptr) : SourceLoc{o_.filename, 0, 0};
  }

  std::optional<Action> ActionOf(const json& c, const char* field, const std::string& ptr) {
    if (!c.contains(field)) {
      Error(ptr + "/" + field, "required");
      return std::nullopt;
    }
    const json& a = c[field];
    if (a.is_string()) {
      std::string s = a.get<std::string>();
      if (s == "allow") return Action::Allow();
      if (s == "trap") return Action::Trap(0);
      if (s == "kill_thread") return Action::KillThread();
      if (s == "kill_process") return Action::KillProcess();
      if (s == "log") return Action::Log();
    } else if (a.is_object() && a.size() == 1) {
      auto it = a.begin();
      if (it.value().is_number_unsigned()) {
        uint64_t n = it.value().get<uint64_t>();
        if (it.key() == "errno" && n <= 4095) return Action::Errno(static_cast<uint32_t>(n));
        if (it.key() == "trace" && n <= 0xffff) return Action::Trace(static_cast<uint32_t>(n));
      }
    }
    Error(ptr + "/" + field, fmt::format("expected allow, trap, kill_thread, kill_process, log, "
                                         "{{\"errno\": N}} or {{\"trace\": N}}, not {}",
                                         ShortJson(a)));
    return std::nullopt;
  }

  void Entry(const json& e, const std::string& ptr, const Action& action, Policy& p) {
    if (!e.is_object() || !e.contains("syscall") || !e["syscall"].is_string()) {
      Error(ptr, "expected {\"syscall\": NAME, \"args\": [...]}");
      return;
    }
    std::string name = e["syscall"].get<std::string>();
    if (!IsSyscallName(name)) {
      out_.diagnostics.push_back(
          UnknownSyscallDiagnostic(o_, Locate(ptr + "/syscall"), name, "skipped"));
      return;
    }
    Rule r;
    r.action = action;
    r.syscalls = {SyscallSpec::Name(name)};
    r.loc = Locate(ptr);
    std::vector<Condition> conds;
    if (e.contains("args") && !e["args"].is_null()) {
      if (!e["args"].is_array()) {
        Error(ptr + "/args", "expected an array");
        return;
      }
      for (size_t k = 0; k < e["args"].size(); ++k) {
        auto c = Arg(e["args"][k], fmt::format("{}/args/{}", ptr, k));
        if (!c) return;
        conds.push_back(Condition::Compare(*c));
      }
    }
    if (!conds.empty())
      r.condition = conds.size() == 1 ? conds[0] : Condition::And(std::move(conds));
    p.rules.push_back(std::move(r));
  }

  std::optional<Comparison> Arg(const json& a, const std::string& ptr) {
    auto bad = [&](std::string why) -> std::optional<Comparison> {
      Error(ptr, why);
      return std::nullopt;
    };
    if (!a.is_object()) return bad("expected {index, type, op, val}");
    if (!a.contains("index") || !a["index"].is_number_unsigned() || a["index"].get<uint64_t>() > 5)
      return bad("index: 0..5 required");
    if (!a.contains("val") || !a["val"].is_number_unsigned())
      return bad("val: an unsigned number required");
    std::string type =
        a.contains("type") && a["type"].is_string() ? a["type"].get<std::string>() : "";
    if (type != "dword" && type != "qword") return bad("type: dword or qword required");
    Comparison c;
    c.arg.index = static_cast<int>(a["index"].get<uint64_t>());
    c.arg.width = type == "dword" ? Width::k32 : Width::k64;
    c.arg.explicit_type = true;
    uint64_t v = a["val"].get<uint64_t>();
    if (c.arg.width == Width::k32 && v > 0xffffffffULL) return bad("val does not fit a dword");
    const json& op = a.contains("op") ? a["op"] : json();
    static const std::pair<const char*, CmpOp> kOps[] = {{"eq", CmpOp::kEq}, {"ne", CmpOp::kNe},
                                                         {"lt", CmpOp::kLt}, {"le", CmpOp::kLe},
                                                         {"gt", CmpOp::kGt}, {"ge", CmpOp::kGe}};
    if (op.is_string()) {
      for (auto [n, o] : kOps) {
        if (op.get<std::string>() == n) {
          c.op = o;
          c.operands = {{v, {}}};
          return c;
        }
      }
    } else if (op.is_object() && op.contains("masked_eq") && op["masked_eq"].is_number_unsigned()) {
      uint64_t m = op["masked_eq"].get<uint64_t>();
      if (c.arg.width == Width::k32 && m > 0xffffffffULL)
        return bad("the mask does not fit a dword");
      c.op = CmpOp::kMaskedEq;
      c.operands = {{m, {}}, {v, {}}};
      return c;
    }
    return bad(fmt::format("op: eq, ne, lt, le, gt, ge or {{\"masked_eq\": MASK}}, not {}",
                           ShortJson(op)));
  }

  const ImportOptions& o_;
  JsonLocator locate_;  // set once the text is known to be JSON
  Imported out_;
};

std::optional<ojson> ActionJson(const Action& a, std::vector<Diagnostic>& diags) {
  switch (a.kind()) {
    case ActionKind::kAllow: return ojson("allow");
    case ActionKind::kErrno: return ojson{{"errno", a.data()}};
    case ActionKind::kKillThread: return ojson("kill_thread");
    case ActionKind::kKillProcess: return ojson("kill_process");
    case ActionKind::kTrap:
      if (a.data() != 0)
        diags.push_back(
            {Severity::kWarning,
             {},
             fmt::format("Firecracker's trap carries no data: trap({}) is written as trap",
                         a.data()),
             1});
      return ojson("trap");
    case ActionKind::kTrace: return ojson{{"trace", a.data()}};
    case ActionKind::kLog: return ojson("log");
    case ActionKind::kNotify: break;
  }
  diags.push_back({Severity::kError, {}, "Firecracker has no notify action", 1});
  return std::nullopt;
}

// The policy on the first of its targets: a Firecracker file is for one ABI (a warning names
// how many are left out).
Policy OnFirstArch(const Policy& policy, std::vector<Diagnostic>& diags) {
  Policy p = policy;
  std::vector<Arch> targets = p.TargetArches();
  if (targets.size() > 1) {
    diags.push_back(
        {Severity::kWarning,
         {},
         fmt::format("a Firecracker filter is for one architecture: written for {}; the others ({} "
                     "more) will be killed (choose with --arch)",
                     Info(targets[0]).name, targets.size() - 1),
         1});
    p.arches = {targets[0]};
  }
  return p;
}

// Firecracker has no action of its own for numbers its tables lack: they get the default.
void WarnOfUnknownAction(const Policy& p, std::vector<Diagnostic>& diags) {
  if (p.unknown_action == p.default_action) return;
  diags.push_back(
      {Severity::kWarning,
       {},
       fmt::format("Firecracker gives unknown syscall numbers the default action, not {}",
                   p.unknown_action.ToString()),
       1});
}

// The filter_action: the one action of every listed syscall (with none listed, the opposite of
// the default); none, after an error, when the rules' actions differ.
std::optional<Action> FilterAction(const std::vector<FlatRule>& flat, const Action& default_action,
                                   std::vector<Diagnostic>& diags) {
  std::optional<Action> filter_action;
  for (const FlatRule& r : flat) {
    if (filter_action && r.action != *filter_action) {
      diags.push_back(
          {Severity::kError,
           {},
           fmt::format("a Firecracker filter has one action for every listed syscall: {} and {} "
                       "differ (the default is {})",
                       filter_action->ToString(), r.action.ToString(), default_action.ToString()),
           1});
      return std::nullopt;
    }
    filter_action = r.action;
  }
  if (filter_action) return filter_action;
  return default_action == Action::Allow() ? Action::KillProcess() : Action::Allow();
}

// One comparison of an entry's "args": {index, type, op, val}; a 32-bit equality is a dword
// "eq", a mask {"masked_eq": M} on a qword.
ojson ArgJson(const ArgLit& l) {
  ojson a = ojson::object();
  a["index"] = l.index;
  bool dword = l.op == CmpOp::kMaskedEq && l.value == 0xffffffffULL;
  a["type"] = dword ? "dword" : "qword";
  static const char* kNames[] = {"eq", "ne", "lt", "le", "gt", "ge"};
  if (dword)
    a["op"] = "eq";
  else if (l.op == CmpOp::kMaskedEq)
    a["op"] = ojson{{"masked_eq", l.value}};
  else
    a["op"] = kNames[static_cast<int>(l.op)];
  a["val"] = l.op == CmpOp::kMaskedEq ? l.value_two : l.value;
  return a;
}

// The "filter" list: one entry per syscall a rule names, with its comparisons.
ojson FilterJson(const std::vector<FlatRule>& flat) {
  ojson filter = ojson::array();
  for (const FlatRule& r : flat) {
    for (const std::string& name : r.names) {
      ojson entry = ojson::object();
      entry["syscall"] = name;
      if (!r.args.empty()) {
        ojson args = ojson::array();
        for (const ArgLit& l : r.args) args.push_back(ArgJson(l));
        entry["args"] = args;
      }
      filter.push_back(entry);
    }
  }
  return filter;
}

}  // namespace

Imported ImportFirecracker(std::string_view text, const ImportOptions& o) {
  return FirecrackerReader(o).Run(text);
}

Exported ExportFirecracker(const Policy& policy, const ExportOptions& o) {
  Exported e;
  Policy p = OnFirstArch(policy, e.diagnostics);
  WarnOfUnknownAction(p, e.diagnostics);
  FlattenOptions fo;
  fo.format = "Firecracker";
  std::vector<FlatRule> flat = Flatten(p, fo, e.diagnostics);
  if (HasErrors(e.diagnostics)) return e;
  std::optional<Action> filter_action = FilterAction(flat, p.default_action, e.diagnostics);
  if (!filter_action) return e;
  auto def = ActionJson(p.default_action, e.diagnostics);
  auto filt = ActionJson(*filter_action, e.diagnostics);
  if (!def || !filt) return e;
  ojson cat = ojson::object();
  cat["default_action"] = *def;
  cat["filter_action"] = *filt;
  cat["filter"] = FilterJson(flat);
  ojson doc = ojson::object();
  doc[o.section.empty() ? "main" : o.section] = cat;
  e.text = doc.dump(2) + "\n";
  e.means = WithoutTrapData(p);
  e.means->unknown_action = p.default_action;
  return e;
}

}  // namespace sysgate::formats
