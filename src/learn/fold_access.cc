#include "learn/fold_access.h"

#include <algorithm>
#include <map>

#include "sysgate/access_rules.h"

namespace sysgate::learn {
namespace {

struct Entry {
  uint64_t access = 0;
  uint64_t count = 0;
  uint64_t paths = 0;
};

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

size_t Depth(const std::string& path) {
  return path == "/" ? 0 : static_cast<size_t>(std::ranges::count(path, '/'));
}

// Trees of the system's programs and libraries: read and executed as a whole, as a person
// writes them (`fs read exec /usr`), not file by file.
constexpr std::string_view kSystemTrees[] = {"/usr", "/lib", "/lib32", "/lib64", "/libx32", "/bin", "/sbin"};

// Where one recorded path's rights go, before any folding.
std::string Home(const std::string& path, uint64_t access) {
  // Per-process files (/proc/self, /proc/PID, /dev/fd): a rule can only name /proc.
  if (PathIsBeneath(path, "/proc")) return "/proc";
  // Terminals come and go by number.
  if (PathIsBeneath(path, "/dev/pts")) return "/dev/pts";
  constexpr uint64_t kReadExec = fs_access::kRead | fs_access::kExecute;
  for (std::string_view tree : kSystemTrees) {
    if (PathIsBeneath(path, tree) && (access & ~kReadExec) == 0) return std::string(tree);
  }
  return path;
}

// Never granted as a whole by folding: the root, the top-level directories (/etc, /home,
// /tmp, /var, ...) and each home directory. Rules land there only for what the program
// made or removed in them.
bool MayFoldInto(const std::string& dir) {
  size_t depth = Depth(dir);
  if (depth < 2) return false;
  return !(depth == 2 && dir.starts_with("/home/"));
}

void Add(std::map<std::string, Entry>& m, const std::string& path, const Entry& e) {
  Entry& to = m[path];
  to.access |= e.access;
  to.count += e.count;
  to.paths += e.paths;
}

}  // namespace

FoldedAccess FoldAccess(const AccessRecording& rec) {
  std::map<std::string, Entry> m;
  for (const auto& [path, use] : rec.paths) {
    if (use.access == 0) continue;
    std::string at = path;
    // A file the program made or removed is not there on every run: its rights go to the
    // first directory above it that was there before the run.
    if (use.created || use.removed) {
      at = Parent(at);
      for (auto it = rec.paths.find(at); at != "/" && it != rec.paths.end() && it->second.created;
           it = rec.paths.find(at)) {
        at = Parent(at);
      }
    }
    Add(m, Home(at, use.access), {use.access, use.count, 1});
  }

  // Bottom up: a directory with kFoldAt entries directly in it takes them over.
  size_t max_depth = 0;
  for (const auto& [path, e] : m) max_depth = std::max(max_depth, Depth(path));
  for (size_t level = max_depth; level >= 2; --level) {
    std::map<std::string, std::vector<std::string>> by_dir;
    for (const auto& [path, e] : m) {
      if (Depth(path) == level) by_dir[Parent(path)].push_back(path);
    }
    for (const auto& [dir, kids] : by_dir) {
      if (kids.size() < kFoldAt || !MayFoldInto(dir)) continue;
      for (const std::string& k : kids) {
        Add(m, dir, m[k]);
        m.erase(k);
      }
    }
  }

  // Rights add up down the tree: what a directory above grants is not said again.
  FoldedAccess out;
  std::map<std::string, Entry> kept;
  for (const auto& [path, e] : m) {
    uint64_t above = 0;
    std::string nearest;  // the closest rule above that stays (ancestors sort first)
    for (std::string p = path; p != "/";) {
      p = Parent(p);
      if (auto it = m.find(p); it != m.end()) above |= it->second.access;
      if (auto it = kept.find(p); nearest.empty() && it != kept.end()) nearest = p;
    }
    uint64_t rest = e.access & ~above;
    if (rest == 0 && !nearest.empty()) {
      Entry moved = e;
      moved.access = 0;
      Add(kept, nearest, moved);
    } else {
      Add(kept, path, {rest, e.count, e.paths});
    }
  }
  for (const auto& [path, e] : kept) out.paths.push_back({e.access, path, e.count, e.paths});
  for (const auto& [port, n] : rec.bind) out.bind.push_back({port, n});
  for (const auto& [port, n] : rec.connect) out.connect.push_back({port, n});
  return out;
}

}  // namespace sysgate::learn
