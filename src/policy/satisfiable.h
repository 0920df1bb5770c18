// Whether a condition can ever be true: used to warn about contradictory rules.
#pragma once

#include "sysgate/policy.h"

namespace sysgate::policy {

// False only when the condition is provably never true (e.g. `a0 == 1 && a0 == 2`,
// `(a0 & 0xf) == 0x10`). Conservative: true when unsure (very large or mask-heavy conditions).
// The condition must be resolved.
bool MaybeSatisfiable(const Condition& cond);

}  // namespace sysgate::policy
