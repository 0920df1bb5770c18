// Syscall prototypes (argument names, kinds, widths) from the generated table.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "sysgate/arch.h"

namespace sysgate {
namespace {

using SignatureEntry = Signature;
#include "arch/generated/signatures.inc"

static_assert(std::ranges::is_sorted(kSignatureTable, {}, [](const Signature& s) { return s.name.view(); }));

}  // namespace

std::string_view ArgKindName(ArgKind kind) {
  switch (kind) {
    case ArgKind::kInt: return "int";
    case ArgKind::kUInt: return "uint";
    case ArgKind::kLong: return "long";
    case ArgKind::kULong: return "ulong";
    case ArgKind::kSize: return "size";
    case ArgKind::kPointer: return "pointer";
    case ArgKind::kString: return "string";
    case ArgKind::kStruct: return "struct";
    case ArgKind::kFlags: return "flags";
    case ArgKind::kFd: return "fd";
    case ArgKind::kMode: return "mode";
    case ArgKind::kPid: return "pid";
  }
  return "?";
}

const Signature* FindSignature(std::string_view syscall) {
  const auto& table = kSignatureTable;
  auto it = std::ranges::lower_bound(table, syscall, {}, [](const Signature& s) { return s.name.view(); });
  if (it == table.end() || it->name != syscall) return nullptr;
  return &*it;
}

std::string FormatSignature(const Signature& sig) {
  std::string out = fmt::format("{}(", sig.name);
  for (int i = 0; i < sig.nargs; ++i) {
    const ArgInfo& a = sig.args[static_cast<size_t>(i)];
    if (i > 0) out += ", ";
    out += fmt::format("{}:{}{}", ArgKindName(a.kind), a.is_signed ? 's' : 'u', a.bits);
    out += " ";
    out += a.name.empty() ? fmt::format("arg{}", i) : std::string(a.name);
  }
  return out + ")";
}

}  // namespace sysgate
