// Why the server's fs and net rules (Landlock) denied what it tried: a line on stderr in the
// words of `sysgate run --report-access`, made by sysgate::FsDenial and NetDenial:
//
//   example_web_server: denied openat(ROOT_FD, "/etc/passwd", O_RDONLY|O_CLOEXEC) by the fs
//   rules: no rule grants read-file on /etc/passwd
//
// The kernel says only EACCES; the rules say why. An EACCES the rules do not explain (a file's
// mode, say) is not reported.
#pragma once

#include <cstdint>
#include <string>

#include <sysgate/access_rules.h>

namespace web {

// The rules the server runs under and what the kernel enforces of them
// (LandlockRuleset::handled_fs(), handled_net()); `root` is the document root's real path.
// Called once, before the server is locked down (the rules' paths are resolved now) and before
// its threads start.
void SetAccessRules(const sysgate::AccessRules& rules, uint64_t enforced_fs, uint64_t enforced_net,
                    const std::string& root);

// `s` in double quotes, with quotes, backslashes and unprintable bytes escaped as C writes
// them: a path a client chose, put in a report line.
std::string Quoted(const std::string& s);

// `call` ("openat(ROOT_FD, \"/etc/passwd\", O_RDONLY)", its path Quoted) failed with EACCES
// opening `path` (absolute, or relative to the root, or with `from_cwd` to the directory the
// server started in) with open(2)'s `flags`: reported if the rules deny it (with O_CREAT, a
// file that is not there asks make-reg of its directory first).
void ReportDeniedOpen(const std::string& call, const std::string& path, int flags,
                      bool from_cwd = false);
// `call` failed with EACCES binding or connecting (net_access::kBindTcp, kConnectTcp) to TCP
// `port`: reported if the rules deny it.
void ReportDeniedPort(const std::string& call, uint64_t access, uint16_t port);

}  // namespace web
