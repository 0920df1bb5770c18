#include <fcntl.h>
#include <sysgate/agent.h>
#include <sysgate/interpreter.h>
#include <sysgate/learn.h>
#include <sysgate/policy_builder.h>
#include <sysgate/policy_text.h>
#include <sysgate/run.h>
#include <sysgate/supervisor.h>
#include <cerrno>
#include <cstdio>
int main() {
  auto p = sysgate::PolicyBuilder()
               .Default(sysgate::Action::Errno(EPERM))
               .Allow({"read", "@exit"})
               .Allow("openat")
               .If((sysgate::Arg("flags") & O_ACCMODE) == O_RDONLY)
               .Build();
  if (!p) {
    std::puts(p.error().ToString().c_str());
    return 1;
  }
  std::fputs(sysgate::PrintPolicy(*p).c_str(), stdout);
  // The supervision and learning headers stand alone once installed.
  sysgate::Supervisor s;
  s.On("mknodat", [](sysgate::SyscallCall&) { return sysgate::Reply::Fail(EPERM); });
  if (sysgate::learn::RecordedArgs("socket").size() != 2) return 2;
  if (sysgate::AgentConfig::Default().profiles.size() != 1) return 3;
  // A program runs under a built-in profile (baked into the library), supervised, as
  // `sysgate run` runs it.
  auto f = sysgate::run::Filter::Builtin("default");
  if (!f) {
    std::puts(f.error().ToString().c_str());
    return 4;
  }
  sysgate::run::Options o;
  o.argv = {"true"};
  auto r = sysgate::run::Run(*f, o);
  if (!r) {
    std::puts(r.error().ToString().c_str());
    return 5;
  }
  return r->ExitStatus() == 0 ? 0 : 6;
}
