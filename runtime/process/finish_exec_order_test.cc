// The order of FinishAndExec's steps, recorded with a fake of the kernel
// calls (testing/recording_final_calls.h): the rules of finish_exec.h,
// asserted without running them.
#include <gtest/gtest.h>
#include <linux/capability.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runtime/process/finish_exec.h"
#include "runtime/process/testing/recording_final_calls.h"

namespace berth::process {
namespace {

using Steps = std::vector<std::string>;

struct Scenario {
  bool no_new_privileges = false;
  bool notify = false;
};

Steps RunSteps(const Scenario& scenario) {
  static const std::vector<std::string> args = {"/bin/true"};
  static const std::vector<std::string> env = {"PATH=/bin"};
  static const SeccompFilter filter{};
  FinalSteps steps;
  steps.path = "/bin/true";
  steps.args = &args;
  steps.env = &env;
  steps.final_cpus = "0";
  steps.no_new_privileges = scenario.no_new_privileges;
  steps.seccomp = &filter;
  if (scenario.notify) {
    steps.listener_fd = 9;
    steps.listener_message = "{}";
  }
  // What the callers (init_child.cc, exec_child.cc) retained at their user
  // change: the final capset comes only when something was retained.
  if (CapabilitiesRetainedForSeccomp(true, scenario.no_new_privileges) != 0)
    steps.final_capabilities = CapabilitySets{};
  testing::RecordingFinalCalls calls;
  calls.notify_fd = scenario.notify ? 7 : -1;
  Status status = FinishAndExec(steps, calls);
  EXPECT_FALSE(status.ok());  // the fake's execve "fails"
  return calls.steps;
}

Steps After(const Steps& steps, const std::string& step) {
  auto at = std::find(steps.begin(), steps.end(), step);
  EXPECT_NE(at, steps.end()) << step << " was not taken";
  return at == steps.end() ? Steps{} : Steps(at + 1, steps.end());
}

size_t IndexOf(const Steps& steps, const std::string& step) {
  return static_cast<size_t>(std::find(steps.begin(), steps.end(), step) - steps.begin());
}

// With no_new_privs the filter is the last thing before execve: a profile
// need not allow anything else.
TEST(FinishAndExecOrder, NoNewPrivsNothingButExecveAfterTheFilter) {
  Steps steps = RunSteps({.no_new_privileges = true});
  EXPECT_EQ(After(steps, "seccomp"), (Steps{"execve"}));
  EXPECT_LT(IndexOf(steps, "no-new-privs"), IndexOf(steps, "seccomp"));
}

// The listener's notify fd is the one exception, sent right after the filter.
TEST(FinishAndExecOrder, NoNewPrivsNotifyFdThenExecve) {
  Steps steps = RunSteps({.no_new_privileges = true, .notify = true});
  EXPECT_EQ(After(steps, "seccomp"), (Steps{"send-notify-fd", "execve"}));
}

// Without no_new_privs the filter needs CAP_SYS_ADMIN: the callers keep it
// across their setuid, the filter is loaded while it is held, and only then
// does the capset finish the user change (finish_exec.h allows it).
TEST(FinishAndExecOrder, WithoutNoNewPrivsSeccompBeforeTheUserChangeEnds) {
  EXPECT_EQ(CapabilitiesRetainedForSeccomp(true, false), uint64_t{1} << CAP_SYS_ADMIN);
  EXPECT_EQ(CapabilitiesRetainedForSeccomp(true, true), 0u);
  EXPECT_EQ(CapabilitiesRetainedForSeccomp(false, false), 0u);
  Steps steps = RunSteps({.no_new_privileges = false});
  EXPECT_EQ(steps, (Steps{"close-fds", "cpu-affinity", "seccomp", "capset", "execve"}));
  EXPECT_EQ(After(steps, "seccomp"), (Steps{"capset", "execve"}));
}

TEST(FinishAndExecOrder, FdsClosedAndAffinitySetBeforeTheFilter) {
  for (bool nnp : {false, true}) {
    Steps steps = RunSteps({.no_new_privileges = nnp, .notify = true});
    EXPECT_LT(IndexOf(steps, "close-fds"), IndexOf(steps, "seccomp"));
    EXPECT_LT(IndexOf(steps, "cpu-affinity"), IndexOf(steps, "seccomp"));
    EXPECT_EQ(steps.back(), "execve");
  }
}

}  // namespace
}  // namespace berth::process
