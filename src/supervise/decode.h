// Decoding a notified syscall the way strace prints it, from the signature table:
//   execve("/bin/sh", ["sh", "-c", "id"], 0x7ffd5a1c)   openat(AT_FDCWD, "/etc/shadow", 0x80000)
#pragma once

#include <string>

#include "supervise/notify_fd.h"

namespace sysgate::supervise {

// Reads strings (and execve's argv) from the target's memory through `fd`'s ID_VALID check.
std::string FormatCall(NotifyFd& fd, const Notification& n);

}  // namespace sysgate::supervise
