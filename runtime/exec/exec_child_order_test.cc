// The order of the exec children's steps (exec_child.h), recorded with a
// fake of their calls and of FinishAndExec's (testing/recording_final_calls.h):
// the rules of exec.h's drawing, asserted without running them.
#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/container/sync.h"
#include "runtime/exec/exec_child.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/testing/recording_final_calls.h"

namespace berth::exec::internal {
namespace {

using Steps = std::vector<std::string>;

// Records every step in one list, FinishAndExec's included. Fork() "returns"
// 0, so one run follows the intermediate into the process, as the kernel's
// clone3 does in the child.
class RecordingChildCalls final : public ChildCalls {
 public:
  testing::RecordingFinalCalls final_calls;
  Steps& steps = final_calls.steps;
  Status in_cgroup = Ok();  // what the wait for kInCgroup returns
  Status prepared = Ok();   // Prepare's outcome
  Status go = Ok();         // the wait for the go's outcome
  pid_t forked = 0;

  Status MakeNonDumpable() override { return Record("non-dumpable"); }
  Status JoinNamespaces(int, int) override { return Record("setns"); }
  Status EnterRoot(int) override { return Record("chroot"); }
  Status AwaitInCgroup(container::SyncSocket&) override {
    steps.push_back("in-cgroup");
    return in_cgroup;
  }
  Result<pid_t> CloneProcess() override {
    steps.push_back("clone3");
    return forked;
  }
  Status ReportPid(container::SyncSocket&, pid_t) override { return Record("report-pid"); }
  Result<std::string> Prepare(const ChildContext&, std::optional<process::CapabilitySets>*) override {
    steps.push_back("prepare");
    if (!prepared) return prepared.error();
    return std::string("/bin/true");
  }
  Result<container::SyncMessage> AwaitGo(container::SyncSocket&) override {
    steps.push_back("go");
    if (!go) return go.error();
    return container::SyncMessage{container::SyncType::kSetupDone, 0, ""};
  }
  process::FinalCalls& Final() override { return final_calls; }

 private:
  Status Record(const char* step) {
    steps.push_back(step);
    return Ok();
  }
};

struct Scenario {
  int ns_flags = CLONE_NEWUSER | CLONE_NEWPID;  // something to join
  int root_fd = -1;
  int listener_fd = -1;  // SCMP_ACT_NOTIFY's agent socket
};

class ExecChildOrder : public ::testing::Test {
 protected:
  ChildContext Context(const Scenario& scenario) {
    process_.args = {"/bin/true"};
    process_.noNewPrivileges = true;
    ChildContext ctx;
    ctx.process = &process_;
    ctx.pidfd = 5;
    ctx.ns_flags = scenario.ns_flags;
    ctx.root_fd = scenario.root_fd;
    ctx.sync = &sync_;
    ctx.seccomp = &filter_;
    ctx.listener_fd = scenario.listener_fd;
    return ctx;
  }
  // The intermediate's steps, then (forked == 0) the process's, as one list.
  Steps Run(const Scenario& scenario, RecordingChildCalls& calls) {
    ChildContext ctx = Context(scenario);
    auto forked = IntermediateSteps(ctx, calls);
    if (!forked || *forked != 0) return calls.steps;
    bool parent_gone = false;
    Status status = ProcessSteps(ctx, calls, &parent_gone);
    EXPECT_FALSE(status.ok());  // the fake's execve "fails"
    return calls.steps;
  }

