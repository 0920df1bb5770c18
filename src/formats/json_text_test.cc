// The JSON position scanner and pointer names that locate the JSON readers' messages.
#include "formats/json_text.h"

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
  EXPECT_EQ(Where(text, "/a/3/b"), "f:1:25");  // after empty containers, indexes go on
  EXPECT_EQ(Where(text, "/k\\\"ey"), "f:2:11");  // a key with an escaped quote, as written
  EXPECT_EQ(Where(text, "/x~1y~0z"), "f:2:34");  // RFC 6901 escapes
  EXPECT_EQ(Where(text, "/n"), "f:3:7");
  EXPECT_EQ(Where(text, "/e/f/1/0"), "f:3:32");
  // What the text does not have is located at the nearest value it has.
  EXPECT_EQ(Where(text, "/a/3/missing"), "f:1:19");
  EXPECT_EQ(Where(text, "/nope/deeper"), "f:1:1");
}

TEST(JsonText, DeepValuesAreLocatedAtTheirEighthLevel) {
  std::string deep = std::string(12, '[') + "1" + std::string(12, ']') + ", 2]";
  deep = "[" + deep;
  EXPECT_EQ(Where(deep, "/0/0/0/0/0/0/0"), "f:1:8");
  EXPECT_EQ(Where(deep, "/0/0/0/0/0/0/0/0/0/0"), "f:1:9");  // past the cap: its last known level
  EXPECT_EQ(Where(deep, "/1"), "f:1:29");  // the scan goes on after a deep value
}

TEST(JsonText, PointerNames) {
  EXPECT_EQ(JsonPointerName(""), "");
  EXPECT_EQ(JsonPointerName("/defaultAction"), "defaultAction");
  EXPECT_EQ(JsonPointerName("/syscalls/3/args/0/op"), "syscalls[3].args[0].op");
  EXPECT_EQ(JsonPointerName("/x~1y~0z/2"), "x/y~z[2]");
}

}  // namespace
}  // namespace sysgate::formats
