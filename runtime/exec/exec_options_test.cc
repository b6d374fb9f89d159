// The process exec runs: config defaults, runc's overrides, --cap sets.
#include <gtest/gtest.h>

#include "runtime/cli/cmd_exec.h"
#include "runtime/container/sync.h"
#include "runtime/exec/exec.h"

namespace berth::exec {
namespace {

using namespace container;  // the lifecycle around the exec

spec::Config BaseConfig() {
  spec::Config c;
  c.process.emplace();
  c.process->args = {"sleep", "100"};
  c.process->env = {"PATH=/bin", "A=1"};
  c.process->cwd = "/";
  c.process->user.uid = 0;
  c.process->capabilities =
      spec::Capabilities{{"CAP_CHOWN"}, {"CAP_CHOWN"}, {"CAP_CHOWN"}, {"CAP_CHOWN"}, {"CAP_CHOWN"}};
  return c;
}

TEST(ExecProcess, OverridesArgsEnvCwdUser) {
  ExecOptions o;
  o.args = {"id"};
  o.env = {"A=2", "B=3"};
  o.cwd = "/tmp";
  o.uid = 1000;
  o.gid = 100;
  o.additional_gids = {5};
  auto p = ExecProcess(BaseConfig(), o);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->args, std::vector<std::string>{"id"});
  EXPECT_EQ(p->env, (std::vector<std::string>{"PATH=/bin", "A=2", "B=3"}));
  EXPECT_EQ(p->cwd, "/tmp");
  EXPECT_EQ(p->user.uid, 1000u);
  EXPECT_EQ(p->user.gid, 100u);
  EXPECT_EQ(p->user.additionalGids, std::vector<uint32_t>{5});
}

TEST(ExecProcess, CapAddsOnlyToBoundingEffectivePermitted) {
  ExecOptions o;
  o.args = {"id"};
  o.caps = {"CAP_KILL"};
  auto p = ExecProcess(BaseConfig(), o);
  ASSERT_TRUE(p.ok());
  const auto& caps = *p->capabilities;
  auto has = [](const std::vector<std::string>& v) {
    return std::find(v.begin(), v.end(), "CAP_KILL") != v.end();
  };
  EXPECT_TRUE(has(caps.bounding));
  EXPECT_TRUE(has(caps.effective));
  EXPECT_TRUE(has(caps.permitted));
  EXPECT_FALSE(has(caps.inheritable));
  EXPECT_FALSE(has(caps.ambient));
}

TEST(ExecProcess, ProcessJsonReplacesConfigProcess) {
  auto parsed = ParseProcessJson(R"({"args":["true"],"cwd":"/etc","user":{"uid":7,"gid":8}})");
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  ExecOptions o;
  o.process = *parsed;
  auto p = ExecProcess(BaseConfig(), o);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->args, std::vector<std::string>{"true"});
  EXPECT_EQ(p->cwd, "/etc");
  EXPECT_EQ(p->user.uid, 7u);
  EXPECT_TRUE(p->env.empty());
  EXPECT_FALSE(p->capabilities.has_value());
}

// process.json used to be pasted into a config text ("{...,\"process\":" +
// file + "}"), so text after the object was read as more config members: a
// second "process" silently replaced the first, and invalid JSON was accepted.
TEST(ExecProcess, ProcessJsonIsOneDocument) {
  auto injected = ParseProcessJson(R"({"args":["true"],"cwd":"/"},"process":{"args":["other"],"cwd":"/"})");
  EXPECT_FALSE(injected.ok()) << "accepted as args " << injected->args.front();
  EXPECT_FALSE(ParseProcessJson(R"({"args":["true"],"cwd":"/"},"hostname":"x")").ok());
  EXPECT_FALSE(ParseProcessJson("null").ok());
  auto bad = ParseProcessJson(R"({"args":[1],"cwd":"/"})");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message(), "process.json: args[0]: expected string, got number");
}

TEST(ExecProcess, RejectsBadEnvAndEmptyArgs) {
  ExecOptions o;
  o.args = {"id"};
  o.env = {"NOEQUALS"};
  EXPECT_FALSE(ExecProcess(BaseConfig(), o).ok());
  spec::Config empty;
  empty.process.emplace();
  EXPECT_FALSE(ExecProcess(empty, ExecOptions{}).ok());
}

TEST(ExecFlags, ParsesRuncFlags) {
  cli::Command command = cli::ExecCommand();
  auto flags = cli::ParseFlags(
      {"-u", "5:6", "-e", "X=1", "--cap", "CAP_KILL", "-g", "9", "-d", "ctr", "sh", "-c", "echo hi"},
      command.flags, command.mode);
  ASSERT_TRUE(flags.ok()) << flags.error().ToString();
  auto o = cli::ExecOptionsFrom(*flags);
  ASSERT_TRUE(o.ok()) << o.error().ToString();
  EXPECT_EQ(o->id, "ctr");
  EXPECT_EQ(o->args, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(*o->uid, 5u);
  EXPECT_EQ(*o->gid, 6u);
  EXPECT_EQ(o->env, std::vector<std::string>{"X=1"});
  EXPECT_EQ(o->caps, std::vector<std::string>{"CAP_KILL"});
  EXPECT_EQ(o->additional_gids, std::vector<uint32_t>{9});
  EXPECT_TRUE(o->detach);
  auto bad = cli::ParseFlags({"-u", "x", "ctr", "sh"}, command.flags, command.mode);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(cli::ExecOptionsFrom(*bad).ok());
}

// The intermediate child's pid report is checked: a malformed one is an
// error, never an exception (the old std::stol threw on "x") nor a wrong pid
// ("12x" was read as 12).
TEST(ExecSync, MalformedPidReportIsAnError) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  for (const char* bad :
       {"", "x", "12x", "-5", "0", " 7", "007", "+12", "PPPPPPPP", "99999999999999999999"}) {
    ASSERT_TRUE(child.Send(SyncType::kInitPid, bad).ok());
    auto received = parent.WaitFor(SyncType::kInitPid);
    ASSERT_TRUE(received.ok()) << received.error().ToString();
    auto pid = container::ParseReportedPid(*received);
    ASSERT_FALSE(pid.ok()) << "\"" << bad << "\" parsed as " << *pid;
    EXPECT_EQ(pid.error().code(), EPROTO) << bad;
    EXPECT_NE(pid.error().ToString().find("bad pid"), std::string::npos);
  }
  // Found by the sync fuzz target: a NUL ended strtol's parse, so "50\0..."
  // was accepted as 50 (fuzz/corpus/sync/regression-pid-with-nul).
  ASSERT_TRUE(child.Send(SyncType::kInitPid, std::string("50\0\0\x01", 5)).ok());
  auto with_nul = parent.WaitFor(SyncType::kInitPid);
  ASSERT_TRUE(with_nul.ok());
  EXPECT_FALSE(container::ParseReportedPid(*with_nul).ok());
  ASSERT_TRUE(child.Send(SyncType::kInitPid, "4321").ok());
  auto good = parent.WaitFor(SyncType::kInitPid);
  ASSERT_TRUE(good.ok());
  auto pid = container::ParseReportedPid(*good);
  ASSERT_TRUE(pid.ok());
  EXPECT_EQ(*pid, 4321);
}

}  // namespace
}  // namespace berth::exec
