// Named constants, errno and signal names from the generated tables.
#include <algorithm>
#include <array>

#include "sysgate/arch.h"

namespace sysgate {
namespace {

// Names in place, not pointers: see FixedName.
struct ConstantEntry {
  FixedName<40> name;
  int64_t value;
};
struct ValueName {
  int value;
  FixedName<24> name;
};
constexpr auto kEntryName = [](const ConstantEntry& e) { return e.name.view(); };

#include "arch/generated/constants.inc"

static_assert(std::ranges::is_sorted(kConstantTable, {}, kEntryName));
static_assert(std::ranges::is_sorted(kErrnoNames, {}, &ValueName::value));
static_assert(std::ranges::adjacent_find(kErrnoNames, {}, &ValueName::value) == kErrnoNames.end());
static_assert(std::ranges::is_sorted(kSignalNames, {}, &ValueName::value));

template <size_t N>
std::optional<std::string_view> NameOf(const std::array<ValueName, N>& table, int value) {
  auto it = std::ranges::lower_bound(table, value, {}, &ValueName::value);
  if (it == table.end() || it->value != value) return std::nullopt;
  return it->name;
}

// Second names of one value, which the tables leave out (they name each value once).
constexpr std::string_view kAliases[] = {"EWOULDBLOCK", "EDEADLOCK", "ENOTSUP",
                                         "SIGIOT",      "SIGPOLL",   "SIGCLD"};

template <size_t N>
std::optional<int> ValueOf(const std::array<ValueName, N>& table, std::string_view name) {
  auto v = FindConstant(name);
  if (!v) return std::nullopt;
  auto canonical = NameOf(table, static_cast<int>(*v));
  if (!canonical) return std::nullopt;
  if (*canonical != name && std::ranges::find(kAliases, name) == std::end(kAliases)) {
    return std::nullopt;  // e.g. EPOLLIN: a constant whose value happens to be an errno
  }
  return static_cast<int>(*v);
}

}  // namespace

std::optional<int64_t> FindConstant(std::string_view name) {
  auto it = std::ranges::lower_bound(kConstantTable, name, {}, kEntryName);
  if (it == kConstantTable.end() || it->name != name) return std::nullopt;
  return it->value;
}

std::vector<std::pair<std::string_view, int64_t>> ConstantsWithPrefix(std::string_view prefix) {
  std::vector<std::pair<std::string_view, int64_t>> out;
  auto it = std::ranges::lower_bound(kConstantTable, prefix, {}, kEntryName);
  for (; it != kConstantTable.end() && it->name.view().starts_with(prefix); ++it) {
    out.emplace_back(it->name, it->value);
  }
  return out;
}

std::vector<std::string_view> ConstantNames() {
  std::vector<std::string_view> out;
  out.reserve(kConstantTable.size());
  for (const ConstantEntry& c : kConstantTable) out.push_back(c.name);
  return out;
}

std::optional<int> ErrnoFromName(std::string_view name) { return ValueOf(kErrnoNames, name); }
std::optional<std::string_view> ErrnoName(int value) { return NameOf(kErrnoNames, value); }
std::optional<int> SignalFromName(std::string_view name) {
  return ValueOf(kSignalNames, name);
}
std::optional<std::string_view> SignalName(int value) { return NameOf(kSignalNames, value); }

}  // namespace sysgate
