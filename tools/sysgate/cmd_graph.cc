// sysgate graph: the decision structure of a filter as Graphviz DOT, SVG, PNG or JSON.
//   sysgate graph web.sgp -a x86_64 -T svg -o web.svg
//   sysgate graph --bpf dump.txt --filter 2 | dot -Tpng > f.png
//   sysgate graph --profile default --json
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/compiler.h"
#include "sysgate/graph.h"

extern char** environ;

namespace sysgate::cli {
namespace {

struct Options {
  std::string policy;
  std::string profile;
  std::string bpf;
  size_t filter = 0;
  std::string arch;
  std::string format = "dot";
  std::string output = "-";
  bool json = false;
  InputOptions input;
};

std::string Json(const analysis::FilterGraph& g) {
  nlohmann::ordered_json nodes = nlohmann::json::array(), edges = nlohmann::json::array();
  for (const analysis::GraphNode& n : g.nodes) {
    static constexpr const char* kKinds[] = {"block", "dispatch", "verdict"};
    nodes.push_back({{"id", n.id},
                     {"kind", kKinds[static_cast<int>(n.kind)]},
                     {"insn", n.first_insn},
                     {"lines", n.lines}});
  }
  for (const analysis::GraphEdge& e : g.edges)
    edges.push_back({{"from", e.from}, {"to", e.to}, {"label", e.label}});
  return nlohmann::ordered_json({{"title", g.title}, {"nodes", nodes}, {"edges", edges}}).dump(2) +
         "\n";
}

// Renders `dot` with Graphviz's dot program (no shell: the output path is an argument).
bool Render(const std::string& dot, const std::string& format, const std::string& output) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    PrintError(SystemError("cannot make a pipe for dot", errno).ToString());
    return false;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  std::vector<std::string> args = {"dot", "-T" + format};
  if (output != "-") args.insert(args.end(), {"-o", output});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int err = posix_spawnp(&pid, "dot", &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[0]);
  if (err != 0) {
    close(fds[1]);
    PrintError(err == ENOENT
                   ? fmt::format("-T {} needs Graphviz's dot, which is not installed (Debian: apt "
                                 "install graphviz); -T dot writes what it would render",
                                 format)
                   : SystemError("cannot run dot", err).ToString());
    return false;
  }
  bool written = true;
  for (size_t off = 0; off < dot.size();) {
    ssize_t n = write(fds[1], dot.data() + off, dot.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      written = false;
      break;
    }
    off += static_cast<size_t>(n);
  }
  close(fds[1]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!written || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    PrintError(fmt::format("dot could not render the graph as {}", format));
    return false;
  }
  return true;
}

std::optional<bpf::Program> Program(const Options& o, std::string* title) {
  if (!o.bpf.empty()) {
    auto loaded = ReadBpfFilter(o.bpf, o.filter);
    if (!loaded) {
      PrintError(loaded.error().ToString());
      return std::nullopt;
    }
    *title = o.bpf;
    return std::move(*loaded);
  }
  const std::vector<std::string> arches =
      o.arch.empty() ? std::vector<std::string>{} : std::vector{o.arch};
  PolicyChoice c = LoadPolicyOrProfile(o.policy, o.profile, o.input, arches);
  if (!c.r.ok()) return std::nullopt;
  Policy policy = std::move(*c.r.policy);
  const std::map<std::string, std::string>& sources = c.r.sources;
  *title = o.profile.empty() ? o.policy : "profile " + o.profile;
  if (!arches.empty() &&
      (!OverrideArches(policy, arches) || !ValidForNewArches(policy, sources, /*quiet=*/true))) {
    return std::nullopt;
  }
  auto prog = Compile(policy);
  if (!prog) {
    PrintError(prog.error().ToString());
    return std::nullopt;
  }
  return std::move(*prog);
}

int Run(const Options& o) {
  if (!ExactlyOneSource({&o.policy, &o.profile, &o.bpf},
                        "a policy file, --profile NAME or --bpf FILE"))
    return kExitUsage;
  const std::string format = o.json ? "json" : o.format;
  if (format != "dot" && format != "svg" && format != "png" && format != "json") {
    PrintError(fmt::format("-T: expected dot, svg, png or json, not '{}'", o.format));
    return kExitUsage;
  }
  std::optional<Arch> arch;
  if (!o.arch.empty()) {
    arch = ParseArchOption(o.arch);
    if (!arch) return kExitUsage;
  }
  if (!o.profile.empty() &&
      !BuiltinProfileText(o.profile)) {  // a usage error, as lint and explain say
    PrintError(UnknownProfileMessage(o.profile));
    return kExitUsage;
  }
  std::string title;
  std::optional<bpf::Program> prog = Program(o, &title);
  if (!prog) return kExitInvalid;
  analysis::FilterGraph g = analysis::BuildGraph(*prog, {.arch = arch, .title = title});
  if (format == "svg" || format == "png")
    return Render(analysis::ToDot(g), format, o.output) ? kExitOk : kExitInvalid;
  std::string out = format == "json" ? Json(g) : analysis::ToDot(g);
  if (auto w = WriteOutput(o.output, out); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("policy", opts->policy, "Policy file (any format), compiled first");
  AddProfileOption(cmd, opts->profile);
  cmd->add_option("--bpf", opts->bpf, "A BPF program instead (raw, hex or a dump listing)");
  cmd->add_option("--filter", opts->filter, "With --bpf: which filter of a listing with several");
  cmd->add_option("-a,--arch", opts->arch,
                  "Compile for this arch only; with --bpf, the arch assumed before it is checked");
  cmd->add_option("-T,--format", opts->format,
                  "dot (default), svg, png (with Graphviz's dot), json");
  cmd->add_option("-o,--output", opts->output, "Write here (default: stdout)");
  cmd->add_flag("--json", opts->json, "The nodes and edges as JSON (as -T json)");
  AddInputOptions(cmd, opts->input, "--from");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "graph",
     .order = 180,
     .description = "Draw a filter's decision structure (Graphviz DOT, SVG, PNG)",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
