// sysgate agent: an OCI seccomp agent for runtimes' linux.seccomp.listenerPath.
//   sysgate agent --socket /run/sysgate-agent.sock --config agent.json
// Serves containers until SIGINT or SIGTERM; one line per event on stderr (--json: JSON).
#include <signal.h>

#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/agent.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string socket;
  std::string config;
  bool json = false;
  bool quiet = false;
};

volatile sig_atomic_t g_stop = 0;

int Run(const Options& o) {
  AgentConfig config = AgentConfig::Default();
  if (!o.config.empty()) {
    auto text = base::ReadFile(o.config);
    if (!text) {
      PrintError(text.error().ToString());
      return kExitInvalid;
    }
    auto parsed = AgentConfig::Parse(*text, o.config);
    if (!parsed) {
      PrintError(parsed.error().message);
      return kExitInvalid;
    }
    config = std::move(*parsed);
  }
  struct sigaction sa {};
  sa.sa_handler = [](int) { g_stop = 1; };
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Agent agent(std::move(config), [&](const AgentEvent& e) {
    if (o.json) {
      static constexpr const char* kKinds[] = {"connected", "call",  "gone",
                                               "refused",   "error", "listening"};
      nlohmann::json j = {{"event", kKinds[static_cast<int>(e.kind)]}, {"container", e.container}};
      if (e.kind == AgentEvent::Kind::kCall) {
        j["tid"] = e.tid;
        j["call"] = e.call;
        j["outcome"] = e.outcome;
      } else if (!e.outcome.empty()) {
        j["detail"] = e.outcome;
      }
      std::cerr << j.dump() << std::endl;
    } else if (!o.quiet || e.kind == AgentEvent::Kind::kRefused ||
               e.kind == AgentEvent::Kind::kError) {
      std::cerr << "sysgate agent: " << e.ToString() << std::endl;
    }
  });
  if (auto r = agent.Serve(o.socket, &g_stop); !r) {
    PrintError(r.error().ToString());
    return kExitInvalid;
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("--socket", opts->socket, "Unix socket to listen on (the runtime's listenerPath)")
      ->required();
  cmd->add_option(
      "--config", opts->config,
      "Handlers (JSON; docs/supervise.md). Default: log every call and deny it with EPERM");
  cmd->add_flag("--json", opts->json, "Events as JSON lines");
  cmd->add_flag("-q,--quiet", opts->quiet, "Report only refused connections and errors");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "agent",
     .order = 140,
     .description = "Serve containers' seccomp notifications (OCI listenerPath)",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
