#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <optional>

#include <fmt/format.h>

#include "sysgate/limits.h"

namespace sysgate::base {

namespace fs = std::filesystem;

namespace {

Error FileError(const fs::path& path, std::string message, int err = 0) {
  Error e = err != 0 ? SystemError(std::move(message), err)
                     : MakeError(ErrorCode::kInvalidArgument, std::move(message));
  e.loc.file = path.string();
  return e;
}

Error TooLarge(const fs::path& path) {
  Error e = FileError(path, fmt::format("the file is larger than {} MiB, sysgate's input size "
                                        "limit (docs/limits.md)",
                                        limits::kMaxInputBytes >> 20));
  e.code = ErrorCode::kTooLarge;
  return e;
}

}  // namespace

Result<InputFile> OpenInput(const fs::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return FileError(path, "cannot open", errno);
  struct stat st {};
  std::optional<Error> refused;
  if (fstat(fd, &st) != 0) {
    refused = FileError(path, "cannot read", errno);
  } else if (S_ISDIR(st.st_mode)) {
    refused = FileError(path, "is a directory, not a file");
  } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    refused = FileError(path, "is a device, not a file");
  }
  if (refused) {
    close(fd);
    return *refused;
  }
  return InputFile{fd, S_ISREG(st.st_mode) != 0, static_cast<uint64_t>(st.st_size)};
}

namespace {

// The rest of `fd`, within the input size limit; errors name `path`.
Result<std::string> ReadAll(int fd, const fs::path& path, const InputFile& in) {
  if (in.regular && in.size > limits::kMaxInputBytes) return TooLarge(path);
  std::string out;
  if (in.regular) out.reserve(static_cast<size_t>(in.size));
  char buf[65536];
  while (true) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return FileError(path, "cannot read", errno);
    if (n == 0) break;
    if (out.size() + static_cast<size_t>(n) > limits::kMaxInputBytes) return TooLarge(path);
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace

Result<std::string> ReadFile(const fs::path& path) {
  Result<InputFile> in = OpenInput(path);
  if (!in) return in.error();
  struct Closer {
    int fd;
    ~Closer() { close(fd); }
  } closer{in->fd};
  return ReadAll(in->fd, path, *in);
}

Result<std::string> ReadStdin() {
  const fs::path name = "<stdin>";
  struct stat st {};
  if (fstat(STDIN_FILENO, &st) != 0) return FileError(name, "cannot read", errno);
  if (S_ISDIR(st.st_mode)) return FileError(name, "is a directory, not a file");
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    return FileError(name, isatty(STDIN_FILENO)
                               ? "is a terminal: give a file, or pipe the policy in"
                               : "is a device, not a file");
  }
  return ReadAll(STDIN_FILENO, name,
                 {STDIN_FILENO, S_ISREG(st.st_mode) != 0, static_cast<uint64_t>(st.st_size)});
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

namespace {

std::string Canonical(const fs::path& p) {
  std::error_code ec;
  fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p.lexically_normal().string() : c.string();
}

}  // namespace

IncludeReader::IncludeReader(std::vector<std::string> include_dirs, int max_depth,
                             const std::string& top_file)
    : dirs_(std::move(include_dirs)),
      max_depth_(std::clamp(max_depth, 0, limits::kMaxIncludeDepth)),
      stack_{Canonical(top_file)} {}

Result<IncludeReader::File> IncludeReader::Enter(const std::string& target,
                                                 const std::string& from) {
  auto refuse = [](ErrorCode code, std::string msg) { return MakeError(code, std::move(msg)); };
  if (static_cast<int>(stack_.size()) >= max_depth_) {
    return refuse(ErrorCode::kTooLarge,
                  fmt::format("includes nest deeper than {} files, sysgate's include depth "
                              "limit (docs/limits.md)",
                              max_depth_));
  }
  if (entered_ >= limits::kMaxIncludes) {
    return refuse(ErrorCode::kTooLarge,
                  fmt::format("the policy includes files more than {} times in all, sysgate's "
                              "include limit (docs/limits.md)",
                              limits::kMaxIncludes));
  }
  std::optional<fs::path> found = FindInclude(target, from, dirs_);
  if (!found)
    return refuse(ErrorCode::kNotFound, fmt::format("cannot find included file \"{}\"", target));
  std::string canonical = Canonical(*found);
  if (std::ranges::find(stack_, canonical) != stack_.end()) {
    return refuse(ErrorCode::kInvalidArgument,
                  fmt::format("include cycle: \"{}\" is already being read", target));
  }
  Result<std::string> text = ReadFile(*found);
  if (!text) {
    return refuse(text.error().code, fmt::format("cannot read included file \"{}\": {}", target,
                                                 text.error().ToString()));
  }
  ++entered_;
  stack_.push_back(canonical);
  return File{found->string(), std::move(*text)};
}

void IncludeReader::Leave() {
  if (stack_.size() > 1) stack_.pop_back();
}

std::string RealPathOr(const std::string& path) {
  char buf[PATH_MAX];
  return realpath(path.c_str(), buf) ? std::string(buf) : path;
}

}  // namespace sysgate::base
