// Name <-> number lookups over the generated per-arch tables.
#include <algorithm>
#include <array>
#include <cstdint>
#include <string_view>

#include "arch/fixed_name.h"
#include "base/strings.h"
#include "sysgate/arch.h"

namespace sysgate {
namespace {

struct NumberEntry {
  int32_t nr;
  int16_t name_id;
};

struct TableData {
  std::string_view file;
  std::span<const int32_t> numbers;        // by name id; kNoSyscall where absent
  std::span<const NumberEntry> by_number;  // sorted by nr
};

#include "arch/generated/syscall_tables.inc"

static_assert(std::ranges::is_sorted(kSyscallNames));

constexpr bool AllByNumberSorted() {
  for (const TableData& t : kTables) {
    if (!std::ranges::is_sorted(t.by_number, {}, &NumberEntry::nr)) return false;
  }
  return true;
}
static_assert(AllByNumberSorted());

const TableData& TableOf(Arch arch) { return kTables[static_cast<size_t>(Info(arch).table)]; }

std::optional<int> NameId(std::string_view name) {
  auto it = std::ranges::lower_bound(kSyscallNames, name);
  if (it == kSyscallNames.end() || *it != name) return std::nullopt;
  return static_cast<int>(it - kSyscallNames.begin());
}

}  // namespace

std::optional<int32_t> SyscallNumber(Arch arch, std::string_view name) {
  auto id = NameId(name);
  if (!id) return std::nullopt;
  int32_t nr = TableOf(arch).numbers[static_cast<size_t>(*id)];
  if (nr == kNoSyscall) return std::nullopt;
  return nr;
}

std::optional<std::string_view> SyscallName(Arch arch, int32_t nr) {
  const auto& t = TableOf(arch).by_number;
  auto it = std::ranges::lower_bound(t, nr, {}, &NumberEntry::nr);
  if (it == t.end() || it->nr != nr) return std::nullopt;
  return kSyscallNames[static_cast<size_t>(it->name_id)];
}

bool IsSyscallName(std::string_view name) { return NameId(name).has_value(); }

std::span<const SyscallNameText> AllSyscallNames() { return kSyscallNames; }

std::string UnknownSyscallMessage(std::string_view name) {
  std::string msg = "unknown syscall '" + std::string(name) + "'";
  std::vector<std::string_view> names(kSyscallNames.begin(), kSyscallNames.end());
  if (auto m = base::ClosestMatch(name, names)) msg += "; did you mean '" + *m + "'?";
  return msg;
}

std::vector<SyscallEntry> Syscalls(Arch arch) {
  std::vector<SyscallEntry> out;
  for (const NumberEntry& e : TableOf(arch).by_number) {
    out.push_back({e.nr, kSyscallNames[static_cast<size_t>(e.name_id)]});
  }
  return out;
}

int32_t MinSyscallNumber(Arch arch) { return TableOf(arch).by_number.front().nr; }
int32_t MaxSyscallNumber(Arch arch) { return TableOf(arch).by_number.back().nr; }

}  // namespace sysgate
