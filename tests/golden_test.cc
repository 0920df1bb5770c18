// Golden disassembly: a few policies per arch, compiled and disassembled, compared with the
// reviewed listings beside them. SYSGATE_UPDATE_GOLDEN=1 rewrites the listings (review the
// diff). Confidence comes from the differential and kernel suites; these show the shape.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "base/files.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

namespace fs = std::filesystem;

TEST(Golden, Disassembly) {
  fs::path dir = fs::path(SYSGATE_SOURCE_DIR) / "tests/golden";
  bool update = std::getenv("SYSGATE_UPDATE_GOLDEN") != nullptr;
  int checked = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.path().extension() != ".sgp") continue;
    ParsedPolicy r = ParsePolicyFile(e.path().string());
    ASSERT_TRUE(r.ok()) << r.RenderDiagnostics();
    auto prog = Compile(*r.policy);  // verified against the policy
    ASSERT_TRUE(prog) << prog.error().ToString();
    std::string dis = analysis::Disassemble(*prog, {.arch = r.policy->TargetArches()[0]});
    fs::path golden = fs::path(e.path()).replace_extension(".dis");
    if (update) {
      std::ofstream(golden) << dis;
    } else {
      ASSERT_TRUE(fs::exists(golden)) << golden << " missing: run with SYSGATE_UPDATE_GOLDEN=1";
      EXPECT_EQ(dis, base::ReadFile(golden).value_or(""))
          << e.path() << " changed: review, then SYSGATE_UPDATE_GOLDEN=1";
    }
    ++checked;
  }
  EXPECT_GE(checked, 4);
}

}  // namespace
}  // namespace sysgate
