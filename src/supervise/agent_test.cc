#include "sysgate/agent.h"

#include <errno.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sysgate {
namespace {

using ::testing::HasSubstr;

TEST(AgentConfig, ParsesProfilesRulesAndDefaults) {
  auto c = AgentConfig::Parse(R"({"profiles": {
    "default": {"default": {"action": "continue"},
                "rules": [{"syscalls": ["mknodat"], "action": "emulate-mknod",
                           "devices": [{"type": "c", "major": 1, "minor": 3}, {"type": "b", "major": 7, "minor": 0}]},
                          {"syscalls": ["sethostname"], "action": "return", "value": 0},
                          {"syscalls": ["mount", "umount2"], "action": "deny", "errno": "EACCES"},
                          {"syscalls": ["ptrace"], "action": "kill"}]},
    "web": {}}})",
                              "a.json");
  ASSERT_TRUE(c) << c.error().ToString();
  const AgentProfile& d = c->ProfileFor("");
  EXPECT_EQ(d.fallback.kind, AgentRule::Kind::kContinue);
  ASSERT_EQ(d.rules.size(), 4u);
  EXPECT_EQ(d.rules[0].devices.size(), 2u);
  EXPECT_EQ(d.rules[0].devices[1].type, 'b');
  EXPECT_EQ(d.rules[2].err, EACCES);
  EXPECT_EQ(d.rules[2].syscalls, (std::vector<std::string>{"mount", "umount2"}));
  EXPECT_EQ(d.rules[3].kind, AgentRule::Kind::kKill);
  // A profile without a default denies with EPERM; unknown metadata gets "default".
  EXPECT_EQ(c->ProfileFor("web").fallback.kind, AgentRule::Kind::kDeny);
  EXPECT_EQ(c->ProfileFor("web").fallback.err, EPERM);
  EXPECT_EQ(&c->ProfileFor("other"), &d);
}

TEST(AgentConfig, ErrorsNameTheFileAndPath) {
  auto err = [](std::string_view text) {
    auto c = AgentConfig::Parse(text, "a.json");
    return c ? std::string("ok") : c.error().message;
  };
  EXPECT_THAT(err("{"), HasSubstr("a.json: $: not valid JSON"));
  EXPECT_THAT(err(R"({"x": 1})"), HasSubstr("$.profiles"));
  EXPECT_THAT(err(R"({"profiles": {"p": {"rules": [{"syscalls": ["opne"], "action": "deny"}]}}})"),
              HasSubstr("$.profiles.p.rules[0].syscalls: \"opne\" is not a syscall name"));
  EXPECT_THAT(
      err(R"({"profiles": {"p": {"rules": [{"syscalls": ["read"], "action": "deny", "errno": "EFOO"}]}}})"),
      HasSubstr("rules[0].errno"));
  EXPECT_THAT(
      err(R"({"profiles": {"p": {"rules": [{"syscalls": ["read"], "action": "emulate-mknod", "devices": []}]}}})"),
      HasSubstr("mknod and mknodat only"));
  EXPECT_THAT(
      err(R"({"profiles": {"p": {"rules": [{"syscalls": ["mknod"], "action": "emulate-mknod", "devices": [{"major": -1, "minor": 3}]}]}}})"),
      HasSubstr("devices[0]"));
  EXPECT_THAT(err(R"({"profiles": {"p": {"default": {"action": "return"}}}})"),
              HasSubstr("default.value"));
  EXPECT_EQ(AgentConfig::Default().ProfileFor("x").fallback.kind, AgentRule::Kind::kDeny);
}

TEST(ContainerState, TheRuntimeSpecsShape) {
  auto s = ParseContainerState(R"({"ociVersion": "1.0.2", "fds": ["seccompFd"], "pid": 4422,
    "metadata": "web", "state": {"ociVersion": "1.0.2", "id": "c1", "status": "creating",
    "pid": 4422, "bundle": "/b"}})");
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->id, "c1");
  EXPECT_EQ(s->pid, 4422);
  EXPECT_EQ(s->metadata, "web");
  EXPECT_EQ(s->bundle, "/b");
  EXPECT_EQ(s->seccomp_fd_index, 0);
  EXPECT_FALSE(ParseContainerState(R"({"fds": ["other"]})"));
  EXPECT_FALSE(ParseContainerState("not json"));
}

TEST(AgentEvent, TextLines) {
  using K = AgentEvent::Kind;
  EXPECT_EQ((AgentEvent{K::kConnected, "c1", 0, "", "pid 7, profile web"}.ToString()),
            "c1: connected (pid 7, profile web)");
  EXPECT_EQ(
      (AgentEvent{K::kCall, "c1", 8, "mknod(\"/x\", 020666, 259)", "= 0 (emulated)"}.ToString()),
      "c1: mknod(\"/x\", 020666, 259) = 0 (emulated)  [tid 8]");
  EXPECT_EQ((AgentEvent{K::kGone, "c1", 0, "", ""}.ToString()), "c1: gone");
  EXPECT_EQ((AgentEvent{K::kRefused, "", 0, "", "no seccompFd"}.ToString()),
            "refused a connection: no seccompFd");
  EXPECT_EQ((AgentEvent{K::kError, "c1", 0, "", "EBADF"}.ToString()),
            "c1: stopped serving it: EBADF");
  EXPECT_EQ((AgentEvent{K::kListening, "", 0, "", "/run/a.sock"}.ToString()),
            "listening on /run/a.sock");
}

}  // namespace
}  // namespace sysgate
