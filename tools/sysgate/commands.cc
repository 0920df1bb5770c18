#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace sysgate::cli {
namespace {

// The registrations, most recent first. Constant-initialized, so it is empty before any
// Registration's constructor runs, whatever order the files' static objects are made in.
constinit const Registration* registrations = nullptr;

}  // namespace

Registration::Registration(const Subcommand& subcommand)
    : subcommand_(subcommand), next_(registrations) {
  registrations = this;
}

const Subcommand* FindSubcommand(std::string_view name) {
  for (const Registration* r = registrations; r != nullptr; r = r->next_) {
    if (r->subcommand_.name == name) return &r->subcommand_;
  }
  return nullptr;
}

std::vector<const Subcommand*> Subcommands() {
  std::vector<const Subcommand*> out;
  for (const Registration* r = registrations; r != nullptr; r = r->next_) {
    out.push_back(&r->subcommand_);
  }
  std::ranges::sort(out, {}, &Subcommand::order);
  for (size_t i = 1; i < out.size(); ++i) {
    const Subcommand& a = *out[i - 1];
    if (a.order != out[i]->order) continue;
    // A bug in a cmd_<name>.cc: --help's order would depend on how the program was linked.
    std::fprintf(stderr, "sysgate: internal error: subcommands %.*s and %.*s share order %d\n",
                 static_cast<int>(a.name.size()), a.name.data(),
                 static_cast<int>(out[i]->name.size()), out[i]->name.data(), a.order);
    std::abort();
  }
  return out;
}

void AddSubcommand(CLI::App& app, const Subcommand& s, int* exit_code) {
  s.define(app.add_subcommand(std::string(s.name), std::string(s.description)), exit_code);
}

}  // namespace sysgate::cli
