#include "denials.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>
#include <vector>

namespace web {
namespace {

// Set before the threads start, only read afterwards.
sysgate::AccessRules access_rules;
std::vector<std::string> real_rule_paths;
uint64_t fs_enforced = 0, net_enforced = 0;
std::string real_root;

void Say(const std::string& call, const std::optional<sysgate::AccessDenial>& denied) {
  if (!denied) return;
  // One write: lines of several threads do not interleave. (No stdio lock to take in a thread
  // that a trap could interrupt.)
  const std::string line = "example_web_server: denied " + call + " " + denied->ToString() + "\n";
  ssize_t n = write(2, line.data(), line.size());
  (void)n;
}

}  // namespace

void SetAccessRules(const sysgate::AccessRules& rules, uint64_t enforced_fs, uint64_t enforced_net,
                    const std::string& root) {
  access_rules = rules;
  real_rule_paths = sysgate::RealRulePaths(rules);  // realpath: not possible once locked down
  fs_enforced = enforced_fs;
  net_enforced = enforced_net;
  real_root = root;
}

void ReportDeniedOpen(const std::string& call, const std::string& path, int flags) {
  // As the kernel resolved it: relative paths are below the root, which has no symlink above
  // it once resolved.
  const std::string absolute = path.starts_with('/') ? path : real_root + "/" + path;
  // A file that O_CREAT would make: the kernel first checks make-reg on its directory. (stat is
  // newfstatat, which the syscall rules allow and Landlock does not restrict.)
  struct stat st {};
  if ((flags & O_CREAT) && stat(absolute.c_str(), &st) != 0 && errno == ENOENT) {
    const size_t slash = absolute.rfind('/');
    const std::string dir = slash == 0 ? "/" : absolute.substr(0, slash);
    if (auto denied = sysgate::FsDenial(access_rules, dir, sysgate::fs_access::kMakeReg,
                                        fs_enforced, real_rule_paths)) {
      Say(call, denied);
      return;
    }
  }
  Say(call, sysgate::FsDenial(access_rules, absolute, sysgate::OpenFileAccess(flags), fs_enforced,
                              real_rule_paths));
}

void ReportDeniedPort(const std::string& call, uint64_t access, uint16_t port) {
  Say(call, sysgate::NetDenial(access_rules, access, port, net_enforced));
}

}  // namespace web
