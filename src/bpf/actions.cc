#include <fmt/format.h>

#include "sysgate/bpf.h"

namespace sysgate::bpf {

uint32_t RetOf(const Action& a) {
  switch (a.kind()) {
    case ActionKind::kAllow: return ret::kAllow;
    case ActionKind::kErrno: return ret::kErrno | (a.data() & ret::kData);
    case ActionKind::kKillProcess: return ret::kKillProcess;
    case ActionKind::kKillThread: return ret::kKillThread;
    case ActionKind::kTrap: return ret::kTrap | (a.data() & ret::kData);
    case ActionKind::kTrace: return ret::kTrace | (a.data() & ret::kData);
    case ActionKind::kLog: return ret::kLog;
    case ActionKind::kNotify: return ret::kUserNotif | (a.data() & ret::kData);
  }
  return ret::kKillProcess;
}

uint32_t RetOf(const Action& a, Arch abi) {
  if (a.kind() != ActionKind::kErrno) return RetOf(a);
  return RetOf(Action::Errno(ErrnoOn(abi, a.data())));
}

uint32_t RetOf(const Action& a, const SeccompData& d) {
  auto abi = ArchFromAudit(d.arch, d.nr);
  return abi ? RetOf(a, *abi) : RetOf(a);
}

Action ActionOfRet(uint32_t r) {
  uint32_t data = r & ret::kData;
  switch (r & ret::kActionFull) {
    case ret::kAllow: return Action::Allow();
    case ret::kErrno: return Action::Errno(data > 4095 ? 4095 : data);
    case ret::kKillThread: return Action::KillThread();
    case ret::kTrap: return Action::Trap(data);
    case ret::kTrace: return Action::Trace(data);
    case ret::kLog: return Action::Log();
    case ret::kUserNotif: return Action::Notify(data);
    default: return Action::KillProcess();  // includes unknown actions
  }
}

Action ActionOfRet(uint32_t r, Arch abi) {
  Action a = ActionOfRet(r);
  if (a.kind() != ActionKind::kErrno) return a;
  // Several generic numbers can give the ABI's one (parisc's ENOSYS is 251, and so is the
  // generic 251): the one with a name.
  for (uint32_t g = 1; g <= 4095; ++g) {
    if (ErrnoOn(abi, g) == a.data() && ErrnoName(static_cast<int>(g))) return Action::Errno(g);
  }
  return a;
}

std::string RetName(uint32_t r) {
  uint32_t data = r & ret::kData;
  switch (r & ret::kActionFull) {
    case ret::kAllow: return r == ret::kAllow ? "ALLOW" : fmt::format("0x{:08x}", r);
    case ret::kErrno: return fmt::format("ERRNO({})", data);
    case ret::kKillThread: return r == 0 ? "KILL_THREAD" : fmt::format("0x{:08x}", r);
    case ret::kKillProcess:
      return r == ret::kKillProcess ? "KILL_PROCESS" : fmt::format("0x{:08x}", r);
    case ret::kTrap: return fmt::format("TRAP({})", data);
    case ret::kTrace: return fmt::format("TRACE({})", data);
    case ret::kLog: return r == ret::kLog ? "LOG" : fmt::format("0x{:08x}", r);
    case ret::kUserNotif: return r == ret::kUserNotif ? "USER_NOTIF" : fmt::format("0x{:08x}", r);
    default: return fmt::format("0x{:08x}", r);
  }
}

}  // namespace sysgate::bpf
