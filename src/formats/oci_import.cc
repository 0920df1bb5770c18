// OCI / Docker / Podman seccomp JSON to Policy. JSON errors are caught here: nothing throws
// across the library boundary.
#include <errno.h>
#include <sys/utsname.h>

#include <algorithm>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "formats/json_locate.h"
#include "formats/json_text.h"
#include "formats/oci_json.h"
#include "formats/registry.h"

namespace sysgate::formats {
namespace {

using json = nlohmann::json;

// Docker resolves archMap and includes/excludes for the machine the runtime runs on, not for the
// ABI a process uses: an x86_64 host gives its i386 processes the amd64 rules. So a profile read
// for a target ABI is read for the host that runs it: this machine when it can (i386 and x32
// here on x86_64), else the 64-bit arch whose kernel runs that ABI.
Arch HostRunning(Arch target) {
  const std::vector<Arch> here = CompatArches(HostArch());
  if (target == HostArch() || std::ranges::find(here, target) != here.end()) return HostArch();
  return Info(target).kernel;
}

class Importer {
 public:
  Importer(const ImportOptions& o, JsonLocator locate)
      : o_(o), host_(HostRunning(o.arch.value_or(HostArch()))), locate_(std::move(locate)) {
    if (o.kernel) {
      kernel_ = *o.kernel;
    } else {
      utsname u{};
      if (uname(&u) == 0) kernel_ = ParseKernelVersion(u.release).value_or(kernel_);
    }
  }

  Imported Run(json doc) {
    if (!doc.is_object()) {
      Fail("", "expected a JSON object with defaultAction and syscalls");
      return std::move(out_);
    }
    // A whole OCI config.json: its linux.seccomp.
    if (doc.contains("ociVersion") && !doc.contains("defaultAction")) {
      if (!doc.contains("linux") || !doc["linux"].is_object() ||
          !doc["linux"].contains("seccomp") || !doc["linux"]["seccomp"].is_object()) {
        Fail("", "this OCI config.json has no linux.seccomp section");
        return std::move(out_);
      }
      json inner = doc["linux"]["seccomp"];
      doc = std::move(inner);
      base_ = "/linux/seccomp";
    }
    Policy p;
    // defaultAction, defaultErrnoRet / defaultErrno (Podman)
    std::optional<int> default_errno = ErrnoField(doc, "defaultErrnoRet", "defaultErrno", "");
    auto def = ActionField(doc, "defaultAction", default_errno, "");
    if (!def) return std::move(out_);
    p.default_action = *def;
    p.default_loc = At("/defaultAction");
    p.unknown_action =
        Action::Errno(ENOSYS);  // runc's ENOSYS stub for syscalls newer than the tables
    if (!Arches(doc, p)) return std::move(out_);
    Runtime(doc);
    targets_ = p.TargetArches();
    if (doc.contains("syscalls")) {
      if (!doc["syscalls"].is_array()) {
        Fail("/syscalls", "must be an array");
        return std::move(out_);
      }
      for (size_t i = 0; i < doc["syscalls"].size(); ++i) Rules(doc["syscalls"][i], i, p);
    }
    return Finish(std::move(p), std::move(out_));
  }

 private:
  void Diag(Severity s, const SourceLoc& loc, std::string msg) {
    SourceLoc l = loc;
    if (l.file.empty()) l.file = o_.filename;
    out_.diagnostics.push_back({s, l, std::move(msg), 1});
  }
  // Where the value at `pointer` (within the seccomp object) is in the source.
  SourceLoc At(std::string_view pointer) const { return locate_(base_ + std::string(pointer)); }
  // A message about the value at `pointer`: located there and naming it ("syscalls[3].action").
  void Say(Severity s, const std::string& pointer, std::string_view what) {
    std::string name = JsonPointerName(pointer);
    Diag(s, At(pointer), name.empty() ? std::string(what) : fmt::format("{}: {}", name, what));
  }
  void Fail(const std::string& pointer, std::string_view what) {
    Say(Severity::kError, pointer, what);
  }

  // `obj` is the JSON pointer of the object `j`.
  std::optional<int> ErrnoField(const json& j, const char* num, const char* name,
                                const std::string& obj) {
    if (j.contains(num) && !j[num].is_null()) {
      if (!j[num].is_number_unsigned() || j[num].get<uint64_t>() > 65535) {
        Fail(obj + "/" + num, "expected an errno number 0..4095 (0..65535 for SCMP_ACT_TRACE)");
        return std::nullopt;
      }
      return static_cast<int>(j[num].get<uint64_t>());
    }
    if (j.contains(name) && j[name].is_string() && !j[name].get<std::string>().empty()) {
      auto e = ErrnoFromName(j[name].get<std::string>());
      if (!e) {
        Fail(obj + "/" + name, fmt::format("unknown errno name '{}'", j[name].get<std::string>()));
        return std::nullopt;
      }
      return *e;
    }
    return std::nullopt;
  }

