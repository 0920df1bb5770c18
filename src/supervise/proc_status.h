// Fields of /proc/PID/status the supervisor needs about a caller (its thread group, its
// umask). Use a value only after checking that the notification is still pending: the pid
// may belong to another process by then.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string_view>

namespace sysgate::supervise {

// The first number of field `name` ("Tgid", "Umask": octal as written), or nullopt if the
// process is gone or has no such field.
std::optional<long> ProcStatusNumber(pid_t pid, std::string_view name, int base = 10);

}  // namespace sysgate::supervise
