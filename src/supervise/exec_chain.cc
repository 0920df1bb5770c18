#include "supervise/exec_chain.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <errno.h>
#include <limits.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string_view>

#include "base/files.h"

namespace sysgate::supervise {
namespace {

// A regular file read at offsets, closed at the end. The path is one realpath(3) gave: a
// symlink in it now means it changed since, so none is followed (the supervisor reads for a
// program that may not read it itself: it must not be led to a device or another file).
class File {
 public:
  explicit File(const std::string& path) {
    open_how how{};
    how.flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;
    how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
    fd_ = static_cast<int>(syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how));
    if (fd_ < 0 && (errno == ENOSYS || errno == EPERM || errno == E2BIG)) {
      // No openat2 here (an old kernel, a container's filter): the last component not
      // followed, and the file opened checked to be the path asked for.
      fd_ = open(path.c_str(), static_cast<int>(how.flags) | O_NOFOLLOW);
      char real[PATH_MAX];
      ssize_t n =
          fd_ < 0 ? -1
                  : readlink(("/proc/self/fd/" + std::to_string(fd_)).c_str(), real, sizeof real);
      if (fd_ >= 0 && (n <= 0 || std::string_view(real, static_cast<size_t>(n)) != path)) {
        close(fd_);
        fd_ = -1;
      }
    }
    struct stat st;
    if (fd_ >= 0 && (fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode))) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~File() {
    if (fd_ >= 0) close(fd_);
  }
  File(const File&) = delete;
  File& operator=(const File&) = delete;
  ssize_t ReadSome(void* out, size_t len) const { return fd_ >= 0 ? pread(fd_, out, len, 0) : -1; }
  bool Read(uint64_t offset, void* out, size_t len) const {
    return fd_ >= 0 && offset < (uint64_t{1} << 62) &&
           pread(fd_, out, len, static_cast<off_t>(offset)) == static_cast<ssize_t>(len);
  }

 private:
  int fd_;
};

// An integer of `len` bytes at `p`, in the file's byte order.
uint64_t Load(const unsigned char* p, size_t len, bool big_endian) {
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) v |= uint64_t{p[big_endian ? len - 1 - i : i]} << (8 * i);
  return v;
}

std::string ElfInterpreter(const File& f, const unsigned char* ident) {
  const bool wide = ident[4] == 2;  // ELFCLASS64
  const bool big = ident[5] == 2;   // ELFDATA2MSB
  if ((ident[4] != 1 && !wide) || (ident[5] != 1 && !big)) return "";
  unsigned char eh[64];
  if (!f.Read(0, eh, wide ? 64 : 52)) return "";
  const uint64_t phoff = wide ? Load(eh + 32, 8, big) : Load(eh + 28, 4, big);
  const uint64_t phentsize = Load(eh + (wide ? 54 : 42), 2, big);
  const uint64_t phnum = Load(eh + (wide ? 56 : 44), 2, big);
  if (phentsize < (wide ? 56u : 32u) || phnum > 256) return "";
  for (uint64_t i = 0; i < phnum; ++i) {
    unsigned char ph[56];
    if (!f.Read(phoff + i * phentsize, ph, wide ? 56 : 32)) return "";
    if (Load(ph, 4, big) != 3) continue;  // PT_INTERP
    const uint64_t offset = wide ? Load(ph + 8, 8, big) : Load(ph + 4, 4, big);
    const uint64_t size = wide ? Load(ph + 32, 8, big) : Load(ph + 16, 4, big);
    if (size < 2 || size > 4096) return "";
    std::string name(size, '\0');
    if (!f.Read(offset, name.data(), size)) return "";
    name.resize(strnlen(name.data(), name.size()));
    return name;
  }
  return "";
}

}  // namespace

std::string InterpreterOf(const std::string& path) {
  File f(path);
  unsigned char head[256] = {};
  const ssize_t got = f.ReadSome(head, sizeof head);
  const size_t len = got > 0 ? static_cast<size_t>(got) : 0;
  if (len >= 16 && std::memcmp(head,
                               "\x7f"
                               "ELF",
                               4) == 0)
    return ElfInterpreter(f, head);
  if (len < 3 || head[0] != '#' || head[1] != '!') return "";
  size_t i = 2;
  while (i < len && (head[i] == ' ' || head[i] == '\t')) ++i;
  size_t start = i;
  while (i < len && head[i] != ' ' && head[i] != '\t' && head[i] != '\n' && head[i] != '\0') ++i;
  return std::string(reinterpret_cast<const char*>(head) + start, i - start);
}

std::vector<std::string> ExecChain(const std::string& path) {
  std::vector<std::string> chain = {path};
  while (chain.size() < kMaxExecChain) {
    std::string next = InterpreterOf(chain.back());
    if (next.empty() || next[0] != '/') break;
    next = base::RealPathOr(next);
    struct stat st;
    if (stat(next.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) break;  // the exec fails there
    if (std::find(chain.begin(), chain.end(), next) != chain.end()) break;
    chain.push_back(next);
  }
  return chain;
}

}  // namespace sysgate::supervise
