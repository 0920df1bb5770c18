// What both ways of starting a program share (run::Run forks, run::ExecInPlace replaces the
// calling process): the command resolved and laid out for execve before anything else
// happens, the inherited-fd and capability clean-up, and the runner's reporting supervisor.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sysgate/run.h"
#include "sysgate/supervisor.h"

namespace sysgate::run {

// argv[0] found as execvp would, and argv/envp as execve wants them. Made before fork or
// exec-time clean-up: nothing after it allocates.
struct PreparedCommand {
  std::string path;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};
// Checks the program and the filter, and prepares the command. On failure (no filter, not
// found, not executable) the error carries errno, and *failed_stage is kExec where it names one.
Result<void> PrepareCommand(const bpf::Program& program, const SpawnOptions& o,
                            PreparedCommand* out, Stage* failed_stage);
// Whether the options ask for a supervisor (and so a listener).
bool Supervised(const SpawnOptions& o);

// Closes every fd from `from` up, except those in keep (sorted). Raw calls only.
int CloseFrom(int from, const std::vector<int>& keep);
// Clears close-on-exec on the fds the program is to inherit.
void KeepAcrossExec(const std::vector<int>& fds);
// Empties the capability sets, the bounding set and the ambient set.
int DropCapabilities();

// The runner's supervisor: blocked calls are answered as the policy says and reported. The
// policy is loaded at the first blocked call: many programs make none.
Supervisor PolicyReporter(std::function<const Policy&()> load,
                          const std::function<void(const BlockedCall&)>& on_blocked);
// The policy loader of options that supervise with a policy (supervise_policy or
// load_supervise_policy).
std::function<const Policy&()> SupervisePolicyLoader(const SpawnOptions& o);

}  // namespace sysgate::run
