// The parser of the policy language: tokens -> Policy, with diagnostics that carry
// file:line:col. Includes are read through the same context.
#pragma once

#include "sysgate/policy_text.h"

namespace sysgate::lang {

// Parses `text` (named `filename`) into `out`. Never crashes, on any input.
void Parse(std::string_view text, std::string_view filename, const ParseOptions& options,
           ParsedPolicy& out);

}  // namespace sysgate::lang
