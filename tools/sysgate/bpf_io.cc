#include "bpf_io.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstdlib>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <utility>

#include <fmt/format.h>

#include "base/files.h"
#include "cli_util.h"
#include "sysgate/analysis.h"

namespace sysgate::cli {

Result<BpfFormat> ParseBpfFormat(const std::string& name) {
  if (name == "raw" || name == "bpf") return BpfFormat::kRaw;
  if (name == "hex") return BpfFormat::kHex;
  if (name == "c") return BpfFormat::kC;
  if (name == "disasm") return BpfFormat::kDisasm;
  if (name == "asm") return BpfFormat::kAsm;
  return MakeError(ErrorCode::kInvalidArgument,
                   fmt::format("unknown output format '{}' (raw, hex, c, disasm, asm)", name));
}

std::string RenderBpf(const bpf::Program& prog, BpfFormat format, std::optional<Arch> arch) {
  switch (format) {
    case BpfFormat::kRaw: return bpf::EncodeRaw(prog);
    case BpfFormat::kHex: return bpf::EncodeHex(prog);
    case BpfFormat::kC: return bpf::EncodeC(prog);
    case BpfFormat::kDisasm: return analysis::Disassemble(prog, {.arch = arch});
    case BpfFormat::kAsm: return analysis::Disassemble(prog, {.arch = arch, .asm_able = true});
  }
  return {};
}

namespace {

// Raw BPF or hex text (told apart by its first bytes) read from `path`.
Result<bpf::Program> DecodeBpf(const std::string& path, const std::string& bytes) {
  if (bytes.starts_with("0x")) {
    auto p = bpf::DecodeHex(bytes);
    if (!p) {
      Error e = p.error();
      e.loc.file = path;
      return e;
    }
    return p;
  }
  auto p = bpf::DecodeRaw(bytes);
  if (!p) {
    Error e = p.error();
    e.message = path + ": " + e.message;
    return e;
  }
  return p;
}

}  // namespace

Result<bpf::Program> ReadBpfFile(const std::string& path) {
  auto bytes = base::ReadFile(path);
  if (!bytes) return bytes.error();
  return DecodeBpf(path, *bytes);
}

bool AcceptLoadable(const bpf::Program& prog, Unloadable unloadable) {
  auto ok = analysis::VerifyLoadable(prog);
  if (ok) return true;
  const bool refuse = unloadable == Unloadable::kRefuse;
  PrintError(std::string(refuse ? "" : "warning: ") +
             "the kernel would refuse this program: " + ok.error().message);
  return !refuse;
}

std::optional<bpf::Program> ReadBpfToLoad(const std::string& path, Unloadable unloadable) {
  auto prog = ReadBpfFile(path);
  if (!prog) {
    PrintError(prog.error().ToString());
    return std::nullopt;
  }
  if (!AcceptLoadable(*prog, unloadable)) return std::nullopt;
  return std::move(*prog);
}

namespace {

// The CODE JT JF K columns of a listing line (" 0007: 0x15 0x00 0x05 0xc000003e  if ..."), or
// nothing for a line that holds no instruction.
std::optional<std::string_view> ListingColumns(std::string_view line) {
  size_t colon = line.find(": 0x");
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view number = line.substr(0, colon);
  while (!number.empty() && number.front() == ' ') number.remove_prefix(1);
  if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos)
    return std::nullopt;
  std::string_view rest = line.substr(colon + 2);
  size_t end = 0;
  for (int field = 0; field < 4; ++field) {
    end = rest.find(' ', end);
    if (field < 3 && end == std::string_view::npos) return std::nullopt;
    if (field < 3) ++end;
  }
  return rest.substr(0, end);
}

}  // namespace

Result<std::vector<bpf::Program>> ReadBpfFilters(const std::string& path) {
  auto bytes = base::ReadFile(path);
  if (!bytes) return bytes.error();
  size_t first = bytes->find_first_not_of(" \t\n");
  bool listing = first != std::string::npos &&
                 ((*bytes)[first] == '#' || bytes->compare(first, 4, "line") == 0);
  if (!listing) {
    auto p = DecodeBpf(path, *bytes);  // the file is read once: it may be a pipe
    if (!p) return p.error();
    return std::vector<bpf::Program>{*p};
  }
  std::vector<std::string> hex(1);
  for (size_t pos = 0; pos < bytes->size();) {
    size_t end = bytes->find('\n', pos);
    if (end == std::string::npos) end = bytes->size();
    std::string_view line(bytes->data() + pos, end - pos);
    pos = end + 1;
    if (line.starts_with("# filter") && !hex.back().empty()) hex.emplace_back();
    if (auto cols = ListingColumns(line)) hex.back() += std::string(*cols) + "\n";
  }
  std::vector<bpf::Program> out;
  for (const std::string& h : hex) {
    auto p = bpf::DecodeHex(h);
    if (!p) {
      Error e = p.error();
      e.message = path + ": " + e.message;
      e.loc = {};
      return e;
    }
    out.push_back(std::move(*p));
  }
  return out;
}

