#include "formats/systemd_access.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "base/strings.h"

namespace sysgate::formats {
namespace {

namespace fa = fs_access;

constexpr uint64_t kDeviceNodes = fa::kMakeChar | fa::kMakeBlock;

// Whether a path holds device nodes or is above them: sysgate takes them to live under /dev.
bool NearDevices(std::string_view path) { return PathIsBeneath(path, "/dev") || PathIsBeneath("/dev", path); }

// What a mount allows in Landlock's terms. systemd's mounts do not restrict device ioctls, and
// writable ones allow making device nodes unless CAP_MKNOD is dropped.
uint64_t ReadOnlyMeans(std::string_view path) { return fa::kRead | (NearDevices(path) ? fa::kIoctlDev : 0); }
uint64_t WritableMeans(std::string_view path, bool no_mknod) {
  return ReadOnlyMeans(path) | fa::kWrite | (no_mknod ? 0 : kDeviceNodes);
}

// A path systemd's space-separated lists take as it is: no blanks, quotes, backslashes, ':'
// (Bind*Paths= reads SOURCE:DEST), '%' (its specifiers, %h) or leading '-' and '+'.
bool PlainPath(std::string_view p) {
  return std::ranges::none_of(p, [](char c) {
           return std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)) ||
                  c == '"' || c == '\'' || c == '\\' || c == ':' || c == '%';
         });
}

void PutPaths(std::string& out, std::string_view key, const std::vector<std::string>& paths) {
  if (!paths.empty()) out += fmt::format("{}={}\n", key, fmt::join(paths, " "));
}

// One path the unit binds, and how.
struct Bound {
  std::string path;
  bool writable = false, exec = false;
  bool link = false;     // one of the host's links at the root
  bool mounted = false;  // a mount of its own
};

}  // namespace

std::vector<std::pair<std::string, SourceLoc>> SystemdWords(std::string_view v, SourceLoc loc) {
  std::vector<std::pair<std::string, SourceLoc>> out;
  for (size_t i = 0; i < v.size();) {
    while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    size_t s = i;
    while (i < v.size() && !std::isspace(static_cast<unsigned char>(v[i]))) ++i;
    if (i > s) {
      SourceLoc l = loc;
      l.column += static_cast<int>(s);
      std::string w(v.substr(s, i - s));
      if (w.size() >= 2 && (w.front() == '"' || w.front() == '\'') && w.back() == w.front()) {
        w = w.substr(1, w.size() - 2);
      }
      out.emplace_back(std::move(w), l);
    }
  }
  return out;
}

