// Names for argument values in reports, strace-style: O_WRONLY|O_CREAT|O_TRUNC, AF_INET,
// CLONE_NEWUSER|SIGCHLD, TIOCSTI. Which constants apply to which argument is a small table
// keyed by syscall and argument name; values come from the generated constant table.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sysgate::supervise {

// The value of `arg` of `syscall` in names, or nullopt when sysgate has no names for it.
std::optional<std::string> NameValue(std::string_view syscall, std::string_view arg,
                                     uint64_t value);
// A socket option's name, which depends on its level: SO_REUSEADDR at SOL_SOCKET, TCP_NODELAY
// at IPPROTO_TCP; nullopt for levels sysgate has no option names of.
// `get`: for getsockopt (SO_GET_FILTER, where setsockopt's is SO_ATTACH_FILTER).
std::optional<std::string> SocketOptionName(uint64_t level, uint64_t optname, bool get);

}  // namespace sysgate::supervise
