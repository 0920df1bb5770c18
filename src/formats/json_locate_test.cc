// Where JSON values are (LocateInJson) and how messages name them: what the JSON readers
// locate their messages and rules with.
#include "formats/json_locate.h"

#include <chrono>

#include <gtest/gtest.h>

namespace sysgate::formats {
namespace {

std::string Where(std::string_view text, std::string_view pointer) {
  return LocateInJson(text, "f")(pointer).ToString();
}

TEST(JsonText, LocatesEveryValueByPointer) {
  const std::string text =
      "{\"a\": [1, {}, [], {\"b\": true}],\n"
      " \"k\\\"ey\": \"v\\\"a]l}ue,\", \"x/y~z\": null,\n"
      " \"n\": -1.5e3, \"e\": {\"f\": [[], [2]]}}";
  EXPECT_EQ(Where(text, ""), "f:1:1");
  EXPECT_EQ(Where(text, "/a"), "f:1:7");
  EXPECT_EQ(Where(text, "/a/0"), "f:1:8");
  EXPECT_EQ(Where(text, "/a/1"), "f:1:11");
  EXPECT_EQ(Where(text, "/a/2"), "f:1:15");
  EXPECT_EQ(Where(text, "/a/3/b"), "f:1:25");    // after empty containers, indexes go on
  EXPECT_EQ(Where(text, "/k\"ey"), "f:2:11");    // a key with an escaped quote, decoded
  EXPECT_EQ(Where(text, "/x~1y~0z"), "f:2:34");  // RFC 6901 escapes
  EXPECT_EQ(Where(text, "/n"), "f:3:7");
  EXPECT_EQ(Where(text, "/e/f/1/0"), "f:3:32");
  // What the text does not have is located at the nearest value it has.
  EXPECT_EQ(Where(text, "/a/3/missing"), "f:1:19");
  EXPECT_EQ(Where(text, "/nope/deeper"), "f:1:1");
}

TEST(JsonText, KeysAsTheParserReadsThem) {
  // Escapes in keys are decoded; of a repeated key the last counts (as the parser keeps it); a
  // byte order mark (which the parser skips) does not hide the structure.
  EXPECT_EQ(Where("{\"sysc\\u0061lls\": [1, 2]}", "/syscalls/1"), "f:1:23");
  EXPECT_EQ(Where("{\"a\": 1,\n \"a\": 2}", "/a"), "f:2:7");
  EXPECT_EQ(Where("\xEF\xBB\xBF{\"a\": [true,\n false]}", "/a/1"), "f:2:2");
}

TEST(JsonText, DeepValuesAndLongDocuments) {
  std::string deep = "[" + std::string(40, '[') + "1" + std::string(40, ']') + ", 2]";
  EXPECT_EQ(
      Where(deep,
            "/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0/0"),
      "f:1:42");
  EXPECT_EQ(Where(deep, "/1"), "f:1:85");
  // A value no pointer names costs a skip, not an index: 8 million elements, then what a
  // reader asks for, located on a far line.
  std::string big = "{\"x\": [";
  for (int i = 0; i < 8000000; ++i) big += i % 1000 == 999 ? "0,\n" : "0,";
  big += "0],\n \"syscalls\": [{\"names\": [\"read\"]}]}";
  auto start = std::chrono::steady_clock::now();
  JsonLocator at = LocateInJson(big, "f");
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(at("/syscalls/0/names/0").ToString(), "f:8002:26");
  EXPECT_LT(std::chrono::steady_clock::now() - start,
            std::chrono::seconds(20));  // a hang guard, as e2e_limits' quick
}

TEST(JsonText, PointerNames) {
  EXPECT_EQ(JsonPointerName(""), "");
  EXPECT_EQ(JsonPointerName("/defaultAction"), "defaultAction");
  EXPECT_EQ(JsonPointerName("/syscalls/3/args/0/op"), "syscalls[3].args[0].op");
  EXPECT_EQ(JsonPointerName("/x~1y~0z/2"), "x/y~z[2]");
}

}  // namespace
}  // namespace sysgate::formats