Result<bpf::Program> ReadBpfFilter(const std::string& path, size_t filter) {
  auto progs = ReadBpfFilters(path);
  if (!progs) return progs.error();
  if ((filter == 0 && progs->size() > 1) || filter > progs->size()) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("{} holds {} filter{}: choose one with --filter N (1 to {})", path,
                                 progs->size(), progs->size() == 1 ? "" : "s", progs->size()));
  }
  return (*progs)[filter == 0 ? 0 : filter - 1];
}

namespace {

Result<void> WriteAll(int fd, const std::string& bytes, const std::string& path) {
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return SystemError("cannot write " + path, errno);
    done += static_cast<size_t>(n);
  }
  return {};
}

// The file open for writing, emptied and written: what any command did before files were
// replaced whole, and still the way for what a rename cannot replace as it is.
Result<void> WriteThrough(int fd, const std::string& bytes, const std::string& path) {
  struct stat st {};
  if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0)
    return SystemError("cannot write " + path, errno);
  Result<void> w = WriteAll(fd, bytes, path);
  if (close(fd) != 0 && w) return SystemError("cannot write " + path, errno);
  return w;
}

// Replaces the regular file `fd` (opened from `path`, so the kernel's checks applied: symlink
// protection, permissions) with `bytes`: a temporary file beside it renamed over it. None when
// that cannot keep what the file is (then the caller writes in place).
std::optional<Result<void>> ReplaceWhole(int fd, const struct stat& old, const std::string& bytes,
                                         const std::string& path) {
  // Another owner's file (a rename would make it ours), a file with other names (they would
  // keep the old text), or one with an ACL: written in place, as before.
  if (old.st_nlink > 1 || (geteuid() != 0 && old.st_uid != geteuid()) ||
      fgetxattr(fd, "system.posix_acl_access", nullptr, 0) >= 0) {
    return std::nullopt;
  }
  char link[64];
  std::snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  char real[PATH_MAX];
  ssize_t n = readlink(link, real, sizeof real - 1);  // the file the kernel opened
  if (n <= 0 || real[0] != '/') return std::nullopt;
  const std::string target(real, static_cast<size_t>(n));
  const std::string dir = target.substr(0, target.rfind('/') + 1);
  std::string temp = fmt::format("{}.{}.sysgate-XXXXXX", dir, target.substr(dir.size()));
  int out = mkostemp(temp.data(), O_CLOEXEC);
  if (out < 0) return std::nullopt;  // a directory we may not write: in place
  // A size limit (ulimit -f) would kill us with SIGXFSZ mid-write: take EFBIG instead, to
  // remove the temporary file.
  struct sigaction ignore {
  }, before{};
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGXFSZ, &ignore, &before);
  Result<void> w = WriteAll(out, bytes, path);
  // The owner first: fchown clears setuid and setgid, fchmod then sets the mode whole.
  if (w && geteuid() == 0 && fchown(out, old.st_uid, old.st_gid) != 0)
    w = SystemError("cannot write " + path, errno);
  if (w && fchmod(out, old.st_mode & 07777) != 0) w = SystemError("cannot write " + path, errno);
  if (w && fsync(out) != 0) w = SystemError("cannot write " + path, errno);
  if (close(out) != 0 && w) w = SystemError("cannot write " + path, errno);
  bool renamed = w && rename(temp.c_str(), target.c_str()) == 0;
  sigaction(SIGXFSZ, &before, nullptr);
  if (renamed) return w;
  unlink(temp.c_str());
  if (w) return std::nullopt;  // the rename refused (a sticky directory): in place
  return w;
}

Result<void> ReplaceFile(const std::string& path, const std::string& bytes) {
  // Open it as any writer would, links followed by the kernel with its protections.
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {  // a new file (or a dangling link): created as before
    fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) return SystemError("cannot write " + path, errno);
    return WriteThrough(fd, bytes, path);
  }
  if (fd < 0) return SystemError("cannot write " + path, errno);
  struct stat old {};
  if (fstat(fd, &old) != 0) {
    int err = errno;
    close(fd);
    return SystemError("cannot write " + path, err);
  }
  if (S_ISREG(old.st_mode)) {
    if (auto replaced = ReplaceWhole(fd, old, bytes, path)) {
      close(fd);
      return *replaced;
    }
  }
  return WriteThrough(fd, bytes, path);  // devices, fifos, and files a rename would change
}

}  // namespace

Result<void> WriteOutput(const std::string& path, const std::string& bytes) {
  if (path == "-" || path.empty()) {
    if (isatty(STDOUT_FILENO) && bytes.find('\0') != std::string::npos) {
      return MakeError(ErrorCode::kInvalidArgument,
                       "not writing binary BPF to a terminal: use -o FILE or -f hex|c|disasm");
    }
    std::cout.flush();  // what the command printed before comes first
    for (size_t done = 0; done < bytes.size();) {
      ssize_t n = write(STDOUT_FILENO, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SystemError("cannot write to standard output", errno);
      done += static_cast<size_t>(n);
    }
    return {};
  }
  return ReplaceFile(path, bytes);
}

}  // namespace sysgate::cli
