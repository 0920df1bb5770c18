// The policy model: what every front end (text, JSON, builder) produces and every back end
// (compiler, interpreter, printers) consumes.
//
//   Policy p;                                    // or PolicyBuilder, or ParsePolicyFile
//   p.default_action = Action::Errno(EPERM);
//   Rule r;
//   r.action = Action::Allow();
//   r.syscalls = {SyscallSpec::Name("openat")};
//   r.condition = Condition::Compare(...);       // see policy_builder.h for a terser way
//   p.rules.push_back(r);
//   std::vector<Diagnostic> d = ResolveAndValidate(p);   // names -> indices, widths; checks
//
// Semantics (the reference interpreter in interpreter.h implements exactly this):
//  * A syscall from an ABI that is not a target (including x32 on x86_64 unless x32 is named)
//    gets kill-process.
//  * Otherwise the first rule whose syscall set holds the number (on that ABI) and whose
//    condition holds gives the action.
//  * If none does: the default action for numbers in the ABI's table, the unknown action
//    (ENOSYS unless set) for numbers the table does not know.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/access_rules.h"
#include "sysgate/arch.h"
#include "sysgate/result.h"

namespace sysgate {

// ---- actions ----

enum class ActionKind : uint8_t {
  kAllow,
  kErrno,  // fail with errno data (1..4095; 0 only with allow_errno_zero)
  kKillProcess,
  kKillThread,
  kTrap,    // SIGSYS with data (0..65535) in si_errno
  kTrace,   // notify a ptrace tracer with data (0..65535)
  kLog,     // allow and log
  kNotify,  // ask the user-space supervisor
};

class Action {
 public:
  Action() = default;
  static Action Allow() { return Action(ActionKind::kAllow, 0); }
  static Action Errno(uint32_t err) { return Action(ActionKind::kErrno, err); }
  static Action KillProcess() { return Action(ActionKind::kKillProcess, 0); }
  static Action KillThread() { return Action(ActionKind::kKillThread, 0); }
  static Action Trap(uint32_t data = 0) { return Action(ActionKind::kTrap, data); }
  static Action Trace(uint32_t data = 0) { return Action(ActionKind::kTrace, data); }
  static Action Log() { return Action(ActionKind::kLog, 0); }
  // data: nothing to the kernel; sysgate run's routing keeps the errno it answers with there.
  static Action Notify(uint32_t data = 0) { return Action(ActionKind::kNotify, data); }

  ActionKind kind() const { return kind_; }
  // errno for kErrno, the 16-bit data for kTrap/kTrace/kNotify, 0 otherwise. Not range-checked
  // here: Validate() reports values the kernel would not carry.
  uint32_t data() const { return data_; }

  // "allow", "errno(EPERM)", "kill-process", "trap(3)", ... (the native language spelling).
  std::string ToString() const;
  friend bool operator==(const Action&, const Action&) = default;

 private:
  Action(ActionKind kind, uint32_t data) : kind_(kind), data_(data) {}
  ActionKind kind_ = ActionKind::kKillProcess;
  uint32_t data_ = 0;
};

std::string_view ActionKindName(ActionKind kind);  // "allow", "errno", "kill-process", ...

// ---- conditions ----

enum class Width : uint8_t { k32, k64 };

// One syscall argument as a condition reads it. A policy holds what x86_64's prototypes say;
// policy/for_abi.h gives what each ABI reads (clone's flags are arg1 on s390x).
struct ArgRef {
  int index = -1;            // 0..5; -1 until a name is resolved
  std::string name;          // as written ("flags"); empty when given by index
  Width width = Width::k64;  // filled in by resolution unless explicit
  bool is_signed = false;
  bool explicit_type = false;  // width and signedness were written (flags:u64), not inferred
  // A 64-bit value that an ABI with 32-bit registers passes in two (pread64's pos on i386):
  // the register of its high half; `index` is its low half's. -1 otherwise.
  int hi_index = -1;

  friend bool operator==(const ArgRef& a, const ArgRef& b) {
    return a.index == b.index && a.name == b.name && a.width == b.width &&
           a.is_signed == b.is_signed && a.explicit_type == b.explicit_type &&
           a.hi_index == b.hi_index;
  }
};

// A constant's value on each ABI, where it depends on the ABI (O_DIRECTORY is 0200000 on
// x86_64 and 040000 on aarch64).
struct AbiValues {
  std::array<uint64_t, kNumArches> values{};  // by Arch
  uint32_t missing = 0;  // bit i: Arch i has no value (a name its headers do not define)
  friend bool operator==(const AbiValues&, const AbiValues&) = default;
};

// A constant, with the text it was written as (O_RDONLY | O_CLOEXEC) so that printers can keep
// names. The spelling is not part of equality.
struct Operand {
  uint64_t value = 0;  // x86_64's (for a name x86_64 does not have, the first ABI's that has it)
  std::string spelling;
  std::shared_ptr<const AbiValues> per_abi;  // set only when the value is not the same everywhere

  // The value on `abi`; nothing where a name the constant uses has no value there.
  std::optional<uint64_t> On(Arch abi) const;
  friend bool operator==(const Operand& a, const Operand& b);
};

enum class CmpOp : uint8_t {
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kMaskedEq,  // (arg & operands[0]) == operands[1]
  kIn,        // arg is one of operands (sorted by value, no duplicates)
  kRange,     // operands[0] <= arg <= operands[1]
};
std::string_view CmpOpSymbol(CmpOp op);  // "==", "<", ... ("&", "in", ".." for the others)

struct Comparison {
  ArgRef arg;
  CmpOp op = CmpOp::kEq;
  std::vector<Operand> operands;  // one for kEq..kGe; see CmpOp for the others
  SourceLoc loc;                  // not part of equality

