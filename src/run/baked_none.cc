// The baker links the library without the profiles it is about to bake.
#include "run/baked_profiles.h"

namespace sysgate::run {

const BakedProfile* FindBakedProfile(std::string_view) { return nullptr; }

}  // namespace sysgate::run
