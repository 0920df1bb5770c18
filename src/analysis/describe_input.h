// An input of a filter in messages: "on x86_64 syscall 257 (openat) with args [0x0, ...]".
#pragma once

#include <string>

#include "sysgate/interpreter.h"

namespace sysgate::analysis {

std::string DescribeInput(const SeccompData& d);

}  // namespace sysgate::analysis
