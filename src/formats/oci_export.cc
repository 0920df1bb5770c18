// Policy to OCI runtime-spec linux.seccomp JSON, written so that runc and crun (through
// libseccomp) give sysgate's verdicts: rules made disjoint per syscall (flatten.h), 32-bit and
// signed comparisons as masked compares, one comparison per argument in each rule.
#include <errno.h>

#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "formats/flatten.h"
#include "formats/oci_json.h"
#include "formats/registry.h"

namespace sysgate::formats {
namespace {

using ojson = nlohmann::ordered_json;

void Warn(std::vector<Diagnostic>& d, std::string msg) {
  d.push_back({Severity::kWarning, {}, std::move(msg), 1});
}

// Sets action (and errnoRet) on `obj`.
void PutAction(ojson& obj, const char* field, const char* errno_field, const Action& a,
               std::vector<Diagnostic>& diags) {
  switch (a.kind()) {
    case ActionKind::kAllow: obj[field] = "SCMP_ACT_ALLOW"; return;
    case ActionKind::kErrno:
      obj[field] = "SCMP_ACT_ERRNO";
      obj[errno_field] = a.data();
      return;
    case ActionKind::kKillProcess: obj[field] = "SCMP_ACT_KILL_PROCESS"; return;
    case ActionKind::kKillThread: obj[field] = "SCMP_ACT_KILL_THREAD"; return;
    case ActionKind::kTrap:
      obj[field] = "SCMP_ACT_TRAP";
      if (a.data() != 0) {
        Warn(diags, fmt::format("OCI has no data for SCMP_ACT_TRAP: trap({}) is written as trap(0)",
                                a.data()));
      }
      return;
    case ActionKind::kTrace:
      obj[field] = "SCMP_ACT_TRACE";
      obj[errno_field] = a.data();  // runc passes errnoRet as the trace data
      return;
    case ActionKind::kLog: obj[field] = "SCMP_ACT_LOG"; return;
    case ActionKind::kNotify: obj[field] = "SCMP_ACT_NOTIFY"; return;
  }
}

constexpr std::string_view kFilterFlags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                             "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                             "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

}  // namespace

bool IsOciFilterFlag(std::string_view name) {
  return std::ranges::find(kFilterFlags, name) != std::end(kFilterFlags);
}

std::string OciFilterFlagNames() { return fmt::format("{}", fmt::join(kFilterFlags, ", ")); }

std::string_view ScmpCmpName(CmpOp op) {
  switch (op) {
    case CmpOp::kEq: return "SCMP_CMP_EQ";
    case CmpOp::kNe: return "SCMP_CMP_NE";
    case CmpOp::kLt: return "SCMP_CMP_LT";
    case CmpOp::kLe: return "SCMP_CMP_LE";
    case CmpOp::kGt: return "SCMP_CMP_GT";
    case CmpOp::kGe: return "SCMP_CMP_GE";
    case CmpOp::kMaskedEq: return "SCMP_CMP_MASKED_EQ";
    default: return "?";
  }
}

Policy OciMeaning(const Policy& p) {
  Policy m = WithoutTrapData(p);
  m.unknown_action = Action::Errno(ENOSYS);
  return m;
}

ojson OciSeccompObject(const Policy& p, const ExportOptions& o, std::vector<Diagnostic>& diags) {
  ojson out = ojson::object();
  PutAction(out, "defaultAction", "defaultErrnoRet", p.default_action, diags);
  if (p.default_action.kind() == ActionKind::kNotify) {
    diags.push_back(
        {Severity::kError, {}, "runc refuses SCMP_ACT_NOTIFY as the default action", 1});
  }
  ojson arches = ojson::array();
  for (Arch a : p.TargetArches()) arches.push_back(Info(a).scmp_name);
  out["architectures"] = arches;
  for (const std::string& f : o.runtime.flags) {
    if (!IsOciFilterFlag(f)) {
      diags.push_back(
          {Severity::kError,
           {},
           fmt::format("unknown seccomp filter flag '{}' (runc knows {})", f, OciFilterFlagNames()),
           1});
    }
  }
  if (!o.runtime.listener_metadata.empty() && o.runtime.listener_path.empty()) {
    diags.push_back({Severity::kError,
                     {},
                     "listenerMetadata needs a listenerPath (the runtime spec forbids it alone)",
                     1});
  }
  if (!o.runtime.flags.empty()) out["flags"] = o.runtime.flags;
  if (!o.runtime.listener_path.empty()) out["listenerPath"] = o.runtime.listener_path;
  if (!o.runtime.listener_metadata.empty()) out["listenerMetadata"] = o.runtime.listener_metadata;
  if (p.unknown_action != Action::Errno(ENOSYS)) {
    Warn(diags, fmt::format("OCI cannot set the action for unknown syscall numbers ({}): runc "
                            "returns ENOSYS for numbers above the profile's newest syscall and "
                            "the default action for the others",
                            p.unknown_action.ToString()));
  }
  FlattenOptions fo;
  fo.format = "OCI";
  ojson syscalls = ojson::array();
  bool notify = p.default_action.kind() == ActionKind::kNotify;
  std::vector<FlatRule> flat = Flatten(p, fo, diags);
  std::vector<std::string_view> narrow;  // targets where libseccomp compares 32-bit values
  for (Arch a : p.TargetArches()) {
    if (Info(a).word_bits == 32) narrow.push_back(Info(a).name);
  }
  bool wide = std::ranges::any_of(flat, [](const FlatRule& r) {
    return std::ranges::any_of(
        r.args, [](const ArgLit& l) { return (l.value | l.value_two) > 0xffffffffULL; });
  });
  if (wide && !narrow.empty()) {
    Warn(diags, fmt::format("libseccomp compares the low 32 bits of arguments on {}: the "
                            "comparisons with constants beyond 32 bits mean something else there",
                            fmt::join(narrow, ", ")));
  }
  for (const FlatRule& r : flat) {
    ojson e = ojson::object();
    e["names"] = r.names;
    PutAction(e, "action", "errnoRet", r.action, diags);
    notify |= r.action.kind() == ActionKind::kNotify;
    if (!r.args.empty()) {
      ojson args = ojson::array();
      for (const ArgLit& l : r.args) {
        ojson a = ojson::object();
        a["index"] = l.index;
        a["value"] = l.value;
        if (l.op == CmpOp::kMaskedEq) a["valueTwo"] = l.value_two;
        a["op"] = ScmpCmpName(l.op);
        args.push_back(a);
      }
      e["args"] = args;
    }
    syscalls.push_back(e);
  }
  out["syscalls"] = syscalls;
  if (notify && o.runtime.listener_path.empty()) {
    Warn(diags,
         "the profile uses SCMP_ACT_NOTIFY but has no listenerPath: the runtime needs one "
         "(--listener-path) to hand the notification fd to a supervisor");
  }
  return out;
}

Exported ExportOci(const Policy& p, const ExportOptions& o) {
  Exported e;
  ojson obj = OciSeccompObject(p, o, e.diagnostics);
  if (!HasErrors(e.diagnostics)) {
    e.text = obj.dump(2) + "\n";
    e.means = OciMeaning(p);
  }
  return e;
}

}  // namespace sysgate::formats
