// PolicyBuilder: a policy from C++, with the same power as the policy language.
//
//   using namespace sysgate;
//   Result<Policy> p = PolicyBuilder()
//       .Default(Action::Errno(EPERM))
//       .Allow({"read", "write", "close", "@exit"})
//       .Allow("openat").If((Arg("flags") & O_ACCMODE) == O_RDONLY)
//       .Allow("socket").If(Arg("family").In({AF_UNIX, AF_INET, AF_INET6}))
//       .Errno(EACCES, "openat")
//       .Build();
//   if (!p) return p.error();     // the first error, with the file:line of the call
//
// Arguments are named as in the syscall's prototype (`Arg("flags")`) or by index (`Arg(2)`);
// their width and signedness come from the signature table unless given (`Arg(1).U64()`).
// Errors (a misplaced If, an unknown syscall, errno out of range, ...) are collected and the
// first is returned by Build(); nothing throws.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <source_location>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate {

class MaskedArg;

// A syscall argument in a condition: Arg(2), Arg("flags"), Arg("cmd").U32().
class Arg {
 public:
  explicit Arg(int index) { ref_.index = index; }
  explicit Arg(std::string_view name) { ref_.name = std::string(name); }

  Arg U32() const { return Typed(Width::k32, false); }
  Arg S32() const { return Typed(Width::k32, true); }
  Arg U64() const { return Typed(Width::k64, false); }
  Arg S64() const { return Typed(Width::k64, true); }

  Condition operator==(int64_t v) const { return Cmp(CmpOp::kEq, {v}); }
  Condition operator!=(int64_t v) const { return Cmp(CmpOp::kNe, {v}); }
  Condition operator<(int64_t v) const { return Cmp(CmpOp::kLt, {v}); }
  Condition operator<=(int64_t v) const { return Cmp(CmpOp::kLe, {v}); }
  Condition operator>(int64_t v) const { return Cmp(CmpOp::kGt, {v}); }
  Condition operator>=(int64_t v) const { return Cmp(CmpOp::kGe, {v}); }
  Condition In(std::initializer_list<int64_t> values) const { return Cmp(CmpOp::kIn, values); }
  Condition In(const std::vector<int64_t>& values) const;
  Condition Between(int64_t low, int64_t high) const { return Cmp(CmpOp::kRange, {low, high}); }
  MaskedArg operator&(int64_t mask) const;

  const ArgRef& ref() const { return ref_; }

 private:
  Arg Typed(Width w, bool s) const {
    Arg a = *this;
    a.ref_.width = w;
    a.ref_.is_signed = s;
    a.ref_.explicit_type = true;
    return a;
  }
  Condition Cmp(CmpOp op, std::initializer_list<int64_t> values) const;
  Condition Compare(CmpOp op, const std::vector<int64_t>& values) const;
  ArgRef ref_;
};

// (arg & mask), compared with == or != (`(Arg("flags") & O_ACCMODE) == O_RDONLY`).
class MaskedArg {
 public:
  MaskedArg(ArgRef ref, uint64_t mask) : ref_(std::move(ref)), mask_(mask) {}
  Condition operator==(int64_t v) const;
  Condition operator!=(int64_t v) const { return !(*this == v); }

 private:
  ArgRef ref_;
  uint64_t mask_;
};

// A syscall number for rules that name one directly: Allow(Nr(451)).On({Arch::kX86_64}).
struct Nr {
  int32_t value;
};

// What a rule applies to: syscall names, "@group" names, and numbers.
class SyscallList {
 public:
  SyscallList(const char* name) { Add(name); }
  SyscallList(std::string_view name) { Add(name); }
  SyscallList(const std::string& name) { Add(name); }
  SyscallList(Nr nr) { specs_.push_back(SyscallSpec::Number(nr.value)); }
  SyscallList(std::initializer_list<std::string_view> names) {
    for (std::string_view n : names) Add(n);
  }
  SyscallList(const std::vector<std::string>& names) {
    for (const std::string& n : names) Add(n);
  }
  const std::vector<SyscallSpec>& specs() const { return specs_; }

