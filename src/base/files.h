// Reading input files within sysgate's limits, and finding and reading the files a policy
// includes. Shared by every front end that has an include directive (the native language,
// minijail's @include, Kafel's #include).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sysgate/result.h"

namespace sysgate::base {

// An input file opened for reading (the caller closes fd), or why it cannot be one: it cannot
// be opened or examined, or it is a directory or a device (/dev/zero never ends). Regular
// files, pipes and sockets are inputs. Errors are located at `path`.
struct InputFile {
  int fd = -1;
  bool regular = false;
  uint64_t size = 0;  // of a regular file
};
Result<InputFile> OpenInput(const std::filesystem::path& path);

// The whole file. Refused with the reason (loc.file is `path`): a directory or a device
// (/dev/zero never ends), a file that cannot be opened or read (/proc/self/mem), or one larger
// than limits::kMaxInputBytes (checked before reading where the size is known, and while
// reading pipes). Regular files, pipes and sockets are read.
Result<std::string> ReadFile(const std::filesystem::path& path);

// Standard input, from where it stands, as ReadFile reads a file (errors name "<stdin>"; a
// terminal or another device is refused).
Result<std::string> ReadStdin();

// `path` with its symlinks, '.' and '..' resolved (realpath(3)) where it exists; as given
// otherwise. What the kernel will reach when it follows the path.
std::string RealPathOr(const std::string& path);

// Where `target` is, for a file `including_file` includes: an absolute target as it is, else
// relative to the including file's directory, then to each of `include_dirs`, in order.
std::optional<std::filesystem::path> FindInclude(const std::string& target,
                                                 const std::string& including_file,
                                                 const std::vector<std::string>& include_dirs);

// The files one policy reads through its include directives: found, read, and refused when
// they form a cycle, nest deeper than the depth given, or are more than limits::kMaxIncludes
// in all.
//
//   IncludeReader inc(dirs, max_depth, "top.policy");
//   auto ok = inc.Include("common.policy", "top.policy", sources,
//                         [&](const std::string& name, const std::string& text) { Read(...); });
//   if (!ok) Diagnose(directive_loc, ok.error().message);
class IncludeReader {
 public:
  struct File {
    std::string name;  // as found (relative paths stay relative), for diagnostics
    std::string text;
  };

  IncludeReader(std::vector<std::string> include_dirs, int max_depth, const std::string& top_file);

  // The file `target` names, included from `from` (the file being read, the top of the
  // stack); on success it is on the stack until Leave(). Errors say what is wrong in plain
  // words, without a location (the caller has it).
  Result<File> Enter(const std::string& target, const std::string& from);
  void Leave();

  // The whole of an include directive, as every front end follows one: Enter, keep the text in
  // `sources` under the file's name (diagnostics are rendered against it), read(name, text)
  // (which may include more), Leave. The error is Enter's; nothing is read then.
  template <class Read>
  Result<void> Include(const std::string& target, const std::string& from,
                       std::map<std::string, std::string>& sources, Read&& read) {
    Result<File> file = Enter(target, from);
    if (!file) return file.error();
    const std::string name = file->name;
    const std::string& text = sources[name] = std::move(file->text);
    read(name, text);
    Leave();
    return {};
  }

 private:
  std::vector<std::string> dirs_;
  int max_depth_;
  int entered_ = 0;                 // include directives followed, in all
  std::vector<std::string> stack_;  // canonical paths of the files being read, top file first
};

}  // namespace sysgate::base
