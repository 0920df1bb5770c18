// The parser of the policy language: tokens -> Policy, with diagnostics that carry
// file:line:col. Includes are read through the same context.
#pragma once

#include "sysgate/policy_text.h"

namespace sysgate::lang {

// Parses `text` (named `filename`) into `out`. Never crashes, on any input.
void Parse(std::string_view text, std::string_view filename, const ParseOptions& options,
           ParsedPolicy& out);

// The error for a policy file base::ReadFile refused ("x.sgp: error: cannot open: No such file
// or directory").
Diagnostic UnreadableFile(const Error& read_error);

}  // namespace sysgate::lang
