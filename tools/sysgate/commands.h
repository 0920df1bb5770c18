// Subcommands of the sysgate CLI. Each is one cmd_<name>.cc that defines it and registers it,
// in that file alone, with a Registration at namespace scope:
//
//   void Define(CLI::App* cmd, int* exit_code) {   // its options and its callback
//     cmd->add_option("file", ...);
//     cmd->callback([exit_code] { *exit_code = ...; });
//   }
//   const Registration kRegistration{{.name = "asm",
//                                     .order = 90,
//                                     .description = "Assemble BPF text to a program",
//                                     .define = Define}};
//
// main.cc makes the app from the registrations: `sysgate --help` lists them by `order`, never
// by link or start-up order, and when the first word names one, only it is defined.
#pragma once

#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace sysgate::cli {

// Exit codes of the sysgate program itself (`sysgate run` adds its own, see docs).
inline constexpr int kExitOk = 0;
inline constexpr int kExitInvalid = 1;  // invalid input: a policy with errors, unknown names
inline constexpr int kExitUsage = 2;    // bad command line

struct Subcommand {
  std::string_view name;
  int order = 0;  // its place in `sysgate --help`, lowest first; unique; by tens, to leave room
  std::string_view description;
  // Adds the options of `cmd` (made with the name and description above) and its callback,
  // which stores the exit code in *exit_code.
  void (*define)(CLI::App* cmd, int* exit_code) = nullptr;
  // It reads the other subcommands' definitions (completion): they are all defined first.
  bool reads_all = false;
};

// Registers a subcommand when the program starts: a static object in its cmd_<name>.cc. The
// executable is linked from the object files themselves, not an archive, so each is kept.
class Registration {
 public:
  explicit Registration(const Subcommand& subcommand);
  Registration(const Registration&) = delete;
  Registration& operator=(const Registration&) = delete;

 private:
  friend const Subcommand* FindSubcommand(std::string_view name);
  friend std::vector<const Subcommand*> Subcommands();
  Subcommand subcommand_;
  const Registration* next_;
};

// The registered subcommand named `name`, or nullptr.
const Subcommand* FindSubcommand(std::string_view name);
// Every registered subcommand, by order: the order of `sysgate --help`.
std::vector<const Subcommand*> Subcommands();
// `subcommands` by order. Two that share one are a bug in a cmd_<name>.cc (--help's order
// would depend on how the program was linked): it aborts, naming them.
std::vector<const Subcommand*> InHelpOrder(std::vector<const Subcommand*> subcommands);
// Adds `s` to `app` (its name and description) and defines it.
void AddSubcommand(CLI::App& app, const Subcommand& s, int* exit_code);

}  // namespace sysgate::cli