  std::optional<Action> ActionField(const json& j, const char* field, std::optional<int> err,
                                    const std::string& obj) {
    std::string at = obj + "/" + field;
    if (!j.contains(field) || !j[field].is_string()) {
      Fail(at, "required, a SCMP_ACT_* string");
      return std::nullopt;
    }
    std::string a = j[field].get<std::string>();
    if (err && a != "SCMP_ACT_ERRNO" && a != "SCMP_ACT_TRACE") {
      Fail(at,
           fmt::format("{} takes no errno, but one is given (the runtime spec says runtimes must "
                       "refuse this)",
                       a));
      return std::nullopt;
    }
    if (a == "SCMP_ACT_ALLOW") return Action::Allow();
    if (a == "SCMP_ACT_ERRNO") {
      if (err.value_or(1) > 4095) {
        Fail(at, fmt::format("SCMP_ACT_ERRNO takes an errno 0..4095, not {}", *err));
        return std::nullopt;
      }
      return Action::Errno(static_cast<uint32_t>(err.value_or(1)));
    }
    if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD") return Action::KillThread();
    if (a == "SCMP_ACT_KILL_PROCESS") return Action::KillProcess();
    if (a == "SCMP_ACT_TRAP") return Action::Trap(0);
    if (a == "SCMP_ACT_TRACE") return Action::Trace(static_cast<uint32_t>(err.value_or(0)));
    if (a == "SCMP_ACT_LOG") return Action::Log();
    if (a == "SCMP_ACT_NOTIFY") return Action::Notify();
    Fail(at, fmt::format("unknown action '{}'", a));
    return std::nullopt;
  }

  // flags, listenerPath, listenerMetadata: kept for the installer and for export.
  void Runtime(const json& doc) {
    if (doc.contains("flags") && !doc["flags"].is_null()) {
      if (!doc["flags"].is_array()) {
        Fail("/flags", "must be an array of SECCOMP_FILTER_FLAG_* names");
        return;
      }
      for (size_t i = 0; i < doc["flags"].size(); ++i) {
        const json& f = doc["flags"][i];
        std::string name = f.is_string() ? f.get<std::string>() : ShortJson(f);
        if (!IsOciFilterFlag(name)) {
          Fail(fmt::format("/flags/{}", i), fmt::format("unknown flag {} (runc refuses it)", name));
          continue;
        }
        out_.runtime.flags.push_back(name);
      }
    }
    for (auto [field, dest] : {std::pair{"listenerPath", &out_.runtime.listener_path},
                               std::pair{"listenerMetadata", &out_.runtime.listener_metadata}}) {
      if (!doc.contains(field) || doc[field].is_null()) continue;
      if (!doc[field].is_string()) {
        Fail(std::string("/") + field, "must be a string");
        continue;
      }
      *dest = doc[field].get<std::string>();
    }
    if (!out_.runtime.listener_metadata.empty() && out_.runtime.listener_path.empty()) {
      Fail("/listenerMetadata", "set without listenerPath (the runtime spec forbids it)");
    }
  }

  bool Arches(const json& doc, Policy& p) {
    bool has_list = doc.contains("architectures") && !doc["architectures"].is_null();
    bool has_map = doc.contains("archMap") && !doc["archMap"].is_null();
    if (has_list && has_map) {
      Fail("/archMap", "set beside architectures (Docker refuses this)");
      return false;
    }
    auto add = [&](const json& name, const std::string& at) {
      if (!name.is_string()) {
        Fail(at, "expected an arch name");
        return;
      }
      auto a = ArchFromName(name.get<std::string>());
      if (!a) {
        Say(Severity::kWarning, at,
            fmt::format("arch '{}' is not supported by sysgate; skipped", name.get<std::string>()));
        return;
      }
      if (std::ranges::find(p.arches, *a) == p.arches.end()) p.arches.push_back(*a);
    };
    if (has_list) {
      if (!doc["architectures"].is_array()) {
        Fail("/architectures", "must be an array");
        return false;
      }
      for (size_t i = 0; i < doc["architectures"].size(); ++i) {
        add(doc["architectures"][i], fmt::format("/architectures/{}", i));
      }
      // libseccomp always adds the native arch.
      if (!p.arches.empty() && std::ranges::find(p.arches, host_) == p.arches.end())
        p.arches.insert(p.arches.begin(), host_);
    } else if (has_map) {
      for (size_t i = 0; i < doc["archMap"].size(); ++i) {
        const json& m = doc["archMap"][i];
        std::string ptr = fmt::format("/archMap/{}", i);
        if (!m.contains("architecture") || !m["architecture"].is_string()) continue;
        auto a = ArchFromName(m["architecture"].get<std::string>());
        if (a != host_) continue;
        add(m["architecture"], ptr + "/architecture");
        if (m.contains("subArchitectures")) {
          for (size_t k = 0; k < m["subArchitectures"].size(); ++k) {
            add(m["subArchitectures"][k], fmt::format("{}/subArchitectures/{}", ptr, k));
          }
        }
      }
      // A native arch the map does not name (32-bit arm, mipsel): runc's filter has it alone.
      if (p.arches.empty()) p.arches = {host_};
    }
    return true;
  }