std::vector<RootLink> HostRootLinks() {
  namespace fs = std::filesystem;
  std::vector<RootLink> out;
  std::error_code ec;
  for (auto it = fs::directory_iterator("/", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    if (!it->is_symlink(ec)) continue;
    fs::path target = fs::canonical(it->path(), ec);
    if (ec) {
      ec.clear();
      continue;
    }
    out.push_back({it->path().string(), target.string()});
  }
  std::ranges::sort(out, {}, &RootLink::path);
  return out;
}

bool WriteSystemdAccess(const AccessRules& a, std::string& out, std::vector<Diagnostic>& diags,
                        AccessRules& means, const SystemdAccessOptions& o) {
  means = a;
  if (a.empty() && !a.best_effort) return true;
  auto error = [&](std::string m, const SourceLoc* at = nullptr) {
    diags.push_back({Severity::kError, at ? *at : a.loc, std::move(m), 1});
    return false;
  };
  // Where the unit allows more than the rules, or leaves out some: a warning, or an error
  // with strict.
  auto differs = [&](std::string m) {
    diags.push_back({o.strict ? Severity::kError : Severity::kWarning, a.loc,
                     m + (o.strict ? ": refused (--strict-access)" : ""), 1});
    return !o.strict;
  };
  if (a.handled_net || a.scoped) {
    std::string what = a.handled_net && a.scoped ? "net and scope rules" : a.handled_net ? "net rules" : "scope rules";
    if (!differs(fmt::format("systemd cannot say the {} exactly (SocketBindDeny= restricts binds only "
                             "where systemd was built with BPF, and is ignored otherwise; connect and "
                             "scope have no directive): the unit has none of them",
                             what))) {
      return false;
    }
    means.handled_net = 0;
    means.ports.clear();
    means.scoped = 0;
  }
  if (a.best_effort && !differs("systemd's mounts apply on every kernel: fs best-effort is not written")) return false;
  means.best_effort = false;
  if (!a.handled_fs) return true;
  if (a.handled_fs != fa::kAll) {
    return error(fmt::format("systemd's mounts decide every right; these rules leave {} to the "
                             "program: refused", FsAccessText(fa::kAll & ~a.handled_fs)));
  }

  // Each rule's path with the rights the rules grant there (they add up down the tree), as a
  // mount systemd can make: read-only or writable, executable or not.
  const bool no_mknod = std::ranges::none_of(a.paths, [](const PathRule& r) { return r.access & kDeviceNodes; });
  std::vector<Bound> bound;
  uint64_t widened = 0;  // rights the unit allows somewhere that the rules do not
  means.paths.clear();
  for (const PathRule& r : a.paths) {
    if (std::ranges::find(bound, r.path, &Bound::path) != bound.end()) continue;
    if (!PlainPath(r.path)) {
      return error(fmt::format("systemd's path lists cannot hold {}: refused", base::Abbreviate(r.path)), &r.loc);
    }
    const uint64_t granted = GrantedOn(a, r.path).access;
    const uint64_t rights = granted & ~fa::kExecute;
    Bound b{r.path, false, (granted & fa::kExecute) != 0};
    uint64_t meant = 0;
    if ((rights & fa::kRead) == fa::kRead && (rights & ~ReadOnlyMeans(r.path)) == 0) {
      meant = ReadOnlyMeans(r.path);
      // A read-only mount still lets the program write to the device nodes on it.
      if (NearDevices(r.path) && !(GrantedOn(a, "/dev").access & fa::kWriteFile)) widened |= fa::kWriteFile;
    } else if ((rights & (fa::kRead | fa::kWrite)) == (fa::kRead | fa::kWrite) &&
               (rights & ~WritableMeans(r.path, no_mknod)) == 0) {
      b.writable = true;
      meant = WritableMeans(r.path, no_mknod);
    } else {
      return error(fmt::format("systemd binds a path read-only or writable: `fs {} {}` is neither "
                               "(read, or read write, each with or without exec): refused",
                               FsAccessText(granted), r.path),
                   &r.loc);
    }
    widened |= meant & ~rights;
    bound.push_back(b);
    means.paths.push_back({meant | (granted & fa::kExecute), r.path, r.loc});
  }
  if ((widened & (fa::kWriteFile | fa::kIoctlDev)) &&
      !differs("systemd's mounts do not restrict device ioctls, nor writing to device nodes on "
               "read-only paths: the unit allows them under /dev")) {
    return false;
  }
  if ((widened & kDeviceNodes) &&
      !differs("the rules grant making device nodes somewhere, so the unit keeps CAP_MKNOD: the "
               "program may make them in every writable path")) {
    return false;
  }

  const auto root = std::ranges::find(bound, std::string("/"), &Bound::path);
  const bool root_read = root != bound.end(), root_writable = root_read && root->writable;
  const bool root_exec = root_read && root->exec;
  // The host's top-level links into the bound paths, to be bound where they are.
  std::vector<Bound> all = bound;
  if (!root_read) {
    for (const RootLink& l : o.root_links) {
      for (const Bound& b : bound) {
        std::string at;
        if (PathIsBeneath(b.path, l.target)) {
          at = l.path + b.path.substr(l.target.size());
        } else if (PathIsBeneath(l.target, b.path)) {
          at = l.path;
        }
        if (at.empty() || !PlainPath(at) || std::ranges::find(all, at, &Bound::path) != all.end()) continue;
        Bound lb = b;
        lb.path = at;
        lb.link = true;
        all.push_back(lb);
        const uint64_t rights = b.writable ? WritableMeans(at, no_mknod) : ReadOnlyMeans(at);
        means.paths.push_back({rights | (b.exec ? fa::kExecute : 0), at, a.loc});
      }
    }
  }
  // A path is a mount of its own where it is not as writable as the path above it: a mount
  // inside one of the same kind would change nothing, and systemd then drops ExecPaths= on it.
  auto nearest_above = [&](const Bound& b) -> const Bound* {
    const Bound* best = nullptr;
    for (const Bound& x : all) {
      if (x.path != b.path && PathIsBeneath(b.path, x.path) && (!best || x.path.size() > best->path.size())) best = &x;
    }
    return best;
  };
  for (Bound& b : all) {
    const Bound* above = nearest_above(b);
    b.mounted = b.path != "/" && (above ? above->writable != b.writable : !root_read);
  }

  std::string lines = "# Files (fs rules)";
  std::vector<std::string> read_only, writable, link_read_only, link_writable, exec, no_exec;
  for (const Bound& b : all) {
    if (!b.mounted) continue;
    if (b.link) {
      (b.writable ? link_writable : link_read_only).push_back("-" + b.path);
    } else {
      (b.writable ? writable : read_only).push_back(b.path);
    }
  }
  if (root_writable) {
    lines += ": every path is writable.\n";
  } else if (root_read) {
    lines += ": every path is there, read-only but for ReadWritePaths=.\nReadOnlyPaths=/\n";
    PutPaths(lines, "ReadWritePaths", writable);
  } else {
    // The allow list of systemd.exec(5)'s TemporaryFileSystem= example, from the root.
    // ProtectSystem= overrides it: leave that unset.
    lines += ": only the paths bound below are there, read-only or writable.\nTemporaryFileSystem=/:ro\n";
    PutPaths(lines, "BindPaths", writable);
    PutPaths(lines, "BindReadOnlyPaths", read_only);
    if (!link_read_only.empty() || !link_writable.empty()) {
      lines += "# This host's links at the root into those paths, which TemporaryFileSystem= hides\n"
               "# ('-': none where the unit runs is fine):\n";
      PutPaths(lines, "BindReadOnlyPaths", link_read_only);
      PutPaths(lines, "BindPaths", link_writable);
    }
  }
  // Exec: a bind mount keeps the host's exec, and ReadWritePaths= makes a path executable
  // again; NoExecPaths=/ beside TemporaryFileSystem=/ would bring the host's root back.
  if (root_read && !root_exec) no_exec.push_back("/");
  for (const Bound& b : all) {
    if (b.mounted && !b.exec && !root_exec) no_exec.push_back(b.link ? "-" + b.path : b.path);
  }
  for (const Bound& b : all) {
    if (!b.exec || b.path == "/") continue;
    const Bound* above = nearest_above(b);
    const bool inherits = above && above->exec && !b.mounted;
    auto beneath = [&](std::string_view n) { return PathIsBeneath(b.path, n.starts_with('-') ? n.substr(1) : n); };
    if (!inherits && std::ranges::any_of(no_exec, beneath)) {
      exec.push_back(b.link ? "-" + b.path : b.path);
    }
  }
  PutPaths(lines, "NoExecPaths", no_exec);
  PutPaths(lines, "ExecPaths", exec);
  if (root_writable && root_exec) {
    // Nothing confines: the unit says nothing, and its reader reads no fs rules.
    if (!differs("the rules let the program reach every path but for device nodes and ioctls, which "
                 "systemd does not restrict: the unit has no fs lines")) {
      return false;
    }
    means.handled_fs = 0;
    means.paths.clear();
    return true;
  }
  if (no_mknod) {
    lines += "# No device nodes where the service may write (make-char and make-block are not granted).\n"
             "CapabilityBoundingSet=~CAP_MKNOD\n";
  }
  out += lines;
  return true;
}

bool SystemdAccessReader::Line(std::string_view key, std::string_view value, const SourceLoc& loc,
                               std::vector<Diagnostic>& diags) {
  auto warn = [&](const SourceLoc& l, std::string m) { diags.push_back({Severity::kWarning, l, std::move(m), 1}); };
  // A list: an empty value empties it, as systemd does.
  auto paths = [&](std::vector<Path>& into) {
    if (value.empty()) into.clear();
    for (auto& [w, wl] : SystemdWords(value, loc)) {
      // '-': no error where the path is missing. A rule's path must be there when the policy
      // is applied; sysgate run says so if it is not.
      std::string_view path = w;
      if (path.starts_with('-')) path.remove_prefix(1);
      if (!path.starts_with('/') || !PlainPath(path)) {
        warn(wl, fmt::format("{}=: '{}' is not read (sysgate reads absolute paths, without systemd's "
                             "+ or SOURCE:DEST forms); the rules do not grant it",
                             key, base::Abbreviate(w)));
        continue;
      }
      into.push_back({std::string(path), wl});
    }
  };
  auto deny_list = [&](std::string_view what) {
    warn(loc, fmt::format("{}={} is not read: {}; fs rules only grant paths, so nothing is taken "
                          "away here", key, base::Abbreviate(value), what));
  };
  const bool first = !first_.known();
  const std::string_view v = base::Trim(value);
  if (key == "TemporaryFileSystem") {
    if (v.empty()) {
      tmpfs_root_ = false;
    } else if (v == "/:ro" || v == "/") {
      tmpfs_root_ = true;
    } else {
      deny_list("a temporary file system hides what is beneath one directory");
    }
  } else if (key == "ReadOnlyPaths") {
    if (v.empty()) {
      read_only_root_ = false;
    } else if (v == "/") {
      read_only_root_ = true;
    } else {
      deny_list("paths made read-only inside a writable tree");
    }
  } else if (key == "InaccessiblePaths") {
    if (!v.empty()) deny_list("paths hidden inside what is there");
  } else if (key == "BindReadOnlyPaths") {
    paths(read_only_);
  } else if (key == "BindPaths" || key == "ReadWritePaths") {
    paths(writable_);
  } else if (key == "ExecPaths") {
    paths(exec_);
  } else if (key == "NoExecPaths") {
    std::vector<Path> read;
    paths(read);
    if (v.empty()) {
      no_exec_root_ = false;
      no_exec_.clear();
    }
    for (Path& p : read) {
      if (p.path == "/") {
        no_exec_root_ = true;
      } else {
        no_exec_.push_back(std::move(p));
      }
    }
  } else if (key == "CapabilityBoundingSet") {
    // Only the one line the writer puts: other capability sets are not the fs rules' business.
    if (v == "~CAP_MKNOD") {
      no_mknod_ = true;
    } else {
      return false;
    }
  } else if (key == "SocketBindDeny") {
    if (v.empty()) {
      bind_filter_ = false;
    } else if (v == "tcp" || v == "any") {
      bind_filter_ = true;
      if (v == "any") warn(loc, "SocketBindDeny=any: net rules restrict TCP only; UDP binds are not restricted by the policy read");
    } else {
      deny_list("some binds denied among allowed ones");
    }
  } else if (key == "SocketBindAllow") {
    if (v.empty()) bind_.clear();
    for (auto& [w, wl] : SystemdWords(value, loc)) {
      std::string_view ports = w;
      if (ports.starts_with("ipv4:") || ports.starts_with("ipv6:")) {
        warn(wl, fmt::format("SocketBindAllow=: '{}' allows one address family; net rules cannot say "
                             "which, so it is read as both", base::Abbreviate(w)));
        ports.remove_prefix(5);
      }
      if (ports.starts_with("udp")) continue;  // not TCP: net rules do not restrict it
      if (ports.starts_with("tcp:")) ports.remove_prefix(4);
      size_t dash = ports.find('-');
      auto lo = base::ParseInteger(ports.substr(0, dash));
      auto hi = dash == std::string_view::npos ? lo : base::ParseInteger(ports.substr(dash + 1));
      if (!lo || !hi || *lo < 1 || *hi > 65535 || *lo > *hi) {
        warn(wl, fmt::format("SocketBindAllow=: '{}' is not read (tcp:PORT or tcp:FIRST-LAST, 1..65535)",
                             base::Abbreviate(w)));
        continue;
      }
      bind_.push_back({net_access::kBindTcp, static_cast<uint16_t>(*lo), static_cast<uint16_t>(*hi), wl});
    }
  } else {
    return false;
  }
  if (first) first_ = loc;
  return true;
}

AccessRules SystemdAccessReader::Build(std::vector<Diagnostic>& diags) const {
  AccessRules a;
  a.loc = first_;
  // Whether `path` is executable: the deepest of NoExecPaths= and ExecPaths= above it decides.
  auto executable = [&](std::string_view path) {
    size_t best = 0;
    bool exec = !no_exec_root_;
    for (const auto* list : {&no_exec_, &exec_}) {
      for (const Path& p : *list) {
        if (PathIsBeneath(path, p.path) && p.path.size() >= best) {
          best = p.path.size();
          exec = list == &exec_;
        }
      }
    }
    return exec;
  };
  const bool confined = tmpfs_root_ || read_only_root_ || no_exec_root_;  // ~CAP_MKNOD alone is not
  if (confined) {
    auto rule = [&](uint64_t rights, const Path& p) {
      a.paths.push_back({rights | (executable(p.path) ? fa::kExecute : 0), p.path, p.loc});
    };
    a.handled_fs = fa::kAll;
    if (read_only_root_ && !tmpfs_root_) {
      rule(ReadOnlyMeans("/"), {"/", first_});
    } else if (!tmpfs_root_) {
      rule(WritableMeans("/", no_mknod_), {"/", first_});
    }
    for (const Path& p : read_only_) rule(ReadOnlyMeans(p.path), p);
    for (const Path& p : writable_) rule(WritableMeans(p.path, no_mknod_), p);
    for (const Path& p : exec_) {
      if (GrantedOn(a, p.path).access) a.paths.push_back({fa::kExecute, p.path, p.loc});
    }
    // Landlock's rights add up down the tree: a path cannot be less executable than its parent.
    for (const Path& p : no_exec_) {
      if (GrantedOn(a, p.path).access & fa::kExecute) {
        diags.push_back({Severity::kWarning, p.loc,
                         fmt::format("NoExecPaths={} inside an executable path cannot be said by fs "
                                     "rules: read as executable", p.path),
                         1});
      }
    }
  } else if (!read_only_.empty() || !writable_.empty() || !exec_.empty() || !no_exec_.empty()) {
    diags.push_back({Severity::kWarning, first_,
                     "Bind*Paths=, ReadWritePaths=, ExecPaths= and NoExecPaths= are read only beside "
                     "TemporaryFileSystem=/, ReadOnlyPaths=/ or NoExecPaths=/ (fs rules decide every "
                     "right): not read", 1});
  }
  if (bind_filter_) {
    // SocketBindAllow= takes no port 0: an ephemeral port is denied like any other.
    a.handled_net = net_access::kBindTcp;
    a.ports = bind_;
  }
  return a;
}

}  // namespace sysgate::formats
