// Parsing helpers the language's tests share. Test code only.
#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "sysgate/policy_text.h"

namespace sysgate::testing {

// `text` parsed as t.sgp; an empty policy (and a test failure with the diagnostics) if it
// does not parse.
inline Policy MustParse(std::string_view text) {
  ParsedPolicy r = ParsePolicyText(text, "t.sgp");
  EXPECT_TRUE(r.ok()) << r.RenderDiagnostics();
  return r.ok() ? *r.policy : Policy{};
}

// The first error, "file:line:col: message"; "no error" when there is none.
inline std::string FirstError(std::string_view text) {
  ParsedPolicy r = ParsePolicyText(text, "t.sgp");
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError) return d.loc.ToString() + ": " + d.message;
  }
  return "no error";
}

}  // namespace sysgate::testing
