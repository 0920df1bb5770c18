// Recording what each call asks of files and TCP ports, for `sysgate learn --fs --net`: the
// path a call names (read from the caller's memory, made absolute against its cwd or dirfd,
// symlinks resolved) with the Landlock rights the kernel will check for it, and the port of
// each TCP bind and connect. Learning, not enforcing: the call runs after this looked at it, so
// what it read may have changed (a program that races its own recording only spoils it).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "sysgate/learn.h"
#include "sysgate/supervisor.h"

namespace sysgate::learn {

class AccessRecorder {
 public:
  AccessRecorder(bool fs, bool net);
  // One notified call, while its thread waits.
  void OnCall(SyscallCall& call);
  // An exec the recorder did not see (the runner's start of the program): `path` and its
  // interpreters need the execute right.
  void Exec(const std::string& path);
  AccessRecording Take();

 private:
  struct Target;
  void File(SyscallCall& call, std::string_view name);
  void Port(SyscallCall& call, bool bind);
  void Open(SyscallCall& call, int dirfd, uint64_t path_addr, uint64_t flags);
  void Rename(SyscallCall& call, int old_dirfd, uint64_t old_addr, int new_dirfd, uint64_t new_addr,
              uint64_t flags, bool link);
  void Grant(const std::string& path, uint64_t access);
  PathUse& Use(const std::string& path) { return rec_.paths[path]; }

  bool fs_, net_;
  AccessRecording rec_;
};

}  // namespace sysgate::learn
