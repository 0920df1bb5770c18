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
std::string start_cwd;  // where relative paths of AT_FDCWD lead

void Say(const std::string& call, const std::optional<sysgate::AccessDenial>& denied) {
  if (!denied) return;
  // One write: lines of several threads do not interleave. (No stdio lock to take in a thread
  // that a trap could interrupt.)
  const std::string line = "example_web_server: denied " + call + " " + denied->ToString() + "\n";
  ssize_t n = write(2, line.data(), line.size());
  (void)n;
}

}  // namespace

std::string Quoted(const std::string& s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

void SetAccessRules(const sysgate::AccessRules& rules, uint64_t enforced_fs, uint64_t enforced_net,
                    const std::string& root) {
  access_rules = rules;
  real_rule_paths = sysgate::RealRulePaths(rules);  // realpath: not possible once locked down
  fs_enforced = enforced_fs;
  net_enforced = enforced_net;
  real_root = root;
  char cwd[4096];
  if (getcwd(cwd, sizeof cwd)) start_cwd = cwd;
}

void ReportDeniedOpen(const std::string& call, const std::string& path, int flags, bool from_cwd) {
  // As the kernel resolved it: relative paths are below the root (or the starting directory),
  // which has no symlink above it once resolved. (A symlink below it that leads out cannot be
  // told from here: readlink is not among the server's calls. Such a denial is not reported.)
  const std::string& base = from_cwd ? start_cwd : real_root;
  if (!path.starts_with('/') && base.empty()) return;
  const std::string absolute = path.starts_with('/') ? path : base + "/" + path;
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
