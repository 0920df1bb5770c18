// Syscall prototypes (argument names, kinds, widths) from the generated table.
#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include <fmt/format.h>

#include "arch/fixed_name.h"
#include "sysgate/arch.h"

namespace sysgate {
namespace {

// The generated tables hold their names in place (FixedName); the API gives out Signatures,
// views of them made at first use.
struct ArgEntry {
  FixedName<20> name;
  ArgKind kind;
  uint8_t bits;
  bool is_signed;
  int8_t slot;
  int8_t hi_slot;
};
struct SignatureEntry {
  SyscallNameText name;
  int nargs;
  std::array<ArgEntry, 6> args;
};
struct AbiSignatureRef {
  uint8_t arch;
  int16_t generic;  // index into kSignatureTable
  int16_t abi;      // index into kAbiSignatures
};
#include "arch/generated/signatures.inc"

constexpr auto kSigName = [](const SignatureEntry& s) { return s.name.view(); };
static_assert(std::ranges::is_sorted(kSignatureTable, {}, kSigName));
constexpr auto kRefKey = [](const AbiSignatureRef& r) { return std::pair(r.arch, r.generic); };
static_assert(std::ranges::is_sorted(kAbiSignatureRefs, {}, kRefKey));

template <size_t N>
std::vector<Signature> Views(const std::array<SignatureEntry, N>& table) {
  std::vector<Signature> out;
  out.reserve(N);
  for (const SignatureEntry& e : table) {
    Signature s{e.name.view(), e.nargs, {}};
    for (size_t i = 0; i < e.args.size(); ++i) {
      const ArgEntry& a = e.args[i];
      s.args[i] = {a.name.view(), a.kind, a.bits, a.is_signed, a.slot, a.hi_slot};
    }
    out.push_back(s);
  }
  return out;
}

// Never freed, as the constant tables they view: a FindSignature from a static destructor or
// an atexit handler still finds them.
const std::vector<Signature>& GenericSignatures() {
  static const std::vector<Signature>& views = *new std::vector<Signature>(Views(kSignatureTable));
  return views;
}

const std::vector<Signature>& AbiSignatures() {
  static const std::vector<Signature>& views = *new std::vector<Signature>(Views(kAbiSignatures));
  return views;
}

// The index of `syscall` in kSignatureTable.
std::optional<size_t> GenericIndex(std::string_view syscall) {
  auto it = std::ranges::lower_bound(kSignatureTable, syscall, {}, kSigName);
  if (it == kSignatureTable.end() || it->name != syscall) return std::nullopt;
  return static_cast<size_t>(it - kSignatureTable.begin());
}

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
  std::optional<size_t> i = GenericIndex(syscall);
  return i ? &GenericSignatures()[*i] : nullptr;
}

const Signature* FindSignature(Arch arch, std::string_view syscall) {
  if (!SyscallNumber(arch, syscall)) return nullptr;
  std::optional<size_t> generic = GenericIndex(syscall);
  if (!generic) return nullptr;
  const auto key = std::pair(static_cast<uint8_t>(arch), static_cast<int16_t>(*generic));
  auto it = std::ranges::lower_bound(kAbiSignatureRefs, key, {}, kRefKey);
  if (it == kAbiSignatureRefs.end() || kRefKey(*it) != key) return &GenericSignatures()[*generic];
  return &AbiSignatures()[static_cast<size_t>(it->abi)];
}

std::string FormatSignature(const Signature& sig) {
  std::string out = fmt::format("{}(", sig.name);
  for (int i = 0; i < sig.nargs; ++i) {
    const ArgInfo& a = sig.args[static_cast<size_t>(i)];
    if (i > 0) out += ", ";
    out += fmt::format("{}:{}{}", ArgKindName(a.kind), a.is_signed ? 's' : 'u', a.bits);
    out += " ";
    out += a.name.empty() ? fmt::format("arg{}", a.slot) : std::string(a.name);
    if (a.slot > 5 || a.hi_slot > 5) {
      out += " [on the stack: seccomp does not see it]";
    } else if (a.hi_slot >= 0) {
      out += fmt::format(" [arg{} low, arg{} high]", a.slot, a.hi_slot);
    } else if (a.slot != i && !a.name.empty()) {
      out += fmt::format(" [arg{}]", a.slot);
    }
  }
  return out + ")";
}

}  // namespace sysgate
