// A policy's fs rules as a systemd unit's mounts, and back.
//
//   fs read exec /usr           TemporaryFileSystem=/:ro       (only the bound paths are there)
//   fs read /etc/app            BindReadOnlyPaths=/usr /etc/app
//   fs read write /var/lib/app  BindPaths=/var/lib/app
//                               NoExecPaths=/etc/app /var/lib/app
//                               CapabilityBoundingSet=~CAP_MKNOD
//
// `fs read /` is written as ReadOnlyPaths=/ with ReadWritePaths=, `fs read write /` as no
// mounts at all; exec is NoExecPaths= and ExecPaths=. Checked against systemd 252 booted in a
// container (tests/e2e/systemd_unit_test.sh), which showed what the manual does not say:
// NoExecPaths=/ beside TemporaryFileSystem=/ brings the host's root back, and ReadWritePaths=
// remounts a path executable. What systemd cannot say exactly (rights other than read, write
// and exec; net rules, whose SocketBindDeny= systemd ignores when built without BPF, as
// Debian's is; scope) is refused, or with net and scope dropped with a warning as the other
// formats do. Where systemd allows more than Landlock would (device nodes under /dev bound
// read-only), the policy the unit means is widened the same way, with a warning.
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

// A symlink in the host's root directory and where it leads (/lib -> /usr/lib where /usr is
// merged). TemporaryFileSystem=/ hides them, while Landlock follows them to the rules' paths:
// the unit binds the ones that lead into a granted path.
struct RootLink {
  std::string path, target;  // both absolute; target resolved
};
std::vector<RootLink> HostRootLinks();

struct SystemdAccessOptions {
  bool strict = false;             // refuse, rather than widen or drop
  std::vector<RootLink> root_links;
};

// Appends the lines for `rules` to `out`; false (with an error in `diagnostics`) when systemd
// cannot say them, or with `strict` when the unit would allow more or less. `means` becomes
// what the written lines mean.
bool WriteSystemdAccess(const AccessRules& rules, std::string& out, std::vector<Diagnostic>& diagnostics,
                        AccessRules& means, const SystemdAccessOptions& options);

// Reads the directives WriteSystemdAccess writes (and warns about the deny-list ones,
// InaccessiblePaths= and the like) into fs and net rules.
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
  bool no_mknod_ = false;
  SourceLoc first_;
  std::vector<Path> read_only_, writable_, exec_, no_exec_;
  std::vector<PortRule> bind_;
};

}  // namespace sysgate::formats
