#include "base/line_reader.h"

#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <optional>

namespace sysgate::base {

Result<LineReader> LineReader::Open(const std::string& path) {
  if (path == "-") {
    // A terminal is read; another device (< /dev/zero) would be endless.
    struct stat st {};
    std::optional<Error> refused;
    if (fstat(STDIN_FILENO, &st) != 0) {
      refused = SystemError("cannot read", errno);
    } else if (S_ISDIR(st.st_mode)) {
      refused = MakeError(ErrorCode::kInvalidArgument, "is a directory, not a file");
    } else if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && !isatty(STDIN_FILENO)) {
      refused = MakeError(ErrorCode::kInvalidArgument, "is a device, not a file");
    }
    if (refused) {
      refused->loc.file = "<stdin>";
      return *refused;
    }
    return LineReader(STDIN_FILENO, false, "<stdin>");
  }
  Result<InputFile> in = OpenInput(path);
  if (!in) return in.error();
  return LineReader(in->fd, true, path);
}

LineReader::LineReader(LineReader&& other) noexcept
    : fd_(other.fd_),
      owned_(other.owned_),
      path_(std::move(other.path_)),
      buf_(std::move(other.buf_)),
      begin_(other.begin_),
      end_(other.end_),
      number_(other.number_),
      errno_(other.errno_) {
  other.owned_ = false;
}

LineReader::~LineReader() {
  if (owned_) close(fd_);
}

bool LineReader::Fill() {
  begin_ = end_ = 0;
  while (true) {
    ssize_t n = read(fd_, buf_.data(), buf_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) errno_ = errno;
    if (n <= 0) return false;
    end_ = static_cast<size_t>(n);
    return true;
  }
}

Result<LineReader::Got> LineReader::Next(std::string& line, size_t max) {
  line.clear();
  bool any = false, too_long = false;
  while (true) {
    if (begin_ == end_ && !Fill()) {
      if (errno_ != 0) {
        Error e = SystemError("cannot read", errno_);
        e.loc.file = path_;
        return e;
      }
      if (!any) return Got::kEnd;
      break;  // a last line without a newline
    }
    any = true;
    const char* from = buf_.data() + begin_;
    const char* to = buf_.data() + end_;
    const char* nl = std::find(from, to, '\n');
    if (!too_long) {
      size_t take = static_cast<size_t>(nl - from);
      if (line.size() + take > max) {
        too_long = true;
        line.append(from, max - line.size());  // its head: enough to say what the line is
      } else {
        line.append(from, take);
      }
    }
    begin_ = static_cast<size_t>(nl - buf_.data());
    if (nl != to) {
      ++begin_;  // past the newline
      break;
    }
  }
  ++number_;
  if (!line.empty() && line.back() == '\r') line.pop_back();  // CRLF
  return too_long ? Got::kTooLong : Got::kLine;
}

}  // namespace sysgate::base
