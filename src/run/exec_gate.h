// The runner's own exec under a policy that kills or traps execve. The filter goes on before
// the runner execs the program, and a kill the kernel carries out cannot be let through by the
// supervisor. So the installed program starts with a gate: exactly the runner's execve (the host
// ABI, the number, the runner's own pointers to path, argv and environment) returns USER_NOTIF,
// for the supervisor to let through once (supervise::RunnerExec); every other call goes on to
// the policy's code unchanged. The same call made again (by the program, which would have to
// guess three addresses of a process it cannot read) reaches the supervisor, which kills it.
#pragma once

#include "sysgate/bpf.h"
#include "sysgate/interpreter.h"

namespace sysgate::run {

// `policy` with the gate for `exec` before it; fails if the result would be too long to load.
Result<bpf::Program> WithExecGate(const bpf::Program& policy, const SeccompData& exec);

}  // namespace sysgate::run