  bool ArchListed(const json& arches) const {
    for (const json& a : arches) {
      if (a.is_string() && ArchFromName(a.get<std::string>()) == host_) return true;
    }
    return false;
  }

  // Whether the target kernel is at least minKernel `v` (none, with an error, when `v` is not
  // a version).
  std::optional<bool> KernelAtLeast(const json& v, const std::string& at) {
    auto version = v.is_string() ? ParseKernelVersion(v.get<std::string>()) : std::nullopt;
    if (!version) {
      Fail(at, fmt::format("expected a kernel version such as \"4.8\", not {}", ShortJson(v)));
      return std::nullopt;
    }
    return kernel_ >= *version;
  }

  bool HasCap(const std::string& c) const { return std::ranges::find(o_.caps, c) != o_.caps.end(); }

  // Docker's includes/excludes, evaluated as Docker does for the target.
  bool Applies(const json& r, const std::string& ptr) {
    if (r.contains("excludes") && r["excludes"].is_object()) {
      const json& e = r["excludes"];
      if (e.contains("arches") && ArchListed(e["arches"])) return false;
      if (e.contains("caps")) {
        for (const json& c : e["caps"]) {
          if (c.is_string() && HasCap(c.get<std::string>())) return false;
        }
      }
      if (e.contains("minKernel") &&
          KernelAtLeast(e["minKernel"], ptr + "/excludes/minKernel").value_or(true))
        return false;
    }
    if (r.contains("includes") && r["includes"].is_object()) {
      const json& i = r["includes"];
      if (i.contains("arches") && i["arches"].is_array() && !i["arches"].empty() &&
          !ArchListed(i["arches"]))
        return false;
      if (i.contains("caps")) {
        for (const json& c : i["caps"]) {
          if (c.is_string() && !HasCap(c.get<std::string>())) return false;
        }
      }
      if (i.contains("minKernel") &&
          !KernelAtLeast(i["minKernel"], ptr + "/includes/minKernel").value_or(false))
        return false;
    }
    return true;
  }

  void Rules(const json& r, size_t i, Policy& p) {
    std::string ptr = fmt::format("/syscalls/{}", i);
    if (!r.is_object()) {
      Fail(ptr, "expected an object");
      return;
    }
    if (!Applies(r, ptr)) return;
    std::optional<int> err = ErrnoField(r, "errnoRet", "errno", ptr);
    auto action = ActionField(r, "action", err, ptr);
    if (!action) return;
    std::vector<std::string> names;
    if (r.contains("names") && r["names"].is_array()) {
      for (const json& n : r["names"]) {
        if (n.is_string()) names.push_back(n.get<std::string>());
      }
    } else if (r.contains("name") && r["name"].is_string()) {
      names.push_back(r["name"].get<std::string>());  // Docker's deprecated form
    }
    if (names.empty()) {
      Fail(ptr + "/names", "required, at least one syscall name");
      return;
    }
    if (*action == p.default_action) {
      return;  // runc drops rules that repeat the default
    }
    Rule rule;
    rule.action = *action;
    rule.loc = At(ptr);
    for (size_t k = 0; k < names.size(); ++k) {
      const std::string& n = names[k];
      if (!IsSyscallName(n)) {
        Say(o_.strict ? Severity::kError : Severity::kWarning, fmt::format("{}/names/{}", ptr, k),
            fmt::format("unknown syscall '{}'{}", n,
                        o_.strict ? "" : "; skipped (runc ignores it)"));
        continue;
      }
      bool somewhere =
          std::ranges::any_of(targets_, [&](Arch a) { return SyscallNumber(a, n).has_value(); });
      if (somewhere) rule.syscalls.push_back(SyscallSpec::Name(n));
    }
    if (rule.syscalls.empty()) return;  // none of them exists on the target arches
    // Arguments: ANDed; two on one index become separate rules (runc's workaround).
    std::vector<Comparison> cmps;
    std::set<int> indices;
    bool repeated = false;
    if (r.contains("args") && r["args"].is_array()) {
      for (size_t k = 0; k < r["args"].size(); ++k) {
        auto c = Arg(r["args"][k], fmt::format("{}/args/{}", ptr, k));
        if (!c) return;
        if (!indices.insert(c->arg.index).second) repeated = true;
        cmps.push_back(*c);
      }
    }
    if (cmps.empty()) {
      p.rules.push_back(std::move(rule));
      return;
    }
    if (repeated) {
      Say(Severity::kWarning, ptr + "/args",
          "two conditions on one argument; like runc, each becomes its own rule (OR, not AND)");
      for (const Comparison& c : cmps) {
        Rule one = rule;
        one.condition = Condition::Compare(c);
        p.rules.push_back(std::move(one));
      }
      return;
    }
    std::vector<Condition> conds;
    for (const Comparison& c : cmps) conds.push_back(Condition::Compare(c));
    rule.condition = conds.size() == 1 ? conds[0] : Condition::And(std::move(conds));
    p.rules.push_back(std::move(rule));
  }

