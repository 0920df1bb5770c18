// Reading a notified thread's memory, safely: the read goes through process_vm_readv, and the
// result is used only if the notification is still valid afterwards (otherwise the pid may
// belong to another process by now). Never base a decision to allow on what a pointer pointed
// to: the target can change it after the read (THREATS row 26); sysgate reads only to report.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "supervise/notify_fd.h"

namespace sysgate::supervise {

// A NUL-terminated string of at most max_len bytes at addr; nullopt if unreadable or the
// notification is no longer valid. *truncated tells whether max_len cut it.
std::optional<std::string> ReadString(NotifyFd& fd, const Notification& n, uint64_t addr,
                                      size_t max_len, bool* truncated);
// `len` bytes at addr, all of them, or nullopt.
std::optional<std::vector<std::byte>> ReadBytes(NotifyFd& fd, const Notification& n, uint64_t addr,
                                                size_t len);
// `count` pointer-sized words at addr (word_bytes 8 or 4).
std::optional<std::vector<uint64_t>> ReadWords(NotifyFd& fd, const Notification& n, uint64_t addr,
                                               size_t count, size_t word_bytes);

}  // namespace sysgate::supervise
