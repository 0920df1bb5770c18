// What both ways of starting a program share (run::Run forks, run::ExecInPlace replaces the
// calling process): the command resolved and laid out for execve before anything else
// happens, the runner's own exec under the filter, the inherited-fd and capability clean-up.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sysgate/run.h"

namespace sysgate::run {

// `name` found as execvp would (in PATH unless it has a '/'): its path, or "" and *err.
std::string FindProgram(const std::string& name, int* err);

// argv[0] found as execvp would, and argv/envp as execve wants them. Made before fork or
// exec-time clean-up: nothing after it allocates.
struct PreparedCommand {
  std::string path;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
  // What to install: the filter's program, behind a gate for our own exec where the policy
  // would kill or trap it (run/exec_gate.h).
  bpf::Program program;
  // The runner's execve of the program as the filter sees it (the host ABI, these pointers).
  SeccompData Exec() const;
};
// Checks the options (every kept fd open, the filter's verdict on the runner's own exec) and
// prepares the command. On failure the error carries errno where there is one, and the stage
// (kExec, kLandlock) where it names one.
Result<void> PrepareCommand(const Filter& filter, const Options& o, PreparedCommand* out);
// `e`, saying that step `s` failed (Error::stage).
Error AtStage(Stage s, Error e);
// A hint for an execve that failed with EACCES under fs rules that handle exec; "" otherwise.
std::string ExecFailureHint(const Filter& filter, Stage stage, int err);
// Whether the filter has a supervisor (and so a listener).
bool Supervised(const Filter& filter);

// Closes every fd from `from` up, except those in keep (sorted). Raw calls only.
int CloseFrom(int from, const std::vector<int>& keep);
// Clears close-on-exec on the fds the program is to inherit.
void KeepAcrossExec(const std::vector<int>& fds);
// Empties the capability sets, the bounding set and the ambient set.
int DropCapabilities();
// Removes one capability from every set. The bounding set only where we may change it (without
// CAP_SETPCAP, no_new_privs keeps an exec from gaining it). Raw calls only; -1 if it remains.
int DropCapability(int cap);

}  // namespace sysgate::run
