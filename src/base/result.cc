#include "sysgate/result.h"

#include "base/strings.h"

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sysgate {

std::string SourceLoc::ToString() const {
  if (line <= 0) return file;
  if (column <= 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Error::ToString() const {
  std::string out;
  if (!loc.file.empty() || loc.known()) out = base::Printable(loc.ToString()) + ": ";
  out += base::DisplayMessage(message);
  if (code == ErrorCode::kSystem && sys_errno != 0) {
    out += fmt::format(": {}", std::strerror(sys_errno));
  }
  return out;
}

Error SystemError(std::string what, int err) {
  Error e{ErrorCode::kSystem, std::move(what), {}, err};
  return e;
}

namespace detail {

void BadResultAccess(const Error* held) {
  if (held != nullptr) {
    std::fprintf(stderr, "sysgate: bug: Result::value() of an error: %s\n",
                 held->ToString().c_str());
  } else {
    std::fprintf(stderr, "sysgate: bug: Result::error() of a value\n");
  }
  std::abort();
}

}  // namespace detail

}  // namespace sysgate
