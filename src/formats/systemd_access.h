// A policy's fs and net rules as a systemd unit's mounts and bind filter, and back.
//
//   fs read exec /usr           TemporaryFileSystem=/:ro       (only the bound paths are there)
//   fs read /etc/app            BindReadOnlyPaths=/usr /etc/app
//   fs read write /var/lib/app  BindPaths=/var/lib/app
//                               NoExecPaths=/  ExecPaths=/usr
//   net bind 8080               SocketBindDeny=tcp  SocketBindAllow=tcp:8080
//
// `fs read /` with writable paths is written as ReadOnlyPaths=/ and ReadWritePaths=. What
// systemd cannot say (partial rights such as read-file alone, net connect, scope) is refused;
// where it allows more than Landlock would (device ioctls and device nodes under bound paths,
// binding port 0), the policy the unit means is widened the same way, with a warning.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sysgate/access_rules.h"
#include "sysgate/policy.h"

namespace sysgate::formats {

// A unit-file value's words with their columns, quotes taken off.
std::vector<std::pair<std::string, SourceLoc>> SystemdWords(std::string_view value, SourceLoc loc);

// Appends the lines for `rules` to `out`; false (with an error in `diagnostics`) when systemd
// cannot say them, or with `strict` when the unit would allow more. `means` becomes what the
// written lines mean.
bool WriteSystemdAccess(const AccessRules& rules, std::string& out, std::vector<Diagnostic>& diagnostics,
                        AccessRules& means, bool strict);

// Reads the directives WriteSystemdAccess writes (and ReadOnlyPaths=/ReadWritePaths=,
// InaccessiblePaths=, warned about) into fs and net rules.
class SystemdAccessReader {
 public:
  // Whether `key` is one of the directives this reads (the line is taken then).
  bool Line(std::string_view key, std::string_view value, const SourceLoc& loc,
            std::vector<Diagnostic>& diagnostics);
  // The rules the lines read make, or none (empty()) when there were none.
  AccessRules Build(std::vector<Diagnostic>& diagnostics) const;

 private:
  struct Path {
    std::string path;
    SourceLoc loc;
  };
  bool tmpfs_root_ = false, read_only_root_ = false, no_exec_root_ = false, bind_filter_ = false;
  SourceLoc first_;
  std::vector<Path> read_only_, writable_, exec_;
  std::vector<PortRule> bind_;
};

}  // namespace sysgate::formats
