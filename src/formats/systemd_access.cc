#include "formats/systemd_access.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "base/strings.h"

namespace sysgate::formats {
namespace {

namespace fa = fs_access;

// What a bound path allows in Landlock's terms: systemd's mounts do not restrict ioctls on
// devices, nor making device nodes where the mount is writable (CAP_MKNOD decides that).
constexpr uint64_t kReadOnlyMeans = fa::kRead | fa::kIoctlDev;
constexpr uint64_t kWritableMeans = fa::kAll & ~fa::kExecute;
constexpr size_t kMaxBindRules = 128;  // systemd's limit on SocketBindAllow= entries

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

bool WriteSystemdAccess(const AccessRules& a, std::string& out, std::vector<Diagnostic>& diags,
                        AccessRules& means, bool strict) {
  means = a;
  if (a.empty() && !a.best_effort) return true;
  auto error = [&](std::string m, const SourceLoc* at = nullptr) {
    diags.push_back({Severity::kError, at ? *at : a.loc, std::move(m), 1});
    return false;
  };
  // Where the unit allows more than the rules: a warning, or with strict an error.
  auto wider = [&](std::string m) {
    diags.push_back({strict ? Severity::kError : Severity::kWarning, a.loc,
                     m + (strict ? ": refused (--strict-access)" : ""), 1});
    return !strict;
  };
  if (a.scoped) {
    return error(fmt::format("systemd cannot keep {} inside the service (scope): refused", ScopeText(a.scoped)));
  }
  if (a.handled_net & net_access::kConnectTcp) {
    return error("systemd cannot restrict TCP connect by port (net connect): refused");
  }
  if (a.best_effort && !wider("systemd's mounts apply on every kernel: fs best-effort is not written")) return false;
  means.best_effort = false;

  std::string lines;
  if (a.handled_fs) {
    if (a.handled_fs != fa::kAll) {
      return error(fmt::format("systemd's mounts decide every right; these rules leave {} to the "
                               "program: refused", FsAccessText(fa::kAll & ~a.handled_fs)));
    }
    // Each path with the rights the rules grant there (they add up down the tree).
    std::vector<std::string> read_only, writable, exec;
    bool widened = false;
    means.paths.clear();
    std::vector<std::string> seen;
    for (const PathRule& r : a.paths) {
      if (std::ranges::find(seen, r.path) != seen.end()) continue;
      seen.push_back(r.path);
      if (!PlainPath(r.path)) {
        return error(fmt::format("systemd's path lists cannot hold {}: refused", base::Abbreviate(r.path)), &r.loc);
      }
      const uint64_t granted = GrantedOn(a, r.path).access;
      const uint64_t rights = granted & ~fa::kExecute;
      uint64_t meant = 0;
      if ((rights & fa::kRead) == fa::kRead && (rights & ~kReadOnlyMeans) == 0) {
        read_only.push_back(r.path);
        meant = kReadOnlyMeans;
      } else if ((rights & (fa::kRead | fa::kWrite)) == (fa::kRead | fa::kWrite)) {
        writable.push_back(r.path);
        meant = kWritableMeans;
      } else {
        return error(fmt::format("systemd binds a path read-only or writable: `fs {} {}` is neither "
                                 "(read, or read write, each with or without exec): refused",
                                 FsAccessText(granted), r.path),
                     &r.loc);
      }
      widened = widened || meant != rights;
      if (granted & fa::kExecute) exec.push_back(r.path);
      means.paths.push_back({meant | (granted & fa::kExecute), r.path, r.loc});
    }
    if (widened && !wider("systemd does not restrict ioctls on devices, nor making device nodes in "
                          "writable paths (ioctl-dev, make-char, make-block): the unit allows them "
                          "under the paths it binds")) {
      return false;
    }
    const uint64_t root = GrantedOn(means, "/").access;
    lines += "# Files (fs rules): only the paths bound below are there, read-only or writable";
    if ((root & kReadOnlyMeans) == kReadOnlyMeans) {
      lines += ";\n# here every path is there, read-only but for ReadWritePaths=.\nReadOnlyPaths=/\n";
      PutPaths(lines, "ReadWritePaths", writable);
    } else {
      // The allow list of systemd.exec(5)'s TemporaryFileSystem= example, from the root.
      // ProtectSystem= overrides it: leave that unset.
      lines += ".\nTemporaryFileSystem=/:ro\n";
      PutPaths(lines, "BindReadOnlyPaths", read_only);
      PutPaths(lines, "BindPaths", writable);
    }
    if (!(root & fa::kExecute)) {
      lines += "NoExecPaths=/\n";
      PutPaths(lines, "ExecPaths", exec);
    }
  }
  if (a.handled_net & net_access::kBindTcp) {
    lines += "# TCP ports (net rules): systemd never restricts binding port 0 (an ephemeral port).\n"
             "SocketBindDeny=tcp\n";
    bool zero = false;
    size_t n = 0;
    for (const PortRule& r : a.ports) {
      if (!(r.access & net_access::kBindTcp)) continue;
      zero = zero || r.first == 0;
      const uint16_t first = std::max<uint16_t>(r.first, 1);
      if (first > r.last) continue;
      if (++n > kMaxBindRules) {
        return error(fmt::format("systemd takes at most {} SocketBindAllow= entries: refused", kMaxBindRules));
      }
      lines += first == r.last ? fmt::format("SocketBindAllow=tcp:{}\n", first)
                               : fmt::format("SocketBindAllow=tcp:{}-{}\n", first, r.last);
    }
    if (!zero) {
      if (!wider("systemd never restricts binding port 0: the unit lets the program bind an ephemeral port")) {
        return false;
      }
      means.ports.push_back({net_access::kBindTcp, 0, 0, a.loc});
    }
  }
  out += lines;
  return true;
}

bool SystemdAccessReader::Line(std::string_view key, std::string_view value, const SourceLoc& loc,
                               std::vector<Diagnostic>& diags) {
  auto warn = [&](const SourceLoc& l, std::string m) { diags.push_back({Severity::kWarning, l, std::move(m), 1}); };
  auto paths = [&](std::vector<Path>& into) {
    for (auto& [w, wl] : SystemdWords(value, loc)) {
      if (!w.starts_with('/') || !PlainPath(w)) {
        warn(wl, fmt::format("{}=: '{}' is not read (sysgate reads absolute paths without systemd's "
                             "-, + or SOURCE:DEST forms); the rules do not grant it",
                             key, base::Abbreviate(w)));
        continue;
      }
      into.push_back({w, wl});
    }
  };
  auto deny_list = [&](std::string_view what) {
    warn(loc, fmt::format("{}={} is not read: {}; fs rules only grant paths, so nothing is taken "
                          "away here", key, base::Abbreviate(value), what));
  };
  const bool first = !first_.known();
  if (key == "TemporaryFileSystem") {
    if (value == "/:ro" || value == "/") {
      tmpfs_root_ = true;
    } else {
      deny_list("a temporary file system hides what is beneath one directory");
    }
  } else if (key == "ReadOnlyPaths") {
    if (base::Trim(value) == "/") {
      read_only_root_ = true;
    } else {
      deny_list("paths made read-only inside a writable tree");
    }
  } else if (key == "InaccessiblePaths") {
    deny_list("paths hidden inside what is there");
  } else if (key == "BindReadOnlyPaths") {
    paths(read_only_);
  } else if (key == "BindPaths" || key == "ReadWritePaths") {
    paths(writable_);
  } else if (key == "ExecPaths") {
    paths(exec_);
  } else if (key == "NoExecPaths") {
    if (base::Trim(value) == "/") {
      no_exec_root_ = true;
    } else {
      deny_list("paths made not executable inside an executable tree");
    }
  } else if (key == "SocketBindDeny") {
    std::string v(base::Trim(value));
    if (v == "tcp" || v == "any") {
      bind_filter_ = true;
      if (v == "any") warn(loc, "SocketBindDeny=any: net rules restrict TCP only; UDP binds are not restricted by the policy read");
    } else {
      deny_list("some binds denied among allowed ones");
    }
  } else if (key == "SocketBindAllow") {
    for (auto& [w, wl] : SystemdWords(value, loc)) {
      std::string_view ports = w;
      if (ports.starts_with("ipv4:") || ports.starts_with("ipv6:")) ports.remove_prefix(5);
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
  const bool confined = tmpfs_root_ || read_only_root_;
  if (confined) {
    const uint64_t exec = no_exec_root_ ? 0 : fa::kExecute;
    a.handled_fs = fa::kAll;
    if (read_only_root_) a.paths.push_back({kReadOnlyMeans | exec, "/", first_});
    for (const Path& p : read_only_) a.paths.push_back({kReadOnlyMeans | exec, p.path, p.loc});
    for (const Path& p : writable_) a.paths.push_back({kWritableMeans | exec, p.path, p.loc});
    if (no_exec_root_) {
      for (const Path& p : exec_) a.paths.push_back({fa::kExecute, p.path, p.loc});
    }
  } else if (!read_only_.empty() || !writable_.empty() || no_exec_root_) {
    diags.push_back({Severity::kWarning, first_,
                     "Bind*Paths=, ReadWritePaths= and NoExecPaths= are read only beside "
                     "TemporaryFileSystem=/ or ReadOnlyPaths=/ (fs rules decide every right): not read", 1});
  }
  if (bind_filter_) {
    a.handled_net = net_access::kBindTcp;
    a.ports = bind_;
    a.ports.push_back({net_access::kBindTcp, 0, 0, first_});  // systemd never restricts port 0
  }
  return a;
}

}  // namespace sysgate::formats
