#include "kernel/proc_status.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace sysgate::kernel {

std::optional<long> ProcStatusNumber(pid_t pid, std::string_view name, int base) {
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/status", pid);
  FILE* f = std::fopen(path, "re");
  if (!f) return std::nullopt;
  char line[256];
  std::optional<long> out;
  while (std::fgets(line, sizeof line, f)) {
    if (std::strncmp(line, name.data(), name.size()) != 0 || line[name.size()] != ':') continue;
    char* end = nullptr;
    long v = std::strtol(line + name.size() + 1, &end, base);
    if (end != line + name.size() + 1) out = v;
    break;
  }
  std::fclose(f);
  return out;
}

}  // namespace sysgate::kernel
