#include "sysgate/policy_builder.h"

#include <fmt/format.h>

namespace sysgate {

Condition Arg::In(const std::vector<int64_t>& values) const { return Compare(CmpOp::kIn, values); }

Condition Arg::Cmp(CmpOp op, std::initializer_list<int64_t> values) const {
  return Compare(op, std::vector<int64_t>(values));
}

Condition Arg::Compare(CmpOp op, const std::vector<int64_t>& values) const {
  Comparison c;
  c.arg = ref_;
  c.op = op;
  for (int64_t v : values) c.operands.push_back({static_cast<uint64_t>(v), {}});
  return Condition::Compare(std::move(c));
}

MaskedArg Arg::operator&(int64_t mask) const {
  return MaskedArg(ref_, static_cast<uint64_t>(mask));
}

Condition MaskedArg::operator==(int64_t v) const {
  Comparison c;
  c.arg = ref_;
  c.op = CmpOp::kMaskedEq;
  c.operands = {{mask_, {}}, {static_cast<uint64_t>(v), {}}};
  return Condition::Compare(std::move(c));
}

SourceLoc PolicyBuilder::ToSourceLoc(const Loc& loc) {
  return SourceLoc{loc.file_name(), static_cast<int>(loc.line()), 0};
}

void PolicyBuilder::Fail(std::string msg, const Loc& loc) {
  if (!error_) error_ = MakeError(ErrorCode::kInvalidArgument, std::move(msg), ToSourceLoc(loc));
}

PolicyBuilder& PolicyBuilder::Fs(uint64_t access, const std::vector<std::string>& paths, Loc loc) {
  AccessRules& a = policy_.access;
  if (access == 0 || (access & ~fs_access::kAll)) Fail("Fs: rights must be fs_access bits", loc);
  if (a.handled_fs && a.paths.empty())
    Fail("Fs after FsNone: a rule that grants contradicts it", loc);
  a.handled_fs = fs_access::kAll;
  for (const std::string& p : paths) a.paths.push_back({access, p, ToSourceLoc(loc)});
  return *this;
}

PolicyBuilder& PolicyBuilder::FsNone(Loc loc) {
  if (!policy_.access.paths.empty())
    Fail("FsNone after Fs: it contradicts the rules that grant", loc);
  policy_.access.handled_fs = fs_access::kAll;
  return *this;
}

PolicyBuilder& PolicyBuilder::Net(uint64_t access, const std::vector<uint16_t>& ports, Loc loc) {
  AccessRules& a = policy_.access;
  if (access == 0 || (access & ~net_access::kAll)) Fail("Net: rights must be net_access bits", loc);
  a.handled_net |= access;
  for (uint16_t p : ports) a.ports.push_back({access, p, p, ToSourceLoc(loc)});
  return *this;
}

PolicyBuilder& PolicyBuilder::NetNone(uint64_t access, Loc loc) {
  if (access == 0 || (access & ~net_access::kAll))
    Fail("NetNone: rights must be net_access bits", loc);
  for (const PortRule& r : policy_.access.ports) {
    if (r.access & access) Fail("NetNone after Net for the same rights: it contradicts them", loc);
  }
  policy_.access.handled_net |= access;
  return *this;
}

PolicyBuilder& PolicyBuilder::Scope(uint64_t scopes, Loc loc) {
  if (scopes & ~scope::kAll) Fail("Scope: scopes must be scope bits", loc);
  policy_.access.scoped |= scopes;
  return *this;
}

PolicyBuilder& PolicyBuilder::Default(Action a, Loc) {
  policy_.default_action = a;
  return *this;
}

PolicyBuilder& PolicyBuilder::Unknown(Action a, Loc) {
  policy_.unknown_action = a;
  return *this;
}

PolicyBuilder& PolicyBuilder::Arches(std::vector<Arch> arches) {
  policy_.arches = std::move(arches);
  return *this;
}

PolicyBuilder& PolicyBuilder::Add(Action a, const SyscallList& syscalls, Loc loc) {
  Rule r;
  r.action = a;
  r.syscalls = syscalls.specs();
  r.loc = ToSourceLoc(loc);
  for (SyscallSpec& s : r.syscalls) s.loc = r.loc;
  if (r.syscalls.empty()) Fail("a rule needs at least one syscall", loc);
  policy_.rules.push_back(std::move(r));
  return *this;
}

PolicyBuilder& PolicyBuilder::If(Condition c, Loc loc) {
  if (policy_.rules.empty()) {
    Fail("If() needs a rule before it (Allow, Errno, ...)", loc);
  } else if (policy_.rules.back().condition) {
    Fail("the rule already has a condition: combine them with && or ||", loc);
  } else {
    policy_.rules.back().condition = std::move(c);
  }
  return *this;
}

PolicyBuilder& PolicyBuilder::On(std::vector<Arch> arches, Loc loc) {
  if (policy_.rules.empty()) {
    Fail("On() needs a rule before it (Allow, Errno, ...)", loc);
  } else {
    policy_.rules.back().arches = std::move(arches);
  }
  return *this;
}

Result<Policy> PolicyBuilder::Build() const {
  if (error_) return *error_;
  Policy p = policy_;
  // Comparisons get the location of their rule (the builder call), for diagnostics.
  for (Rule& r : p.rules) {
    if (!r.condition) continue;
    std::vector<Condition*> stack{&*r.condition};
    while (!stack.empty()) {
      Condition* c = stack.back();
      stack.pop_back();
      if (c->kind() == Condition::Kind::kCompare) {
        c->comparison().loc = r.loc;
      } else {
        for (Condition& ch : c->children()) stack.push_back(&ch);
      }
    }
  }
  std::vector<Diagnostic> diags = ResolveAndValidate(p);
  if (HasErrors(diags)) return FirstError(diags);
  return p;
}

}  // namespace sysgate
