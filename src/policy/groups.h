// Syscall groups (`@system-service`, `@io-uring`, ...): systemd's and sysgate's, from one
// generated table.
//
//   const SyscallGroup* g = FindGroup("@file-system");
//   for (std::string_view name : g->members) ...
#pragma once

#include <span>
#include <string_view>
#include <vector>

#include "arch/fixed_name.h"
#include "sysgate/arch.h"

namespace sysgate::policy {

enum class GroupOrigin : uint8_t { kSystemd, kSysgate };

struct SyscallGroup {
  std::string_view name;  // with the '@'
  std::string_view description;
  GroupOrigin origin;
  std::span<const SyscallNameText> members;  // syscall names, nested groups expanded, sorted
};

const SyscallGroup* FindGroup(std::string_view name);
std::span<const SyscallGroup> AllGroups();
std::vector<std::string_view> GroupNames();

}  // namespace sysgate::policy
