#include "lang/source_format.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "base/files.h"
#include "lang/lexer.h"
#include "sysgate/policy_text.h"

namespace sysgate::lang {
namespace {

// The tokens of `text` as written, line breaks as one (blank lines and leading or trailing
// ones do not change what a policy says).
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> out;
  for (const Token& t : Lex(text)) {
    if (t.kind == Tok::kEnd) break;
    if (t.kind == Tok::kNewline && (out.empty() || out.back() == "\n")) continue;
    out.push_back(t.kind == Tok::kNewline  ? "\n"
                  : t.kind == Tok::kString ? "\"" + t.text + "\""
                                           : t.text);
  }
  if (!out.empty() && out.back() == "\n") out.pop_back();
  return out;
}

// What every layout must keep: the tokens, and a fixed point.
void ExpectLaidOut(std::string_view in, std::string_view want) {
  std::string got = FormatSource(in);
  EXPECT_EQ(got, want);
  EXPECT_EQ(Words(got), Words(in));
  EXPECT_EQ(FormatSource(got), got);
}

TEST(SourceFormat, KeepsCommentsIncludesAndBreaks) {
  ExpectLaidOut(
      "\n\n# A web server.\n#\n#   its notes\ndefault   errno( EPERM )   # the rest\n\n\n\ninclude "
      "\"base.sgp\"\n"
      "const ROOT=3\n# files\nallow openat if arg0==ROOT&&( flags & O_ACCMODE )==O_RDONLY # under "
      "root\n"
      "allow mmap if !( arg2&PROT_EXEC )\n\n",
      "# A web server.\n#\n#   its notes\ndefault errno(EPERM)       # the rest\n\ninclude "
      "\"base.sgp\"\n"
      "const ROOT = 3\n# files\nallow openat if arg0 == ROOT && (flags & O_ACCMODE) == O_RDONLY  # "
      "under root\n"
      "allow mmap if !(arg2 & PROT_EXEC)\n");
}

TEST(SourceFormat, SpacesAsTheLanguageReadsWords) {
  ExpectLaidOut("allow fcntl if cmd in 0 .. 4||arg1 : u32 not in{1,2}\n",
                "allow fcntl if cmd in 0..4 || arg1:u32 not in {1, 2}\n");
  ExpectLaidOut("trap (5) getppid on i386 ; kill-thread  ptrace\n",
                "trap(5) getppid on i386; kill-thread ptrace\n");
  ExpectLaidOut("allow x if a == ~ ( B|C ) and(b < 1 << 4)\n",
                "allow x if a == ~(B | C) and (b < 1 << 4)\n");
}

TEST(SourceFormat, IndentsContinuationsAndKeepsCommentColumns) {
  ExpectLaidOut(
      "allow {\nread,      # reading\n  write, # writing\n\n  # more\n close,\n}\nallow futex\n",
      "allow {\n    read,  # reading\n    write,  # writing\n\n    # more\n    close,\n}\nallow "
      "futex\n");
  ExpectLaidOut("allow read,\\\nwrite\nallow openat if\n   arg0 == 1 ||\narg0 == 2\n",
                "allow read, \\\n    write\nallow openat if\n    arg0 == 1 ||\n    arg0 == 2\n");
  // A line of only a backslash continues the statement: it goes, the statement stays one.
  ExpectLaidOut("default \\\n\\\nerrno(EPERM)\nallow read, \\\n  \\\nwrite\n",
                "default \\\n    errno(EPERM)\nallow read, \\\n    write\n");
  // Comments aligned down a block (as `sysgate learn` writes counts) stay so; one the code
  // reaches moves to two spaces after it.
  ExpectLaidOut(
      "allow arch_prctl if option == ARCH_SET_FS  # 1\nallow brk          # 10\nallow futex        "
      "# 23\n"
      "allow   clock_nanosleep  # 1\n",
      "allow arch_prctl if option == ARCH_SET_FS  # 1\nallow brk          # 10\nallow futex        "
      "# 23\n"
      "allow clock_nanosleep    # 1\n");
  ExpectLaidOut("allow openat if (flags&O_ACCMODE)==O_RDONLY # r\n",
                "allow openat if (flags & O_ACCMODE) == O_RDONLY  # r\n");
}

TEST(SourceFormat, CarriageReturnsAndNoFinalNewline) {
  ExpectLaidOut("default allow\r\n# c \r\nerrno(EPERM) ptrace",
                "default allow\n# c\nerrno(EPERM) ptrace\n");
}

// What PrintPolicy writes (and so `convert --to sysgate`) and the policies sysgate ships are
// laid out already, and laying out any real policy changes no token and is a fixed point.
TEST(SourceFormat, PrintedAndShippedPoliciesAreFixedPoints) {
  const std::filesystem::path root = SYSGATE_SOURCE_DIR;
  int files = 0;
  for (const auto& dir : {root / "examples", root / "profiles", root / "tests"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.path().extension() != ".sgp" && e.path().parent_path().filename() != "native") continue;
      Result<std::string> text = base::ReadFile(e.path().string());
      ASSERT_TRUE(text) << e.path();
      std::string laid = FormatSource(*text);
      EXPECT_EQ(Words(laid), Words(*text)) << e.path();
      EXPECT_EQ(FormatSource(laid), laid) << e.path();
      if (dir != root / "tests") {
        EXPECT_EQ(laid, *text) << e.path() << ": not laid out (sysgate fmt -i)";
      }
      ParsedPolicy p = ParsePolicyFile(e.path().string());
      if (!p.ok()) continue;  // needs -D constants or include dirs
      ++files;
      std::string printed = PrintPolicy(*p.policy);
      EXPECT_EQ(FormatSource(printed), printed) << e.path();
    }
  }
  EXPECT_GT(files, 25);
}

}  // namespace
}  // namespace sysgate::lang
