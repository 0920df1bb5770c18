// The runner's supervisor for a filter: each notified call answered as the filter's supervision
// says (kReport: fail with the policy's errno; kAudit: let it run) and reported through
// Options::on_call.
#pragma once

#include "sysgate/run.h"
#include "sysgate/supervisor.h"

namespace sysgate::run {

// The answer never depends on the report: a report that fails (no memory, a policy that cannot
// be parsed) is lost, and the call is answered all the same. `filter` and `options` must
// outlive the supervisor.
Supervisor MakeSupervisor(const Filter& filter, const Options& options);

}  // namespace sysgate::run
