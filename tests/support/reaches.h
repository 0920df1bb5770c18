// The `reaches:CALL` need of support/env.h: does a syscall reach a seccomp filter installed
// after the environment's own, as the filter of sysgate's supervisor is? Test code only.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sysgate::testing {

// CALL is NAME[,ARG...]: a syscall of this machine's ABI, by name or number, and its first
// arguments (integer literals; the rest are 0), as the test makes it. In a child, without
// sysgate, a filter that sends that syscall to a listener (SECCOMP_RET_USER_NOTIF) is
// installed over whatever filter the environment has, and the call is made once: the listener
// answers it, so it never runs. Nothing when the listener saw it; otherwise what the
// environment answered instead. A container's seccomp profile that fails the call with an
// errno, or kills it, wins over a notification whatever the filters' order (the kernel takes
// the most severe verdict), so the supervisor never sees that call there.
// A CALL that does not parse is the test's mistake: it aborts.
std::optional<std::string> CallNotReachingNotifyFilter(std::string_view call);

}  // namespace sysgate::testing
