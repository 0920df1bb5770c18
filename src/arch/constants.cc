// Named constants, errno and signal names from the generated tables: each ABI's own values.
#include <algorithm>
#include <array>

#include "arch/fixed_name.h"
#include "sysgate/arch.h"

namespace sysgate {
namespace {

// Names in place, not pointers: see FixedName.
struct ConstantValue {
  int64_t value;
  uint32_t abis;  // bit i: Arch i has this value
};
struct ConstantEntry {
  FixedName<40> name;
  uint16_t first;  // its values: kConstantValues[first, first + count)
  uint16_t count;
};
constexpr auto kEntryName = [](const ConstantEntry& e) { return e.name.view(); };

#include "arch/generated/constants.inc"

static_assert(std::ranges::is_sorted(kConstantTable, {}, kEntryName));
static_assert(kNumArches <= 32, "ConstantValue::abis holds one bit per arch");

uint32_t Bit(Arch arch) { return uint32_t{1} << static_cast<unsigned>(arch); }

const ConstantEntry* FindEntry(std::string_view name) {
  auto it = std::ranges::lower_bound(kConstantTable, name, {}, kEntryName);
  if (it == kConstantTable.end() || it->name != name) return nullptr;
  return &*it;
}

std::optional<int64_t> ValueOn(const ConstantEntry& e, Arch arch) {
  for (size_t i = e.first; i < size_t{e.first} + e.count; ++i) {
    if (kConstantValues[i].abis & Bit(arch)) return kConstantValues[i].value;
  }
  return std::nullopt;
}

// Second names of one value, which the name lists leave out (they name each value once).
constexpr std::string_view kAliases[] = {"EWOULDBLOCK", "EDEADLOCK", "ENOTSUP",
                                         "SIGIOT",      "SIGPOLL",   "SIGCLD"};

// One ABI's errno or signal numbers, by value, with their first names.
template <size_t N>
class ValueNames {
 public:
  explicit ValueNames(const std::array<FixedName<24>, N>& names) {
    for (Arch a : AllArches()) {
      auto& byv = by_value_[static_cast<size_t>(a)];
      for (const FixedName<24>& n : names) {
        if (auto v = FindConstant(a, n)) byv.emplace_back(static_cast<int>(*v), n.view());
      }
      std::ranges::stable_sort(byv, {}, &std::pair<int, std::string_view>::first);
    }
  }
  std::optional<std::string_view> NameOf(Arch arch, int value) const {
    const auto& byv = by_value_[static_cast<size_t>(arch)];
    auto it = std::ranges::lower_bound(byv, value, {}, &std::pair<int, std::string_view>::first);
    if (it == byv.end() || it->first != value) return std::nullopt;
    return it->second;
  }
  std::optional<int> ValueOf(Arch arch, std::string_view name) const {
    auto v = FindConstant(arch, name);
    if (!v) return std::nullopt;
    auto canonical = NameOf(arch, static_cast<int>(*v));
    if (!canonical) return std::nullopt;
    if (*canonical != name && std::ranges::find(kAliases, name) == std::end(kAliases)) {
      return std::nullopt;  // e.g. EPOLLIN: a constant whose value happens to be an errno
    }
    return static_cast<int>(*v);
  }

 private:
  std::array<std::vector<std::pair<int, std::string_view>>, kNumArches> by_value_;
};

const ValueNames<kErrnoNameList.size()>& Errnos() {
  static const ValueNames<kErrnoNameList.size()> names(kErrnoNameList);
  return names;
}
const ValueNames<kSignalNameList.size()>& Signals() {
  static const ValueNames<kSignalNameList.size()> names(kSignalNameList);
  return names;
}

}  // namespace

std::optional<int64_t> FindConstant(Arch arch, std::string_view name) {
  const ConstantEntry* e = FindEntry(name);
  return e ? ValueOn(*e, arch) : std::nullopt;
}

std::optional<int64_t> FindConstant(std::string_view name) {
  return FindConstant(HostArch(), name);
}

bool IsConstantName(std::string_view name) { return FindEntry(name) != nullptr; }

std::vector<std::pair<std::string_view, int64_t>> ConstantsWithPrefix(std::string_view prefix,
                                                                      Arch arch) {
  std::vector<std::pair<std::string_view, int64_t>> out;
  auto it = std::ranges::lower_bound(kConstantTable, prefix, {}, kEntryName);
  for (; it != kConstantTable.end() && it->name.view().starts_with(prefix); ++it) {
    if (auto v = ValueOn(*it, arch)) out.emplace_back(it->name, *v);
  }
  return out;
}

std::vector<std::string_view> ConstantNames() {
  std::vector<std::string_view> out;
  out.reserve(kConstantTable.size());
  for (const ConstantEntry& c : kConstantTable) out.push_back(c.name);
  return out;
}

std::optional<int> ErrnoFromName(Arch arch, std::string_view name) {
  return Errnos().ValueOf(arch, name);
}
std::optional<std::string_view> ErrnoName(Arch arch, int value) {
  return Errnos().NameOf(arch, value);
}
std::optional<int> SignalFromName(Arch arch, std::string_view name) {
  return Signals().ValueOf(arch, name);
}
std::optional<std::string_view> SignalName(Arch arch, int value) {
  return Signals().NameOf(arch, value);
}

std::optional<int> ErrnoFromName(std::string_view name) { return ErrnoFromName(HostArch(), name); }
std::optional<std::string_view> ErrnoName(int value) { return ErrnoName(HostArch(), value); }
std::optional<int> SignalFromName(std::string_view name) {
  return SignalFromName(HostArch(), name);
}
std::optional<std::string_view> SignalName(int value) { return SignalName(HostArch(), value); }

uint32_t ErrnoOn(Arch arch, uint32_t generic) {
  if (arch == Arch::kX86_64) return generic;
  auto name = ErrnoName(Arch::kX86_64, static_cast<int>(generic));
  if (!name) return generic;
  auto v = ErrnoFromName(arch, *name);
  return v ? static_cast<uint32_t>(*v) : generic;
}

}  // namespace sysgate