  friend bool operator==(const Comparison& a, const Comparison& b) {
    return a.arg == b.arg && a.op == b.op && a.operands == b.operands;
  }
};

// A boolean expression over comparisons. And/Or are n-ary and flattened on construction
// (And(a, And(b, c)) == And(a, b, c)), so equal conditions have equal trees.
class Condition {
 public:
  enum class Kind : uint8_t { kCompare, kAnd, kOr, kNot };

  static Condition Compare(Comparison c);
  static Condition And(std::vector<Condition> children);
  static Condition Or(std::vector<Condition> children);
  static Condition Not(Condition child);

  Kind kind() const { return kind_; }
  const Comparison& comparison() const { return cmp_; }
  Comparison& comparison() { return cmp_; }
  const std::vector<Condition>& children() const { return children_; }
  std::vector<Condition>& children() { return children_; }

  friend bool operator==(const Condition&, const Condition&) = default;

 private:
  static Condition Nary(Kind kind, std::vector<Condition> children);

  Kind kind_ = Kind::kCompare;
  Comparison cmp_;
  std::vector<Condition> children_;
};

Condition operator&&(Condition a, Condition b);
Condition operator||(Condition a, Condition b);
Condition operator!(Condition a);

// ---- rules and policies ----

// One element of a rule's syscall set.
struct SyscallSpec {
  enum class Kind : uint8_t { kName, kGroup, kNumber };
  Kind kind = Kind::kName;
  std::string name;    // syscall name, or group name with its '@'
  int32_t number = 0;  // for kNumber: the number on every arch the rule covers
  SourceLoc loc;       // not part of equality

  static SyscallSpec Name(std::string n) { return {Kind::kName, std::move(n), 0, {}}; }
  static SyscallSpec Group(std::string g) { return {Kind::kGroup, std::move(g), 0, {}}; }
  static SyscallSpec Number(int32_t nr) { return {Kind::kNumber, {}, nr, {}}; }

  friend bool operator==(const SyscallSpec& a, const SyscallSpec& b) {
    return a.kind == b.kind && a.name == b.name && a.number == b.number;
  }
};

struct Rule {
  Action action = Action::Allow();
  std::vector<SyscallSpec> syscalls;
  std::vector<Arch> arches;  // the rule applies only on these ABIs; empty: on every target
  std::optional<Condition> condition;
  SourceLoc loc;  // not part of equality

  friend bool operator==(const Rule& a, const Rule& b) {
    return a.action == b.action && a.syscalls == b.syscalls && a.arches == b.arches &&
           a.condition == b.condition;
  }
};

// A named constant defined by the policy text (`const PORT_MIN = 1024`).
struct NamedConstant {
  std::string name;
  Operand value;
  friend bool operator==(const NamedConstant&, const NamedConstant&) = default;
};

struct Policy {
  Action default_action = Action::KillProcess();
  Action unknown_action = Action::Errno(38);  // ENOSYS: lets libc fall back for new syscalls
  // A call of an ABI the policy does not target (another arch, i386 on x86_64, x32 numbers on
  // an x86_64-only policy): the language's `foreign ACTION`, which decompile writes for
  // libseccomp's filters (kill-thread); `sysgate run --audit` sets notify, to report such calls
  // instead of dying of them. Other formats cannot say it (their readers keep the default).
  Action foreign_abi_action = Action::KillProcess();
  std::vector<Arch> arches;       // targets; empty: DefaultArches()
  bool allow_errno_zero = false;  // opt-in for errno(0), which fakes success
  std::vector<NamedConstant> constants;
  std::vector<Rule> rules;
  AccessRules access;                  // fs, net, scope: Landlock (access_rules.h)
  SourceLoc default_loc, unknown_loc;  // where the actions were set; not part of equality

  // The targets, with the default filled in.
  std::vector<Arch> TargetArches() const;
  // Every kind of action the policy can return (the default, unknown and foreign-ABI actions
  // and every rule's), sorted: what a kernel must support to run it.
  std::vector<ActionKind> ActionKinds() const;

  friend bool operator==(const Policy& a, const Policy& b) {
    return a.default_action == b.default_action && a.unknown_action == b.unknown_action &&
           a.foreign_abi_action == b.foreign_abi_action && a.arches == b.arches &&
           a.allow_errno_zero == b.allow_errno_zero && a.constants == b.constants &&
           a.rules == b.rules && a.access == b.access;
  }
};

// ---- what a rule names ----

namespace policy {

// True if `rule` applies on `arch`: its arch guard is empty or names it.
bool RuleAppliesTo(const Rule& rule, Arch arch);

// The spec of `rule` that names the syscall `name`: one that names it directly if there is one,
// else a group that holds it; nullptr when the rule does not name it by name (numbers aside).
// Through it a report says which group of the deciding rule held a call.
const SyscallSpec* SpecNaming(const Rule& rule, std::string_view name);

}  // namespace policy

// ---- diagnostics ----

enum class Severity : uint8_t { kError, kWarning, kNote };
std::string_view SeverityName(Severity s);

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLoc loc;
  std::string message;
  int length = 1;  // characters to underline at loc
};

bool HasErrors(const std::vector<Diagnostic>& diags);
// The first error as an Error (for Result-returning APIs); kInvalidArgument.
Error FirstError(const std::vector<Diagnostic>& diags);

// Fills in every ArgRef (index from the name, width and signedness from the signature table
// unless explicit), normalises 32-bit constants, then checks the policy (see validate.h for
// the list). Returns the diagnostics; the policy is usable iff there is no error.
std::vector<Diagnostic> ResolveAndValidate(Policy& policy);

}  // namespace sysgate
