#include "policy/permissiveness.h"

#include <cerrno>

namespace sysgate::policy {

bool NotLessPermissive(const Action& before, const Action& after) {
  const bool runs = after.kind() == ActionKind::kAllow || after.kind() == ActionKind::kLog;
  switch (before.kind()) {
    case ActionKind::kAllow:
    case ActionKind::kLog:
    case ActionKind::kNotify:
    case ActionKind::kTrace: return runs;
    // ENOSYS says the call does not exist, and libraries then try an older one (glibc's
    // clone3, then clone): failing it otherwise could stop what ENOSYS lets go on. errno(0)
    // says it worked: failing it could stop the program. Other errnos all say no, and
    // errno(0) in their place does not run the call either.
    case ActionKind::kErrno:
      if (before.data() == ENOSYS || before.data() == 0) return runs || after == before;
      return runs || after.kind() == ActionKind::kErrno;
    case ActionKind::kTrap:
      return after.kind() != ActionKind::kKillThread && after.kind() != ActionKind::kKillProcess;
    case ActionKind::kKillThread: return after.kind() != ActionKind::kKillProcess;
    case ActionKind::kKillProcess: return true;
  }
  return false;
}

}  // namespace sysgate::policy
