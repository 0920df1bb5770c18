#include <sysgate/policy_builder.h>
#include <sysgate/policy_text.h>
#include <sysgate/interpreter.h>
#include <fcntl.h>
#include <cerrno>
#include <cstdio>
int main() {
  auto p = sysgate::PolicyBuilder().Default(sysgate::Action::Errno(EPERM)).Allow({"read", "@exit"})
      .Allow("openat").If((sysgate::Arg("flags") & O_ACCMODE) == O_RDONLY).Build();
  if (!p) { std::puts(p.error().ToString().c_str()); return 1; }
  std::fputs(sysgate::PrintPolicy(*p).c_str(), stdout);
  return 0;
}
