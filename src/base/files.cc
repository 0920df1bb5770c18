#include "base/files.h"

#include <fstream>
#include <sstream>

namespace sysgate::base {

namespace fs = std::filesystem;

std::optional<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::stringstream buf;
  buf << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return buf.str();
}

std::optional<fs::path> FindInclude(const std::string& target, const std::string& including_file,
                                    const std::vector<std::string>& include_dirs) {
  fs::path p(target);
  std::error_code ec;
  if (p.is_absolute()) return fs::is_regular_file(p, ec) ? std::optional(p) : std::nullopt;
  std::vector<fs::path> dirs;
  fs::path here = fs::path(including_file).parent_path();
  dirs.push_back(here.empty() ? fs::path(".") : here);
  for (const std::string& d : include_dirs) dirs.emplace_back(d);
  for (const fs::path& d : dirs) {
    fs::path candidate = d / p;
    if (fs::is_regular_file(candidate, ec)) return candidate.lexically_normal();
  }
  return std::nullopt;
}

}  // namespace sysgate::base
