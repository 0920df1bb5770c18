#include "sysgate/sandbox.h"

#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/kernel.h"

namespace sysgate {

Result<void> ApplyToThisProcess(const bpf::Program& program, const ApplyOptions& options) {
  auto r = kernel::Install(program, {.tsync = options.tsync, .log = options.log});
  if (!r) return r.error();
  return {};
}

Result<void> ApplyToThisProcess(const Policy& policy, const ApplyOptions& options) {
  auto prog = Compile(policy);
  if (!prog) return prog.error();
  if (options.verify) {
    if (auto v = analysis::VerifyTranslation(policy, *prog); !v) return v.error();
  }
  return ApplyToThisProcess(*prog, options);
}

}  // namespace sysgate