 private:
  void Add(std::string_view n) {
    specs_.push_back(n.starts_with('@') ? SyscallSpec::Group(std::string(n))
                                        : SyscallSpec::Name(std::string(n)));
  }
  std::vector<SyscallSpec> specs_;
};

class PolicyBuilder {
 public:
  using Loc = std::source_location;

  PolicyBuilder() = default;
  explicit PolicyBuilder(std::vector<Arch> arches) { policy_.arches = std::move(arches); }

  PolicyBuilder& Default(Action a, Loc loc = Loc::current());
  PolicyBuilder& Unknown(Action a, Loc loc = Loc::current());
  PolicyBuilder& Arches(std::vector<Arch> arches);

  PolicyBuilder& Add(Action a, const SyscallList& syscalls, Loc loc = Loc::current());
  PolicyBuilder& Allow(const SyscallList& s, Loc loc = Loc::current()) {
    return Add(Action::Allow(), s, loc);
  }
  PolicyBuilder& Errno(int err, const SyscallList& s, Loc loc = Loc::current()) {
    return Add(Action::Errno(static_cast<uint32_t>(err)), s, loc);
  }
  PolicyBuilder& KillProcess(const SyscallList& s, Loc loc = Loc::current()) {
    return Add(Action::KillProcess(), s, loc);
  }
  PolicyBuilder& KillThread(const SyscallList& s, Loc loc = Loc::current()) {
    return Add(Action::KillThread(), s, loc);
  }
  PolicyBuilder& Trap(const SyscallList& s, uint32_t data = 0, Loc loc = Loc::current()) {
    return Add(Action::Trap(data), s, loc);
  }
  PolicyBuilder& Trace(const SyscallList& s, uint32_t data = 0, Loc loc = Loc::current()) {
    return Add(Action::Trace(data), s, loc);
  }
  PolicyBuilder& Log(const SyscallList& s, Loc loc = Loc::current()) {
    return Add(Action::Log(), s, loc);
  }
  PolicyBuilder& Notify(const SyscallList& s, Loc loc = Loc::current()) {
    return Add(Action::Notify(), s, loc);
  }

  // The condition of the rule added last (once per rule).
  PolicyBuilder& If(Condition c, Loc loc = Loc::current());
  // Limits the rule added last to these ABIs.
  PolicyBuilder& On(std::vector<Arch> arches, Loc loc = Loc::current());

  // Files, ports and scopes (Landlock; access_rules.h, docs/landlock.md), as `fs`, `net` and
  // `scope` statements say them:
  //   .Fs(fs_access::kRead | fs_access::kExecute, {"/usr"})   // fs read exec /usr
  //   .FsNone()                                                // fs none
  //   .Net(net_access::kBindTcp, {80, 443})                    // net bind 80, 443
  //   .NetNone(net_access::kConnectTcp)                        // net connect none
  //   .Scope(scope::kSignal)                                   // scope signals
  //   .LandlockBestEffort()                                    // fs best-effort
  PolicyBuilder& Fs(uint64_t access, const std::vector<std::string>& paths,
                    Loc loc = Loc::current());
  PolicyBuilder& FsNone(Loc loc = Loc::current());
  PolicyBuilder& Net(uint64_t access, const std::vector<uint16_t>& ports, Loc loc = Loc::current());
  PolicyBuilder& NetNone(uint64_t access, Loc loc = Loc::current());
  PolicyBuilder& Scope(uint64_t scopes, Loc loc = Loc::current());
  PolicyBuilder& LandlockBestEffort() {
    policy_.access.best_effort = true;
    return *this;
  }

  // errno(0) makes a syscall return 0 without running it; refused unless opted in.
  PolicyBuilder& DangerAllowErrnoZero() {
    policy_.allow_errno_zero = true;
    return *this;
  }

  // The policy, resolved and checked; or the first error. Warnings are not errors: see
  // ResolveAndValidate() to read them.
  Result<Policy> Build() const;

 private:
  void Fail(std::string msg, const Loc& loc);
  static SourceLoc ToSourceLoc(const Loc& loc);

  Policy policy_;
  std::optional<Error> error_;
};

}  // namespace sysgate