  std::optional<Comparison> Arg(const json& a, const std::string& ptr) {
    if (!a.is_object() || !a.contains("index") || !a["index"].is_number_unsigned() ||
        a["index"].get<uint64_t>() > 5 || !a.contains("value") ||
        !a["value"].is_number_unsigned() || !a.contains("op") || !a["op"].is_string()) {
      Fail(ptr, "expected {index: 0..5, value: uint64, op: SCMP_CMP_*}");
      return std::nullopt;
    }
    Comparison c;
    c.arg.index = static_cast<int>(a["index"].get<uint64_t>());
    c.arg.width = Width::k64;  // libseccomp compares all 64 bits
    c.arg.is_signed = false;
    c.arg.explicit_type = true;
    uint64_t v = a["value"].get<uint64_t>();
    uint64_t v2 = a.contains("valueTwo") && a["valueTwo"].is_number_unsigned()
                      ? a["valueTwo"].get<uint64_t>()
                      : 0;
    std::string op = a["op"].get<std::string>();
    if (op == "SCMP_CMP_EQ")
      c.op = CmpOp::kEq;
    else if (op == "SCMP_CMP_NE")
      c.op = CmpOp::kNe;
    else if (op == "SCMP_CMP_LT")
      c.op = CmpOp::kLt;
    else if (op == "SCMP_CMP_LE")
      c.op = CmpOp::kLe;
    else if (op == "SCMP_CMP_GT")
      c.op = CmpOp::kGt;
    else if (op == "SCMP_CMP_GE")
      c.op = CmpOp::kGe;
    else if (op == "SCMP_CMP_MASKED_EQ")
      c.op = CmpOp::kMaskedEq;
    else {
      Fail(ptr + "/op", fmt::format("unknown operator '{}'", op));
      return std::nullopt;
    }
    if (c.op == CmpOp::kMaskedEq) {
      c.operands = {WordOperand(v), WordOperand(v2)};  // (arg & value) == valueTwo
    } else {
      c.operands = {WordOperand(v)};
    }
    return c;
  }

  // A value as libseccomp compares it: all 64 bits on 64-bit ABIs, the low 32 on ABIs with a
  // 32-bit long (x32 too), whose arguments it reads as 32-bit values.
  static Operand WordOperand(uint64_t v) {
    Operand o{v, {}, nullptr};
    if (v <= 0xffffffffULL) return o;
    auto per_abi = std::make_shared<AbiValues>();
    for (Arch a : AllArches())
      per_abi->values[static_cast<size_t>(a)] = Info(a).word_bits == 32 ? v & 0xffffffffULL : v;
    o.per_abi = std::move(per_abi);
    return o;
  }

  const ImportOptions& o_;
  Arch host_;  // the runtime's machine (HostRunning)
  JsonLocator locate_;
  std::string base_;  // the seccomp object's pointer: "/linux/seccomp" in a config.json
  std::pair<int, int> kernel_{0, 0};
  std::vector<Arch> targets_;
  Imported out_;
};

}  // namespace

Imported ImportOciDocument(nlohmann::json doc, const ImportOptions& options,
                           const JsonLocator& locate) {
  try {
    return Importer(options, locate).Run(std::move(doc));
  } catch (const std::exception& e) {  // a shape the checks above missed: never let it escape
    Imported out;
    out.diagnostics.push_back({Severity::kError, SourceLoc{options.filename, 0, 0},
                               std::string("malformed profile: ") + e.what(), 1});
    return out;
  }
}

Imported ImportOci(std::string_view text, const OciOptions& options) {
  json doc;
  if (std::optional<Diagnostic> bad = ParseJson(text, options.filename, doc)) {
    Imported out;
    out.diagnostics.push_back(std::move(*bad));
    return out;
  }
  return ImportOciDocument(std::move(doc), options, LocateInJson(text, options.filename));
}

}  // namespace sysgate::formats
