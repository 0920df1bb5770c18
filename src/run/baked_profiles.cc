#include "run/baked_profiles.h"

#include <array>

namespace sysgate::run {
namespace {

#include "baked_profiles.inc"  // kBakedProfiles, written by sysgate_bake

}  // namespace

const BakedProfile* FindBakedProfile(std::string_view name) {
  for (const BakedProfile& b : kBakedProfiles) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

}  // namespace sysgate::run
