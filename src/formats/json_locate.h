// Where the values of a JSON (or YAML) document are in its source, by JSON pointer: what the
// OCI, SPO and Firecracker readers locate their messages and rules with.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "sysgate/policy.h"

namespace sysgate::formats {

// Where the value at `pointer` is ("/syscalls/3/op"; "" is the whole document). A value the
// source does not have (a required field that is missing) is located at the nearest enclosing
// value that it has.
using JsonLocator = std::function<SourceLoc(std::string_view pointer)>;

// The locator of JSON `text` (valid JSON, as ParseJson accepted it) read from `filename`; `text`
// must outlive it. Its cost is that of the containers the pointers asked for go through (a
// profile's syscalls list), not of the whole document: a large value no reader names is only
// skipped over.
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
