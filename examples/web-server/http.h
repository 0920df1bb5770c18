// HTTP/1.1 for a static file server: parsing a request head, choosing the status, writing a
// response head. Pure functions over strings, so they are tested without sockets.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace web {

inline constexpr size_t kMaxHead = 8192;    // bytes of request line and headers
inline constexpr size_t kMaxTarget = 2048;  // bytes of the request target

struct Request {
  std::string method;
  std::string target;     // as sent
  std::string path;       // decoded, without the query; starts with '/'
  int minor_version = 1;  // HTTP/1.x
  bool keep_alive = true;
  bool has_body = false;  // Content-Length > 0 or chunked: refused (413), we serve files
  std::string if_modified_since;
  std::string if_none_match;
};

enum class ParseStatus { kIncomplete, kDone, kError };

struct ParseResult {
  ParseStatus status = ParseStatus::kIncomplete;
  size_t consumed = 0;  // bytes of the head, when kDone
  int error = 0;        // HTTP status for kError: 400, 414, 431, 501, 505
  Request request;
};

// Parses the request head at the start of `in` (a request may be followed by the next one).
ParseResult ParseRequest(std::string_view in);

// The file a decoded path names below the document root, relative ("index.html",
// "sub/page.html"); nullopt when the path tries to leave the root or is not a plain path.
// A path ending in '/' names the directory's index.html.
std::optional<std::string> RelativeFilePath(std::string_view path);

// "text/html; charset=utf-8" for "index.html"; application/octet-stream when unknown.
std::string_view MimeType(std::string_view file);

std::string_view StatusText(int status);

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string HttpDate(std::time_t t);

struct ResponseHead {
  int status = 200;
  std::string content_type;
  uint64_t content_length = 0;
  std::time_t last_modified = 0;  // 0: none
  std::string etag;               // empty: none
  std::string location;           // for redirects
  std::string allow;              // for 405
  bool keep_alive = true;
};

std::string FormatHead(const ResponseHead& h, std::time_t now);

// A small HTML body for an error status.
std::string ErrorBody(int status);

}  // namespace web
