// From the paths and ports a run used to the `fs` and `net` rules a person would write: files
// folded into their directory when a directory holds several, the system trees (/usr, /lib,
// ...) read and executed as a whole, what the program made or removed granted on the directory
// it did that in, /proc as one rule; and enough rights where files were moved from that the
// kernel lets them move (it refuses a move to where they would gain rights). Pure: decides on
// the recording alone.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sysgate/learn.h"

namespace sysgate::learn {

struct FoldedPath {
  uint64_t access = 0;  // fs_access bits
  std::string path;
  uint64_t count = 0;  // calls
  uint64_t paths = 0;  // recorded paths it covers
  // The program made or removed files in a directory never folded into (/tmp, a home): the
  // rule covers everything in it, since Landlock cannot name a file before it exists.
  bool shared = false;
};
struct FoldedPort {
  uint16_t port = 0;
  uint64_t count = 0;
};

struct FoldedAccess {
  std::vector<FoldedPath> paths;  // by path; none of them beneath another with the same rights
  std::vector<FoldedPort> bind, connect;
};

// A directory with entries beneath this many of its children is granted as one.
inline constexpr size_t kFoldAt = 4;

FoldedAccess FoldAccess(const AccessRecording& recording);

}  // namespace sysgate::learn
