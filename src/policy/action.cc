#include <fmt/format.h>

#include "sysgate/policy.h"

namespace sysgate {

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kAllow: return "allow";
    case ActionKind::kErrno: return "errno";
    case ActionKind::kKillProcess: return "kill-process";
    case ActionKind::kKillThread: return "kill-thread";
    case ActionKind::kTrap: return "trap";
    case ActionKind::kTrace: return "trace";
    case ActionKind::kLog: return "log";
    case ActionKind::kNotify: return "notify";
  }
  return "?";
}

std::string Action::ToString() const {
  switch (kind_) {
    case ActionKind::kErrno: {
      auto name = ErrnoName(Arch::kX86_64, static_cast<int>(data_));  // the generic numbers
      if (name) return fmt::format("errno({})", *name);
      return fmt::format("errno({})", data_);
    }
    case ActionKind::kTrap:
    case ActionKind::kTrace:
    case ActionKind::kNotify:
      if (data_ == 0) return std::string(ActionKindName(kind_));
      return fmt::format("{}({})", ActionKindName(kind_), data_);
    default: return std::string(ActionKindName(kind_));
  }
}

}  // namespace sysgate
