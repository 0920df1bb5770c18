// Reading JSON (OCI, Docker, Firecracker) within sysgate's limits, with errors located at
// file:line:col and said in plain words, never as the JSON library's exception text.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "sysgate/policy.h"

namespace sysgate::formats {

// Parses `text` into `out`; on failure the error (not valid JSON, a number too large, nesting
// deeper than limits::kMaxNesting).
std::optional<Diagnostic> ParseJson(std::string_view text, const std::string& filename,
                                    nlohmann::json& out);

// A JSON value as a short text for messages: a huge value is abbreviated. (Its nesting must be
// within the limit, as ParseJson ensures: dumping recurses.)
std::string ShortJson(const nlohmann::json& j);

}  // namespace sysgate::formats
