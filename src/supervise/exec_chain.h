// What the kernel opens to execute a file, for `fs exec` rules: a script's interpreter (`#!`)
// and a dynamic executable's loader (ELF PT_INTERP), each of which Landlock checks for the
// execute right like the file itself.
#pragma once

#include <string>
#include <vector>

namespace sysgate::supervise {

// `path` (absolute, resolved), then each interpreter it leads to, resolved: at most
// kMaxExecChain files in all (the kernel allows 4 levels of interpreters).
inline constexpr size_t kMaxExecChain = 6;
std::vector<std::string> ExecChain(const std::string& path);

// The interpreter `file` names, or "": the path after `#!`, or an ELF file's PT_INTERP (of
// either width and byte order).
std::string InterpreterOf(const std::string& file);

}  // namespace sysgate::supervise
