// Fields of /proc/PID/status: what the supervisor needs about a caller (its thread group, its
// umask; use a value only after checking that the notification is still pending: the pid may
// belong to another process by then), and what `sysgate dump` needs about a process (its
// seccomp mode, capabilities).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

namespace sysgate::kernel {

// The first number of field `name` ("Tgid", "Umask": octal as written), or nullopt if the
// process is gone or has no such field.
std::optional<long> ProcStatusNumber(pid_t pid, std::string_view name, int base = 10);

}  // namespace sysgate::kernel
