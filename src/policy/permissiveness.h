// How much of a call a verdict lets happen, for conversions that may only allow more
// (`convert --to systemd --widen`): a verdict replaces another only if it is not less
// permissive.
#pragma once

#include "sysgate/policy.h"

namespace sysgate::policy {

// Whether `after` in place of `before` lets the program do at least as much: a call that may run
// under `before` (allow, log, and a supervisor's or tracer's verdict) runs under `after` (allow,
// log); a call failed with an errno fails with an errno, or runs, and one failed with ENOSYS
// (which makes libraries try an older call) or faked with errno(0) gets the same, or runs; one
// that traps is not killed; one that kills a thread does not kill the process.
bool NotLessPermissive(const Action& before, const Action& after);

}  // namespace sysgate::policy
