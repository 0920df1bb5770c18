#include "learn/access_recorder.h"

#include "supervise/access_effects.h"
#include "sysgate/access_rules.h"

namespace sysgate::learn {

AccessRecorder::AccessRecorder(bool fs, bool net) : fs_(fs), net_(net) {
  rec_.fs = fs;
  rec_.handled_net = net ? net_access::kAll : 0;
}

void AccessRecorder::Add(const supervise::AccessEffects& e) {
  for (const auto& need : e.needs) {
    PathUse& u = rec_.paths[need.path];
    u.access |= need.access;
    ++u.count;
  }
  for (const std::string& p : e.created) rec_.paths[p].created = true;
  for (const std::string& p : e.removed) rec_.paths[p].removed = true;
  for (const auto& mv : e.moves) rec_.moves.insert({mv.from, mv.to, mv.dir});
  if (e.port) ++(e.port->access == net_access::kBindTcp ? rec_.bind : rec_.connect)[e.port->port];
}

void AccessRecorder::OnCall(SyscallCall& call) {
  if (fs_ || net_) Add(supervise::AccessEffectsOf(call, fs_, net_));
}

void AccessRecorder::Exec(const std::string& path) {
  if (fs_) Add(supervise::ExecEffects(path));
}

AccessRecording AccessRecorder::Take() { return std::move(rec_); }

}  // namespace sysgate::learn
