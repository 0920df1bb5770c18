#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysgate/bpf.h"

namespace sysgate::bpf {
namespace {

using ::testing::HasSubstr;

TEST(Encoding, RawRoundTripIsLittleEndian) {
  Program p = {Stmt(0x20, 4), Jump(0x15, 0xc000003e, 1, 2), Stmt(0x06, 0x7fff0000)};
  std::string raw = EncodeRaw(p);
  ASSERT_EQ(raw.size(), 24u);
  EXPECT_EQ(raw.substr(0, 8), std::string("\x20\x00\x00\x00\x04\x00\x00\x00", 8));
  EXPECT_EQ(raw.substr(8, 8), std::string("\x15\x00\x01\x02\x3e\x00\x00\xc0", 8));
  EXPECT_EQ(*DecodeRaw(raw), p);
  EXPECT_EQ(*DecodeHex(EncodeHex(p)), p);
  EXPECT_THAT(EncodeC(p, "f"), HasSubstr("BPF_JUMP(0x15, 0xc000003e, 1, 2),"));
}

TEST(Encoding, MalformedInputIsRefused) {
  EXPECT_THAT(DecodeRaw("").error().message, HasSubstr("empty"));
  EXPECT_THAT(DecodeRaw(std::string(12, 'x')).error().message, HasSubstr("not a multiple of 8"));
  EXPECT_THAT(DecodeRaw(std::string(8 * 4097, '\0')).error().message, HasSubstr("at most 4096"));
  EXPECT_FALSE(DecodeHex("0x20 0x00 0x00"));
  EXPECT_FALSE(DecodeHex("0x20 0x100 0x00 0x0"));
  EXPECT_FALSE(DecodeHex("zz"));
}

TEST(Actions, ReturnValues) {
  EXPECT_EQ(RetOf(Action::Allow()), 0x7fff0000u);
  EXPECT_EQ(RetOf(Action::Errno(1)), 0x00050001u);
  EXPECT_EQ(RetOf(Action::KillProcess()), 0x80000000u);
  EXPECT_EQ(RetOf(Action::KillThread()), 0u);
  EXPECT_EQ(RetOf(Action::Trap(7)), 0x00030007u);
  EXPECT_EQ(RetOf(Action::Trace(9)), 0x7ff00009u);
  EXPECT_EQ(RetOf(Action::Log()), 0x7ffc0000u);
  EXPECT_EQ(RetOf(Action::Notify()), 0x7fc00000u);
  for (Action a :
       {Action::Allow(), Action::Errno(4095), Action::KillProcess(), Action::KillThread(),
        Action::Trap(1), Action::Trace(65535), Action::Log(), Action::Notify()}) {
    EXPECT_EQ(ActionOfRet(RetOf(a)), a) << a.ToString();
  }
  EXPECT_EQ(ActionOfRet(0x00050000u | 5000), Action::Errno(4095));  // capped like the kernel
  EXPECT_EQ(ActionOfRet(0x12340000u), Action::KillProcess());       // unknown: kill
  EXPECT_EQ(RetName(0x00050001u), "ERRNO(1)");
}

}  // namespace
}  // namespace sysgate::bpf
