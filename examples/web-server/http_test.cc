// The example server's HTTP parsing and path rules, without sockets.
#include "http.h"

#include <gtest/gtest.h>

namespace web {
namespace {

TEST(WebServerHttp, ParsesARequestAndLeavesTheNext) {
  std::string in =
      "GET /a%20b/c.html?x=1 HTTP/1.1\r\nHost: h\r\nIf-None-Match: \"1-2\"\r\n\r\nGET /next";
  ParseResult r = ParseRequest(in);
  ASSERT_EQ(r.status, ParseStatus::kDone);
  EXPECT_EQ(r.request.method, "GET");
  EXPECT_EQ(r.request.path, "/a b/c.html");
  EXPECT_EQ(r.request.if_none_match, "\"1-2\"");
  EXPECT_TRUE(r.request.keep_alive);
  EXPECT_EQ(in.substr(r.consumed), "GET /next");
}

TEST(WebServerHttp, Incomplete) {
  EXPECT_EQ(ParseRequest("GET / HTTP/1.1\r\nHost: h\r\n").status, ParseStatus::kIncomplete);
}

TEST(WebServerHttp, ErrorStatuses) {
  auto error = [](std::string in) { return ParseRequest(in).error; };
  EXPECT_EQ(error("GET / HTTP/1.1\r\n\r\n"), 400);  // no Host
  EXPECT_EQ(error("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"), 400);
  EXPECT_EQ(error("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), 505);
  EXPECT_EQ(error("GET http://x/ HTTP/1.1\r\nHost: h\r\n\r\n"), 400);  // origin form only
  EXPECT_EQ(error("GET /%zz HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(error("GET /a%00b HTTP/1.1\r\nHost: h\r\n\r\n"), 400);
  EXPECT_EQ(error("GET / HTTP/1.1\r\nHost : h\r\n\r\n"), 400);  // space before the colon
  EXPECT_EQ(error("GET /" + std::string(3000, 'a') + " HTTP/1.1\r\nHost: h\r\n\r\n"), 414);
  EXPECT_EQ(error("GET / HTTP/1.1\r\nX: " + std::string(9000, 'a')), 431);
}

TEST(WebServerHttp, ConnectionHandling) {
  EXPECT_FALSE(ParseRequest("GET / HTTP/1.0\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(ParseRequest("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").request.keep_alive);
  EXPECT_FALSE(
      ParseRequest("GET / HTTP/1.1\r\nHost: h\r\nConnection: Close\r\n\r\n").request.keep_alive);
  EXPECT_TRUE(
      ParseRequest("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n").request.has_body);
}

TEST(WebServerHttp, PathsStayBelowTheRoot) {
  EXPECT_EQ(RelativeFilePath("/"), "index.html");
  EXPECT_EQ(RelativeFilePath("/sub/"), "sub/index.html");
  EXPECT_EQ(RelativeFilePath("/sub/page.html"), "sub/page.html");
  EXPECT_EQ(RelativeFilePath("/.."), std::nullopt);
  EXPECT_EQ(RelativeFilePath("/a/../../etc/passwd"), std::nullopt);
  EXPECT_EQ(RelativeFilePath("/./a"), std::nullopt);
  EXPECT_EQ(RelativeFilePath("//etc/passwd"), std::nullopt);
  EXPECT_EQ(RelativeFilePath("/a\\..\\b"), std::nullopt);
  EXPECT_EQ(RelativeFilePath("relative"), std::nullopt);
}

TEST(WebServerHttp, MimeTypesAndHeads) {
  EXPECT_EQ(MimeType("a/b/INDEX.HTML"), "text/html; charset=utf-8");
  EXPECT_EQ(MimeType("x.wasm"), "application/wasm");
  EXPECT_EQ(MimeType("noext"), "application/octet-stream");
  EXPECT_EQ(MimeType(".hidden"), "application/octet-stream");
  EXPECT_EQ(HttpDate(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
  ResponseHead h;
  h.status = 304;
  h.etag = "\"e\"";
  std::string head = FormatHead(h, 0);
  EXPECT_EQ(head.find("Content-Length"), std::string::npos);  // none on a 304
  EXPECT_NE(head.find("ETag: \"e\"\r\n"), std::string::npos);
  EXPECT_TRUE(head.ends_with("Connection: keep-alive\r\n\r\n"));
}

}  // namespace
}  // namespace web
