#include "supervise/target_memory.h"

#include <sys/uio.h>

#include <cstring>

namespace sysgate::supervise {
namespace {

// Reads up to len bytes; returns how many were read (stops at an unmapped page).
size_t ReadRaw(pid_t pid, uint64_t addr, char* buf, size_t len) {
  size_t done = 0;
  while (done < len) {
    // Never cross a page in one read, so that a readable prefix is still returned.
    size_t page_left = 4096 - ((addr + done) & 4095);
    size_t want = std::min(len - done, page_left);
    iovec local{buf + done, want};
    iovec remote{reinterpret_cast<void*>(static_cast<uintptr_t>(addr + done)), want};
    ssize_t n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  return done;
}

}  // namespace

std::optional<std::string> ReadString(NotifyFd& fd, const Notification& n, uint64_t addr,
                                      size_t max_len, bool* truncated) {
  if (addr == 0) return std::nullopt;
  std::string buf(max_len + 1, '\0');
  size_t got = ReadRaw(static_cast<pid_t>(n.pid), addr, buf.data(), max_len + 1);
  if (got == 0 || !fd.IdValid(n.id)) return std::nullopt;
  size_t end = buf.find('\0');
  if (end == std::string::npos || end >= got) {
    *truncated = true;
    buf.resize(std::min(got, max_len));
  } else {
    *truncated = false;
    buf.resize(end);
  }
  return buf;
}

std::optional<std::vector<std::byte>> ReadBytes(NotifyFd& fd, const Notification& n, uint64_t addr,
                                                size_t len) {
  std::vector<std::byte> out(len);
  if (len == 0) return out;
  size_t got = ReadRaw(static_cast<pid_t>(n.pid), addr, reinterpret_cast<char*>(out.data()), len);
  if (got != len || !fd.IdValid(n.id)) return std::nullopt;
  return out;
}

std::optional<std::vector<uint64_t>> ReadWords(NotifyFd& fd, const Notification& n, uint64_t addr,
                                               size_t count, size_t word_bytes) {
  if (addr == 0) return std::nullopt;
  std::vector<char> raw(count * word_bytes);
  size_t got = ReadRaw(static_cast<pid_t>(n.pid), addr, raw.data(), raw.size());
  if (!fd.IdValid(n.id)) return std::nullopt;
  std::vector<uint64_t> out;
  for (size_t i = 0; i + word_bytes <= got; i += word_bytes) {
    uint64_t v = 0;
    std::memcpy(&v, raw.data() + i, word_bytes);  // little-endian hosts (x86_64, aarch64, ...)
    out.push_back(v);
  }
  return out;
}

}  // namespace sysgate::supervise
