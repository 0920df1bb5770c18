#include "journal.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace sysgate::cli {
namespace {

// A journal field name: upper case letters, digits and '_', not starting with '_' (trusted
// fields) or a digit.
std::string FieldName(std::string_view key) {
  std::string name = "SYSGATE_";
  for (char c : key) {
    name += std::isalnum(static_cast<unsigned char>(c))
                ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                : '_';
  }
  return name;
}

std::string Dump(const nlohmann::json& v) {
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Text(const nlohmann::json& v) { return v.is_string() ? v.get<std::string>() : Dump(v); }

std::string Get(const nlohmann::json& j, const char* key) {
  return j.contains(key) ? Text(j[key]) : "";
}

// The report in words, as the text reports say it.
std::string Message(const nlohmann::json& j) {
  const std::string event = Get(j, "event");
  const std::string rule =
      Get(j, "group").empty() ? Get(j, "rule") : Get(j, "rule") + " (" + Get(j, "group") + ")";
  if (event == "blocked") {
    std::string m = fmt::format("blocked {} = {}  [{}]", Get(j, "call"), Get(j, "result"), rule);
    if (!Get(j, "hint").empty()) m += "; " + Get(j, "hint");
    return m;
  }
  if (event == "denied")
    return fmt::format("denied {} by the {}: {}", Get(j, "call"), Get(j, "rule"), Get(j, "denial"));
  if (event == "audit") {
    return Get(j, "denial").empty()
               ? fmt::format("audit: {} would be stopped: {}  [{}]", Get(j, "call"),
                             Get(j, "action"), rule)
               : fmt::format("audit: {} would be denied: {}", Get(j, "call"), Get(j, "denial"));
  }
  if (event == "repeated" || event == "stopped") {
    return fmt::format("{} {} times: {} {}  [{}]",
                       event == "repeated" ? "blocked" : "would be stopped", Get(j, "count"),
                       Get(j, "syscall"), event == "repeated" ? Get(j, "result") : Get(j, "action"),
                       rule);
  }
  if (event == "exit") {
    return fmt::format("{} (pid {}) exited with status {}", Get(j, "program"), Get(j, "pid"),
                       Get(j, "exit_status"));
  }
  nlohmann::json rest = j;
  rest.erase("event");
  return fmt::format("{}: {}", event, Dump(rest));
}

}  // namespace

Result<Journal> Journal::Open(const std::string& socket_path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (socket_path.size() >= sizeof(addr.sun_path)) {
    return MakeError(ErrorCode::kInvalidArgument, "the journal socket's path is too long");
  }
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size() + 1);
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return SystemError("socket for the journal", errno);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    close(fd);
    return SystemError(fmt::format("no systemd journal here ({})", socket_path), err);
  }
  // Above fd 2, as the supervisor's other files (cmd_run.cc, OpenSupervisorFile).
  int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  const int err = errno;
  close(fd);
  if (high < 0) return SystemError("the journal's socket", err);
  return Journal(high);
}

Journal& Journal::operator=(Journal&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

Journal::~Journal() {
  if (fd_ >= 0) close(fd_);
}

bool Journal::Send(const Fields& fields) {
  std::string entry;
  for (const auto& [name, value] : fields) {
    if (value.find('\n') == std::string::npos) {
      entry += name + "=" + value + "\n";
      continue;
    }
    entry += name + "\n";
    uint64_t size = value.size();
    for (int i = 0; i < 8; ++i) entry += static_cast<char>((size >> (8 * i)) & 0xff);
    entry += value + "\n";
  }
  ssize_t n;
  do {
    n = send(fd_, entry.data(), entry.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(entry.size());
}

Journal::Fields JournalEntry(const nlohmann::json& report) {
  const std::string event = Get(report, "event");
  const bool warning = event == "blocked" || event == "denied" || event == "audit";
  Journal::Fields f = {{"MESSAGE", "sysgate: " + Message(report)},
                       {"PRIORITY", warning ? "4" : "6"},
                       {"SYSLOG_IDENTIFIER", "sysgate"}};
  for (const auto& [key, value] : report.items()) f.emplace_back(FieldName(key), Text(value));
  return f;
}

}  // namespace sysgate::cli
