// sysgate: seccomp-BPF policies: write, check, compile, run. One subcommand per file.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App app{"sysgate: seccomp-BPF syscall filtering toolkit"};
  app.set_version_flag("--version", std::string("sysgate ") + SYSGATE_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = sysgate::cli::kExitOk;
  sysgate::cli::RegisterSyscalls(app, &exit_code);
  sysgate::cli::RegisterValidate(app, &exit_code);
  sysgate::cli::RegisterFmt(app, &exit_code);
  sysgate::cli::RegisterCheck(app, &exit_code);
  sysgate::cli::RegisterCompile(app, &exit_code);
  sysgate::cli::RegisterDisasm(app, &exit_code);
  sysgate::cli::RegisterAsm(app, &exit_code);
  sysgate::cli::RegisterRun(app, &exit_code);
  sysgate::cli::RegisterConvert(app, &exit_code);
  sysgate::cli::RegisterStats(app, &exit_code);
  sysgate::cli::RegisterLearn(app, &exit_code);
  sysgate::cli::RegisterAgent(app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : sysgate::cli::kExitUsage;
  }
#if defined(__SANITIZE_ADDRESS__)
  return exit_code;  // let the leak checker run at exit
#else
  // Every command has closed its files; skip tearing down the heap and the static tables (a
  // millisecond of page faults on some machines, paid by every `sysgate run`).
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(exit_code);
#endif
}