  spec::Process process_;
  container::SyncSocket sync_;
  process::SeccompFilter filter_{};
};

size_t IndexOf(const Steps& steps, const std::string& step) {
  auto at = std::find(steps.begin(), steps.end(), step);
  EXPECT_NE(at, steps.end()) << step << " was not taken";
  return static_cast<size_t>(at - steps.begin());
}

std::string Joined(const Steps& steps) {
  std::string out;
  for (const auto& s : steps) out += s + " ";
  return out;
}

// The attach overlaps the setns; the fork, where the process's cgroups are
// decided, waits for it: the process is born in the container's cgroups and
// everything it does until execve is accounted there.
TEST_F(ExecChildOrder, WaitsForTheCgroupBeforeItForksAndExecs) {
  RecordingChildCalls calls;
  Steps steps = Run({}, calls);
  SCOPED_TRACE(Joined(steps));
  EXPECT_EQ(std::count(steps.begin(), steps.end(), "in-cgroup"), 1);
  EXPECT_LT(IndexOf(steps, "setns"), IndexOf(steps, "in-cgroup"));
  EXPECT_LT(IndexOf(steps, "in-cgroup"), IndexOf(steps, "clone3"));
  EXPECT_LT(IndexOf(steps, "in-cgroup"), IndexOf(steps, "prepare"));
  EXPECT_LT(IndexOf(steps, "in-cgroup"), IndexOf(steps, "execve"));
  EXPECT_EQ(steps.back(), "execve");
}

// Without namespaces to join (and chrooted into a root without a mount
// namespace) the wait is still there, before the fork.
TEST_F(ExecChildOrder, WaitsForTheCgroupWithNothingToJoin) {
  RecordingChildCalls calls;
  Steps steps = Run({.ns_flags = 0, .root_fd = 7}, calls);
  SCOPED_TRACE(Joined(steps));
  EXPECT_EQ(std::find(steps.begin(), steps.end(), "setns"), steps.end());
  EXPECT_LT(IndexOf(steps, "chroot"), IndexOf(steps, "in-cgroup"));
  EXPECT_LT(IndexOf(steps, "in-cgroup"), IndexOf(steps, "clone3"));
  EXPECT_LT(IndexOf(steps, "in-cgroup"), IndexOf(steps, "execve"));
}

// The parent failed to attach (it sends kError instead): nothing is forked.
TEST_F(ExecChildOrder, NoForkWhenTheParentCouldNotAttach) {
  RecordingChildCalls calls;
  calls.in_cgroup = Error(EACCES, "join cgroup");
  ChildContext ctx = Context({});
  auto forked = IntermediateSteps(ctx, calls);
  EXPECT_FALSE(forked.ok());
  EXPECT_EQ(calls.steps, (Steps{"non-dumpable", "setns", "in-cgroup"}));
}

// Without a seccomp listener the process waits for nothing more: no go, a
// wakeup less on the critical path.
TEST_F(ExecChildOrder, ProcessWaitsForNoGoWithoutAListener) {
  RecordingChildCalls calls;
  Steps steps = Run({}, calls);
  SCOPED_TRACE(Joined(steps));
  EXPECT_EQ(std::find(steps.begin(), steps.end(), "go"), steps.end());
  EXPECT_LT(IndexOf(steps, "clone3"), IndexOf(steps, "prepare"));
  EXPECT_LT(IndexOf(steps, "prepare"), IndexOf(steps, "close-fds"));
}

// With a listener it prepares, then waits for the go before execve: the
// listener message (the go's payload) names its pid, which only the parent
// knows.
TEST_F(ExecChildOrder, ProcessWithAListenerWaitsForTheGoBeforeExecve) {
  RecordingChildCalls calls;
  calls.final_calls.notify_fd = 7;
  Steps steps = Run({.listener_fd = 9}, calls);
  SCOPED_TRACE(Joined(steps));
  EXPECT_LT(IndexOf(steps, "in-cgroup"), IndexOf(steps, "go"));
  EXPECT_LT(IndexOf(steps, "prepare"), IndexOf(steps, "go"));
  EXPECT_LT(IndexOf(steps, "go"), IndexOf(steps, "close-fds"));
  EXPECT_LT(IndexOf(steps, "go"), IndexOf(steps, "send-notify-fd"));
  EXPECT_LT(IndexOf(steps, "go"), IndexOf(steps, "execve"));
}

// A failed preparation is reported at once without a listener, after the go
// with one (the parent reaps the process either way: exec_parent.cc).
TEST_F(ExecChildOrder, FailedPreparationReported) {
  for (int listener_fd : {-1, 9}) {
    RecordingChildCalls calls;
    calls.prepared = Error(ENOENT, "exec: no such cwd");
    ChildContext ctx = Context({.listener_fd = listener_fd});
    ASSERT_EQ(*IntermediateSteps(ctx, calls), 0);
    bool parent_gone = true;
    Status status = ProcessSteps(ctx, calls, &parent_gone);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.error().code(), ENOENT);
    EXPECT_FALSE(parent_gone);
    EXPECT_EQ(calls.steps.back(), listener_fd >= 0 ? "go" : "prepare");
  }
}

// No go (the parent failed or died): nothing to report to, nothing exec'd.
TEST_F(ExecChildOrder, NoExecWithoutTheGo) {
  RecordingChildCalls calls;
  calls.go = Error(ECONNRESET, "sync: peer exited");
  ChildContext ctx = Context({.listener_fd = 9});
  ASSERT_EQ(*IntermediateSteps(ctx, calls), 0);
  bool parent_gone = false;
  EXPECT_FALSE(ProcessSteps(ctx, calls, &parent_gone).ok());
  EXPECT_TRUE(parent_gone);
  EXPECT_EQ(std::find(calls.steps.begin(), calls.steps.end(), "execve"), calls.steps.end());
}

// The intermediate's own branch ends at the fork (it reports the pid next).
TEST_F(ExecChildOrder, IntermediateStopsAtTheFork) {
  RecordingChildCalls calls;
  calls.forked = 42;
  ChildContext ctx = Context({});
  auto forked = IntermediateSteps(ctx, calls);
  ASSERT_TRUE(forked.ok());
  EXPECT_EQ(*forked, 42);
  EXPECT_EQ(calls.steps, (Steps{"non-dumpable", "setns", "in-cgroup", "clone3"}));
}

}  // namespace
}  // namespace berth::exec::internal
