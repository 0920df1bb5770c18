#include "learn/fold_access.h"

#include <algorithm>
#include <map>

#include "supervise/access_effects.h"
#include "sysgate/access_rules.h"

namespace sysgate::learn {
namespace {

namespace fa = fs_access;
using supervise::ParentDirectory;

struct Entry {
  uint64_t access = 0;
  uint64_t count = 0;
  uint64_t paths = 0;
  bool shared = false;
};

size_t Depth(const std::string& path) {
  return path == "/" ? 0 : static_cast<size_t>(std::ranges::count(path, '/'));
}

// `path`'s ancestor at `depth` (`path` itself when not deeper).
std::string AncestorAt(const std::string& path, size_t depth) {
  size_t end = 0;
  for (size_t d = 0; d < depth; ++d) {
    end = path.find('/', end + 1);
    if (end == std::string::npos) return path;
  }
  return depth == 0 ? "/" : path.substr(0, end);
}

constexpr uint64_t kReadExec = fa::kRead | fa::kExecute;

// Trees of the system's programs and libraries: read and executed as a whole, as a person
// writes them (`fs read exec /usr`), not file by file.
constexpr std::string_view kSystemTrees[] = {"/usr",    "/lib", "/lib32", "/lib64",
                                             "/libx32", "/bin", "/sbin"};

// Where one recorded path's rights go, before any folding.
std::string Home(std::string path, uint64_t access) {
  // A name a rule cannot hold (a control character, too long): the directory above it.
  while (path != "/" && FsPathProblem(path)) path = ParentDirectory(path);
  // Per-process files (/proc/self, /proc/PID): a rule can only name /proc.
  if (PathIsBeneath(path, "/proc")) return "/proc";
  // Terminals come and go by number.
  if (PathIsBeneath(path, "/dev/pts")) return "/dev/pts";
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
  to.shared = to.shared || e.shared;
}

// The first directory at or above `path` that was there before the run (and so on every run).
std::string Existing(std::string path, const AccessRecording& rec) {
  auto made = [&](const std::string& p) {
    auto it = rec.paths.find(p);
    return it != rec.paths.end() && it->second.created;
  };
  for (std::string p = path; p != "/"; p = ParentDirectory(p)) {
    if (made(p)) path = ParentDirectory(p);
  }
  return path;
}

// What the rules grant on `path`: theirs and those of the directories above.
uint64_t Granted(const std::map<std::string, Entry>& m, const std::string& path) {
  uint64_t access = 0;
  for (std::string p = path;; p = ParentDirectory(p)) {
    if (auto it = m.find(p); it != m.end()) access |= it->second.access;
    if (p == "/") return access;
  }
}

}  // namespace

FoldedAccess FoldAccess(const AccessRecording& rec) {
  std::map<std::string, Entry> m;
  for (const auto& [path, use] : rec.paths) {
    if (use.access == 0) continue;
    // A file the program made or removed is not there on every run: its rights go to the
    // first directory above it that was there before the run (and so does anything beneath
    // what it made).
    std::string at =
        use.created || use.removed ? Existing(ParentDirectory(path), rec) : Existing(path, rec);
    const bool moved = at != path;
    at = Home(at, use.access);
    Add(m, at,
        {use.access, use.count, std::max<uint64_t>(use.paths, 1), moved && !MayFoldInto(at)});
  }

  // Bottom up: a directory with what is read or run beneath kFoldAt of its children takes that
  // over. What is written, made or removed stays where it is: one writable file is not a
  // reason to make its neighbours writable.
  size_t max_depth = 0;
  for (const auto& [path, e] : m) max_depth = std::max(max_depth, Depth(path));
  for (size_t level = max_depth; level-- > 2;) {  // directories at depth `level`
    std::map<std::string, std::map<std::string, std::vector<std::string>>> by_dir;
    for (const auto& [path, e] : m) {
      if (Depth(path) > level && (e.access & ~kReadExec) == 0) {
        by_dir[AncestorAt(path, level)][AncestorAt(path, level + 1)].push_back(path);
      }
    }
    for (const auto& [dir, children] : by_dir) {
      if (children.size() < kFoldAt || !MayFoldInto(dir)) continue;
      for (const auto& [child, paths] : children) {
        for (const std::string& p : paths) {
          Add(m, dir, m[p]);
          m.erase(p);
        }
      }
    }
  }

  // A move between directories is refused where the file would gain rights: the directory it
  // leaves gets what the one it enters grants (a file's rights, or all for a directory).
  for (size_t round = 0, changed = 1; changed && round <= rec.moves.size() * 16; ++round) {
    changed = 0;
    for (const AccessRecording::Move& mv : rec.moves) {
      const std::string from = Existing(mv.from, rec);
      uint64_t gain = Granted(m, Existing(mv.to, rec)) & ~Granted(m, from) &
                      (mv.dir ? fa::kAll : fa::kFileRights);
      if (gain == 0) continue;
      m[from].access |= gain;
      changed = 1;
    }
  }

  // Rights add up down the tree: what a directory above grants is not said again.
  FoldedAccess out;
  std::map<std::string, Entry> kept;
  for (const auto& [path, e] : m) {
    uint64_t above = path == "/" ? 0 : Granted(m, ParentDirectory(path));
    std::string nearest;  // the closest rule above that stays (ancestors sort first)
    for (std::string p = path; p != "/" && nearest.empty();) {
      p = ParentDirectory(p);
      if (kept.contains(p)) nearest = p;
    }
    uint64_t rest = e.access & ~above;
    if (rest == 0 && !nearest.empty()) {
      Entry moved = e;
      moved.access = 0;
      Add(kept, nearest, moved);
    } else if (rest != 0) {
      Add(kept, path, {rest, e.count, e.paths, e.shared});
    }
  }
  for (const auto& [path, e] : kept)
    out.paths.push_back({e.access, path, e.count, e.paths, e.shared});
  for (const auto& [port, n] : rec.bind) out.bind.push_back({port, n});
  for (const auto& [port, n] : rec.connect) out.connect.push_back({port, n});
  return out;
}

}  // namespace sysgate::learn
