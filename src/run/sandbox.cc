#include "sysgate/sandbox.h"

#include <sys/prctl.h>
#include <unistd.h>

#include "kernel/proc_status.h"
#include "sysgate/compiler.h"
#include "sysgate/kernel.h"
#include "sysgate/landlock.h"

namespace sysgate {

Result<void> ApplyToThisProcess(const bpf::Program& program, const ApplyOptions& options) {
  auto r = kernel::Install(program, {.tsync = options.tsync, .log = options.log});
  if (!r) return r.error();
  return {};
}

Result<Applied> ApplyToThisProcess(const Policy& policy, const ApplyOptions& options) {
  auto prog = Compile(policy, {.verify = options.verify});
  if (!prog) return prog.error();
  auto landlock = kernel::LandlockRuleset::Make(policy.access);
  if (!landlock) return landlock.error();
  if (!landlock->empty()) {
    // Landlock restricts the calling thread and the threads and processes it starts later, not
    // threads that already run: a filter on every thread beside rules on one would be a lie.
    if (options.tsync && kernel::ProcStatusNumber(getpid(), "Threads").value_or(2) > 1) {
      return MakeError(ErrorCode::kUnsupported,
                       "the policy's fs, net and scope rules can restrict only the calling thread "
                       "(Landlock), and this process has others: apply the policy before it "
                       "starts threads");
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
      return SystemError("prctl(PR_SET_NO_NEW_PRIVS)", errno);
    if (long r = landlock->RestrictRaw(); r < 0) {
      return SystemError("landlock_restrict_self", static_cast<int>(-r));
    }
  }
  if (auto r = ApplyToThisProcess(*prog, options); !r) return r.error();
  return Applied{.dropped = landlock->dropped(),
                 .handled_fs = landlock->handled_fs(),
                 .handled_net = landlock->handled_net(),
                 .scoped = landlock->scoped()};
}

}  // namespace sysgate
