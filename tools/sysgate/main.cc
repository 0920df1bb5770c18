// sysgate: seccomp-BPF policies: write, check, compile, run. One subcommand per file.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "base/sanitizers.h"
#include "cli_util.h"
#include "commands.h"

namespace {

// Every command's output reaches stdout here at the latest: a failed write (a full disk,
// > /dev/full, a closed pipe's reader gone) is an error, never a silent success.
int FlushStdout(int exit_code) {
  std::cout.flush();
  bool failed = !std::cout;
  int err = errno;
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    failed = true;
    err = errno;
  }
  if (failed && exit_code == sysgate::cli::kExitOk) {
    std::cerr << "sysgate: cannot write to standard output: "
              << (err != 0 ? std::strerror(err) : "write error") << "\n";
    return sysgate::cli::kExitInvalid;
  }
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"sysgate: seccomp-BPF syscall filtering toolkit"};
  app.set_version_flag("--version", std::string("sysgate ") + SYSGATE_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  int exit_code = sysgate::cli::kExitOk;
  // Building every subcommand's options is most of the CLI's start-up, paid by each `sysgate
  // run`; when the first word names a subcommand only that one is built. Anything else (--help,
  // a typo) gets them all, so help and "did you mean" stay complete; so does completion, which
  // reads them.
  using sysgate::cli::Subcommand;
  const Subcommand* chosen = argc > 1 ? sysgate::cli::FindSubcommand(argv[1]) : nullptr;
  if (chosen != nullptr && !chosen->reads_all) {
    sysgate::cli::AddSubcommand(app, *chosen, &exit_code);
  } else {
    for (const Subcommand* s : sysgate::cli::Subcommands()) {
      sysgate::cli::AddSubcommand(app, *s, &exit_code);
    }
  }
  if (chosen == nullptr && argc > 1) {
    if (auto rc = sysgate::cli::CheckCommandName(app, argv[1])) return *rc;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    if (chosen != nullptr)
      sysgate::cli::UsageHint(e, *app.get_subcommand(std::string(chosen->name)), argc, argv);
    return rc == 0 ? 0 : sysgate::cli::kExitUsage;
  }
  exit_code = FlushStdout(exit_code);
#if SYSGATE_ASAN
  return exit_code;  // let the leak checker run at exit
#else
  // Every command has closed its files; skip tearing down the heap and the static tables (a
  // millisecond of page faults on some machines, paid by every `sysgate run`).
  std::cerr.flush();
  std::fflush(nullptr);
  _exit(exit_code);
#endif
}
