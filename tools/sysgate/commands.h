// Subcommands of the sysgate CLI: each file registers one with the app and runs it.
#pragma once

#include <CLI/CLI.hpp>

namespace sysgate::cli {

// Exit codes of the sysgate program itself (`sysgate run` adds its own, see docs).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;  // invalid input: a policy with errors, unknown names
inline constexpr int kExitUsage = 2;    // bad command line

// Each Register* adds a subcommand; its callback stores the exit code in *exit_code.
void RegisterSyscalls(CLI::App& app, int* exit_code);
void RegisterConstants(CLI::App& app, int* exit_code);
void RegisterValidate(CLI::App& app, int* exit_code);
void RegisterFmt(CLI::App& app, int* exit_code);
void RegisterCheck(CLI::App& app, int* exit_code);
void RegisterDiff(CLI::App& app, int* exit_code);
void RegisterCompile(CLI::App& app, int* exit_code);
void RegisterDisasm(CLI::App& app, int* exit_code);
void RegisterAsm(CLI::App& app, int* exit_code);
void RegisterRun(CLI::App& app, int* exit_code);
void RegisterConvert(CLI::App& app, int* exit_code);
void RegisterStats(CLI::App& app, int* exit_code);
void RegisterLearn(CLI::App& app, int* exit_code);
void RegisterAgent(CLI::App& app, int* exit_code);
void RegisterDump(CLI::App& app, int* exit_code);
void RegisterLint(CLI::App& app, int* exit_code);
void RegisterDecompile(CLI::App& app, int* exit_code);
void RegisterExplain(CLI::App& app, int* exit_code);
void RegisterGraph(CLI::App& app, int* exit_code);
void RegisterCompletion(CLI::App& app, int* exit_code);

}  // namespace sysgate::cli
