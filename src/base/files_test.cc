// Reading input within the limits (limits.h) and the include mechanism every language shares.
#include "base/files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysgate/limits.h"

namespace sysgate::base {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

class Scratch {
 public:
  Scratch() : dir_(fs::temp_directory_path() / ("sysgate_files_" + std::to_string(getpid()))) {
    fs::create_directories(dir_);
  }
  ~Scratch() { fs::remove_all(dir_); }
  fs::path Write(const std::string& name, const std::string& text) const {
    fs::path p = dir_ / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p;
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

std::string Refusal(const fs::path& p) {
  Result<std::string> r = ReadFile(p);
  return r ? "read " + std::to_string(r->size()) + " bytes" : r.error().ToString();
}

TEST(ReadFile, ReadsFilesAndPipes) {
  Scratch s;
  EXPECT_EQ(ReadFile(s.Write("a.sgp", "allow read\n")).value_or(""), "allow read\n");
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  ASSERT_EQ(write(fds[1], "xyz", 3), 3);
  close(fds[1]);
  EXPECT_EQ(ReadFile("/proc/self/fd/" + std::to_string(fds[0])).value_or(""), "xyz");
  close(fds[0]);
}

TEST(ReadFile, RefusesWhatIsNotAFileWithTheReason) {
  Scratch s;
  EXPECT_EQ(Refusal(s.dir()), s.dir().string() + ": is a directory, not a file");
  EXPECT_EQ(Refusal("/dev/zero"), "/dev/zero: is a device, not a file");  // never ends
  EXPECT_EQ(Refusal("/dev/null"), "/dev/null: is a device, not a file");
  EXPECT_EQ(Refusal("/proc/self/mem"), "/proc/self/mem: cannot read: Input/output error");
  EXPECT_EQ(Refusal(s.dir() / "nope"),
            (s.dir() / "nope").string() + ": cannot open: No such file or directory");
}

TEST(ReadFile, RefusesWhatIsTooLargeBeforeReadingIt) {
  Scratch s;
  fs::path big = s.Write("big.sgp", "");
  fs::resize_file(big, limits::kMaxInputBytes + 1);  // sparse: no disk used
  Result<std::string> r = ReadFile(big);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kTooLarge);
  EXPECT_THAT(r.error().message, HasSubstr("larger than 64 MiB, sysgate's input size limit"));
  fs::resize_file(big, limits::kMaxInputBytes);
  EXPECT_EQ(ReadFile(big).value_or("").size(), limits::kMaxInputBytes);
}

TEST(IncludeReader, FindsReadsAndUnwinds) {
  Scratch s;
  fs::path top = s.Write("top.policy", "");
  s.Write("sub/a.policy", "a");
  IncludeReader inc({(s.dir() / "sub").string()}, 16, top.string());
  Result<IncludeReader::File> a = inc.Enter("a.policy", top.string());
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(a->text, "a");
  inc.Leave();
  EXPECT_TRUE(inc.Enter("a.policy", top.string()));  // again, now that it is done
  EXPECT_THAT(inc.Enter("nope.policy", top.string()).error().message,
              HasSubstr("cannot find included file \"nope.policy\""));
}

TEST(IncludeReader, RefusesCyclesDepthAndTooMany) {
  Scratch s;
  fs::path top = s.Write("top.policy", "");
  s.Write("b.policy", "");
  IncludeReader inc({}, 16, top.string());
  EXPECT_THAT(inc.Enter("top.policy", top.string()).error().message,
              HasSubstr("include cycle: \"top.policy\""));
  ASSERT_TRUE(inc.Enter("b.policy", top.string()));
  EXPECT_THAT(inc.Enter("./b.policy", (s.dir() / "b.policy").string()).error().message,
              HasSubstr("include cycle"));

  IncludeReader shallow({}, 2, top.string());
  for (int i = 0; i < 5; ++i) s.Write("d" + std::to_string(i) + ".policy", "");
  ASSERT_TRUE(shallow.Enter("d0.policy", top.string()));
  Result<IncludeReader::File> deep = shallow.Enter("d1.policy", top.string());
  ASSERT_FALSE(deep);
  EXPECT_THAT(deep.error().message, HasSubstr("includes nest deeper than 2 files"));

  IncludeReader many({}, 16, top.string());
  for (int i = 0; i < limits::kMaxIncludes; ++i) {
    ASSERT_TRUE(many.Enter("b.policy", top.string()));
    many.Leave();
  }
  EXPECT_THAT(many.Enter("b.policy", top.string()).error().message,
              HasSubstr("more than 1000 times"));
}

TEST(RealPathOr, FollowsWhatExistsAndKeepsTheRest) {
  fs::path dir = fs::temp_directory_path() / fmt::format("sysgate-realpath-{}", getpid());
  fs::create_directories(dir / "target");
  fs::create_directory_symlink(dir / "target", dir / "link");
  EXPECT_EQ(RealPathOr((dir / "link").string()), (dir / "target").string());
  EXPECT_EQ(RealPathOr((dir / "link" / ".." / "target").string()), (dir / "target").string());
  EXPECT_EQ(RealPathOr("/no/such/path"), "/no/such/path");  // as given
  fs::remove_all(dir);
}

}  // namespace
}  // namespace sysgate::base
