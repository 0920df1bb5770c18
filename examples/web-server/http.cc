#include "http.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <utility>

namespace web {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool ContainsToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool IsTokenChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding of the path part; nullopt for a bad escape or a NUL.
std::optional<std::string> DecodePath(std::string_view raw) {
  std::string out;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '%') {
      if (i + 2 >= raw.size()) return std::nullopt;
      int hi = HexValue(raw[i + 1]), lo = HexValue(raw[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      c = static_cast<char>(hi * 16 + lo);
      i += 2;
    }
    if (c == '\0') return std::nullopt;
    out += c;
  }
  return out;
}

}  // namespace

ParseResult ParseRequest(std::string_view in) {
  ParseResult r;
  size_t end = in.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (in.size() > kMaxHead) {
      r.status = ParseStatus::kError;
      r.error = in.find("\r\n") == std::string_view::npos ? 414 : 431;
    }
    return r;
  }
  if (end + 4 > kMaxHead) {
    r.status = ParseStatus::kError;
    r.error = 431;
    return r;
  }
  r.consumed = end + 4;
  auto fail = [&](int status) {
    r.status = ParseStatus::kError;
    r.error = status;
    return r;
  };
  std::string_view head = in.substr(0, end);
  size_t line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  // request-line = method SP request-target SP HTTP-version
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || sp1 == 0) return fail(400);
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!std::ranges::all_of(method, IsTokenChar)) return fail(400);
  if (target.size() > kMaxTarget) return fail(414);
  if (target.empty() || version.find(' ') != std::string_view::npos) return fail(400);
  if (version.size() != 8 || !version.starts_with("HTTP/") ||
      !std::isdigit(static_cast<unsigned char>(version[5])) || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    return fail(400);
  }
  if (version[5] != '1') return fail(505);
  r.request.method = std::string(method);
  r.request.target = std::string(target);
  r.request.minor_version = version[7] - '0';
  r.request.keep_alive = r.request.minor_version >= 1;

  bool have_host = false;
  std::string_view rest =
      line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  while (!rest.empty()) {
    size_t e = rest.find("\r\n");
    std::string_view field = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    size_t colon = field.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400);
    std::string_view name = field.substr(0, colon);
    if (!std::ranges::all_of(name, IsTokenChar)) return fail(400);  // also: no space before ':'
    std::string_view value = field.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (EqualsIgnoreCase(name, "host")) {
      if (have_host) return fail(400);
      have_host = true;
    } else if (EqualsIgnoreCase(name, "connection")) {
      if (ContainsToken(value, "close")) r.request.keep_alive = false;
      if (ContainsToken(value, "keep-alive")) r.request.keep_alive = true;
    } else if (EqualsIgnoreCase(name, "content-length")) {
      if (value.empty() || !std::ranges::all_of(value, [](char c) {
            return std::isdigit(static_cast<unsigned char>(c));
          })) {
        return fail(400);
      }
      if (value.find_first_not_of('0') != std::string_view::npos) r.request.has_body = true;
    } else if (EqualsIgnoreCase(name, "transfer-encoding")) {
      r.request.has_body = true;
    } else if (EqualsIgnoreCase(name, "if-modified-since")) {
      r.request.if_modified_since = std::string(value);
    } else if (EqualsIgnoreCase(name, "if-none-match")) {
      r.request.if_none_match = std::string(value);
    }
  }
  if (r.request.minor_version >= 1 && !have_host) return fail(400);  // RFC 9112 3.2

  // origin-form only: "/path?query"
  if (target.front() != '/') return fail(400);
  std::string_view path = target.substr(0, target.find('?'));
  path = path.substr(0, path.find('#'));
  auto decoded = DecodePath(path);
  if (!decoded) return fail(400);
  r.request.path = std::move(*decoded);
  r.status = ParseStatus::kDone;
  return r;
}

std::optional<std::string> RelativeFilePath(std::string_view path) {
  if (path.empty() || path.front() != '/') return std::nullopt;
  std::string out;
  size_t i = 1;
  while (i <= path.size()) {
    size_t slash = path.find('/', i);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view segment = path.substr(i, slash - i);
    if (segment == "." || segment == ".." || segment.find('\\') != std::string_view::npos)
      return std::nullopt;
    if (!segment.empty()) {
      if (!out.empty()) out += '/';
      out += segment;
    } else if (slash != path.size()) {
      return std::nullopt;  // "//": not a plain path
    }
    i = slash + 1;
  }
  if (path.back() == '/') out += out.empty() ? "index.html" : "/index.html";
  return out;
}

std::string_view MimeType(std::string_view file) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 26> kTypes = {{
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"json", "application/json"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"csv", "text/csv; charset=utf-8"},
      {"xml", "application/xml"},
      {"svg", "image/svg+xml"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"webp", "image/webp"},
      {"ico", "image/vnd.microsoft.icon"},
      {"pdf", "application/pdf"},
      {"wasm", "application/wasm"},
      {"woff", "font/woff"},
      {"woff2", "font/woff2"},
      {"mp4", "video/mp4"},
      {"webm", "video/webm"},
      {"mp3", "audio/mpeg"},
      {"zip", "application/zip"},
      {"gz", "application/gzip"},
  }};
  size_t slash = file.rfind('/');
  std::string_view base = slash == std::string_view::npos ? file : file.substr(slash + 1);
  size_t dot = base.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return "application/octet-stream";
  std::string ext(base.substr(dot + 1));
  std::ranges::transform(ext, ext.begin(),
                         [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

std::string_view StatusText(int status) {
  switch (status) {
    case 200: return "OK";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 505: return "HTTP Version Not Supported";
  }
  return "Unknown";
}

std::string HttpDate(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string FormatHead(const ResponseHead& h, std::time_t now) {
  std::string out =
      "HTTP/1.1 " + std::to_string(h.status) + " " + std::string(StatusText(h.status)) + "\r\n";
  out += "Server: sysgate-example\r\n";
  out += "Date: " + HttpDate(now) + "\r\n";
  if (h.status != 304) {
    if (!h.content_type.empty()) out += "Content-Type: " + h.content_type + "\r\n";
    out += "Content-Length: " + std::to_string(h.content_length) + "\r\n";
  }
  if (h.last_modified != 0) out += "Last-Modified: " + HttpDate(h.last_modified) + "\r\n";
  if (!h.etag.empty()) out += "ETag: " + h.etag + "\r\n";
  if (!h.location.empty()) out += "Location: " + h.location + "\r\n";
  if (!h.allow.empty()) out += "Allow: " + h.allow + "\r\n";
  out += h.keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n";
  out += "\r\n";
  return out;
}

std::string ErrorBody(int status) {
  std::string line = std::to_string(status) + " " + std::string(StatusText(status));
  return "<!doctype html><title>" + line + "</title><h1>" + line + "</h1>\n";
}

}  // namespace web
