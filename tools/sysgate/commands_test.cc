// The subcommand registry of the sysgate CLI: `sysgate --help` lists subcommands by their
// order, and two that share one stop the program before it lists anything.
#include "commands.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sysgate::cli {
namespace {

using ::testing::ElementsAre;

TEST(InHelpOrder, SortsByOrderNotByRegistration) {
  const Subcommand validate{.name = "validate", .order = 10};
  const Subcommand compile{.name = "compile", .order = 30};
  const Subcommand fmt{.name = "fmt", .order = 20};
  EXPECT_THAT(InHelpOrder({&compile, &validate, &fmt}), ElementsAre(&validate, &fmt, &compile));
}

TEST(InHelpOrderDeathTest, TwoSubcommandsSharingAnOrderAbort) {
  const Subcommand lint{.name = "lint", .order = 150};
  const Subcommand graph{.name = "graph", .order = 150};
  const Subcommand fmt{.name = "fmt", .order = 20};
  EXPECT_DEATH(InHelpOrder({&fmt, &lint, &graph}),
               "sysgate: internal error: subcommands (lint and graph|graph and lint) share "
               "order 150");
}

}  // namespace
}  // namespace sysgate::cli
