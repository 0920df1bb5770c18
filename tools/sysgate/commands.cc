#include "commands.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <utility>

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
  return InHelpOrder(std::move(out));
}

std::vector<const Subcommand*> InHelpOrder(std::vector<const Subcommand*> subcommands) {
  std::ranges::sort(subcommands, {}, &Subcommand::order);
  for (size_t i = 1; i < subcommands.size(); ++i) {
    const Subcommand& a = *subcommands[i - 1];
    const Subcommand& b = *subcommands[i];
    if (a.order != b.order) continue;
    std::fprintf(stderr, "sysgate: internal error: subcommands %.*s and %.*s share order %d\n",
                 static_cast<int>(a.name.size()), a.name.data(), static_cast<int>(b.name.size()),
                 b.name.data(), a.order);
    std::abort();
  }
  return subcommands;
}

void AddSubcommand(CLI::App& app, const Subcommand& s, int* exit_code) {
  s.define(app.add_subcommand(std::string(s.name), std::string(s.description)), exit_code);
}

}  // namespace sysgate::cli
