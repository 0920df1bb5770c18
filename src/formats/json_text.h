// Reading JSON (OCI, Docker, Firecracker) within sysgate's limits, with errors located at
// file:line:col and said in plain words, never as the JSON library's exception text.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

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

// Where a value of a document is in its source: `pointer` is a JSON pointer ("/syscalls/3/op";
// "" is the whole document). A value the source does not have (a required field that is
// missing) is located at the nearest enclosing value that it has.
using JsonLocator = std::function<SourceLoc(std::string_view pointer)>;

// The locator of JSON `text` (valid JSON, as ParseJson accepted it) read from `filename`. It
// knows values down to 8 levels deep: those that readers name in their messages.
JsonLocator LocateInJson(std::string_view text, const std::string& filename);

// The locator of values whose places are known (a YAML reader's marks), by JSON pointer.
using JsonLocations = std::unordered_map<std::string, SourceLoc>;
JsonLocator LocatorOf(JsonLocations locations, const std::string& filename);

// An object key as a JSON pointer spells it (RFC 6901: "~" is "~0", "/" is "~1").
std::string JsonPointerToken(std::string_view key);
// The value at `pointer` as messages name it: "/syscalls/3/args/0/op" is
// "syscalls[3].args[0].op" (a token of digits is an array index), "" is "".
std::string JsonPointerName(std::string_view pointer);

}  // namespace sysgate::formats
