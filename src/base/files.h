// Reading files, and finding the ones a policy includes. Shared by every front end that has
// an include directive (the native language, minijail's @include, Kafel's #include).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace sysgate::base {

// The whole file, or nullopt if it cannot be opened or read.
std::optional<std::string> ReadFile(const std::filesystem::path& path);

// Where `target` is, for a file `including_file` includes: an absolute target as it is, else
// relative to the including file's directory, then to each of `include_dirs`, in order.
std::optional<std::filesystem::path> FindInclude(const std::string& target,
                                                 const std::string& including_file,
                                                 const std::vector<std::string>& include_dirs);

}  // namespace sysgate::base
