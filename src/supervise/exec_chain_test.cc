#include "supervise/exec_chain.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "base/files.h"

namespace sysgate::supervise {
namespace {

class ExecChainTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sysgate-exec-chain-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }
  std::string Write(const std::string& name, const std::string& text) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(ExecChainTest, AScriptLeadsToItsInterpreterAndItsLoader) {
  std::string script = Write("s.sh", "#!  /bin/sh -e\necho hi\n");
  std::vector<std::string> chain = ExecChain(script);
  ASSERT_GE(chain.size(), 2u);
  EXPECT_EQ(chain[0], script);
  EXPECT_EQ(chain[1], base::RealPathOr("/bin/sh"));
  // /bin/sh is a dynamic executable on every Debian: its loader comes next.
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[2], base::RealPathOr(InterpreterOf(chain[1])));
  EXPECT_NE(chain[2].find("ld"), std::string::npos) << chain[2];
}

TEST_F(ExecChainTest, ScriptsThatNameEachOtherStop) {
  std::string a = dir_ + "/a", b = dir_ + "/b";
  Write("a", "#!" + b + "\n");
  Write("b", "#!" + a + "\n");
  EXPECT_EQ(ExecChain(a), (std::vector<std::string>{a, b}));
}

TEST_F(ExecChainTest, NeitherSymlinksNorSpecialFilesAreRead) {
  // The supervisor reads for a program that may not read the file itself: a path realpath(3)
  // gave has no symlink unless it changed since, and a FIFO or device is never opened to wait.
  std::string script = Write("s.sh", "#!/bin/sh\n");
  ASSERT_EQ(symlink(script.c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(InterpreterOf(dir_ + "/link"), "");
  EXPECT_EQ(InterpreterOf(script), "/bin/sh");
  ASSERT_EQ(mkfifo((dir_ + "/fifo").c_str(), 0600), 0);
  EXPECT_EQ(InterpreterOf(dir_ + "/fifo"), "");
  EXPECT_EQ(InterpreterOf("/dev/null"), "");
}

TEST_F(ExecChainTest, OtherFilesHaveNoInterpreter) {
  EXPECT_EQ(InterpreterOf(Write("t", "plain text")), "");
  EXPECT_EQ(InterpreterOf(Write("r", "#!relative\n")), "relative");
  EXPECT_EQ(ExecChain(dir_ + "/r"), (std::vector<std::string>{dir_ + "/r"}));
  EXPECT_EQ(InterpreterOf(Write("e",
                                "\x7f"
                                "ELF\x02\x01\x01")),
            "");  // a cut header
  EXPECT_EQ(InterpreterOf(dir_ + "/missing"), "");
}

}  // namespace
}  // namespace sysgate::supervise
