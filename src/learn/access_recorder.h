// Recording what each call asks of files and TCP ports, for `sysgate learn --fs --net`: each
// call's effects (supervise/access_effects.h) added up over the run.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "sysgate/learn.h"
#include "sysgate/supervisor.h"

namespace sysgate::supervise {
struct AccessEffects;
}  // namespace sysgate::supervise

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
  void Add(const supervise::AccessEffects& effects);

  bool fs_, net_;
  AccessRecording rec_;
};

}  // namespace sysgate::learn
