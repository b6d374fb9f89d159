// The order of the container init's steps up to "created" (PrepareInit),
// recorded with a fake of the steps (testing/recording_init_steps.h): the
// rules of init_steps.h, asserted without a kernel.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/container/init_steps.h"
#include "runtime/container/testing/recording_init_steps.h"

namespace berth::container {
namespace {

using Steps = std::vector<std::string>;

Steps RecordSteps(const InitPlan& plan, bool rootfs_needs_cgroup = false) {
  testing::RecordingInitSteps steps;
  steps.rootfs_needs_cgroup = rootfs_needs_cgroup;
  auto prepared = PrepareInit(plan, steps);
  EXPECT_TRUE(prepared.ok()) << prepared.error().ToString();
  if (prepared.ok()) {
    EXPECT_EQ(prepared->executable, "/bin/true");
    EXPECT_EQ(prepared->state_json, "{\"ociVersion\":\"1.3.0\"}");
  }
  return steps.steps;
}

size_t IndexOf(const Steps& steps, const std::string& step) {
  auto at = std::find(steps.begin(), steps.end(), step);
  EXPECT_NE(at, steps.end()) << step << " was not taken";
  return static_cast<size_t>(at - steps.begin());
}

size_t Count(const Steps& steps, const std::string& step) {
  return static_cast<size_t>(std::count(steps.begin(), steps.end(), step));
}

// `before` is taken, and before `after`.
#define EXPECT_BEFORE(steps, before, after) \
  EXPECT_LT(IndexOf(steps, before), IndexOf(steps, after)) << ::testing::PrintToString(steps)

InitPlan NewUserAndCgroupNamespaces() {
  InitPlan plan;
  plan.new_user_ns = true;
  plan.new_cgroup_ns = true;
  plan.terminal = true;
  return plan;
}

// A new cgroup namespace is rooted at the cgroup the init is in when it
// unshares it: the parent's kInCgroup must come first.
TEST(InitOrder, CgroupJoinedBeforeTheCgroupNamespaceIsUnshared) {
  Steps steps = RecordSteps(NewUserAndCgroupNamespaces());
  EXPECT_BEFORE(steps, "await-cgroup", "unshare-late");
  EXPECT_EQ(Count(steps, "await-cgroup"), 1u);
}

// Without a new cgroup namespace the wait goes where the rootfs needs it,
// or at the latest before kRootfsReady; it is waited for once.
TEST(InitOrder, CgroupWaitedForOnceBeforeRootfsReady) {
  InitPlan plan;
  Steps late = RecordSteps(plan);
  EXPECT_BEFORE(late, "prepare-rootfs", "await-cgroup");
  EXPECT_BEFORE(late, "await-cgroup", "report-rootfs-ready");
  EXPECT_EQ(Count(late, "await-cgroup"), 1u);

  Steps in_rootfs = RecordSteps(plan, /*rootfs_needs_cgroup=*/true);
  EXPECT_BEFORE(in_rootfs, "prepare-rootfs", "await-cgroup");
  EXPECT_BEFORE(in_rootfs, "await-cgroup", "report-rootfs-ready");
  EXPECT_EQ(Count(in_rootfs, "await-cgroup"), 1u);

  Steps cgroup_ns = RecordSteps(NewUserAndCgroupNamespaces(), /*rootfs_needs_cgroup=*/true);
  EXPECT_EQ(Count(cgroup_ns, "await-cgroup"), 1u);
}

// The parent writes the id maps; only then may the init become root of the
// new user namespace, and the user change of process.user comes after.
TEST(InitOrder, IdMapsBeforeAnyUserChange) {
  Steps steps = RecordSteps(NewUserAndCgroupNamespaces());
  EXPECT_BEFORE(steps, "join-namespaces", "await-setup-done");
  EXPECT_BEFORE(steps, "await-setup-done", "become-root");
  EXPECT_BEFORE(steps, "become-root", "set-user");
  // PR_SET_DUMPABLE 0 before the maps would make them unwritable.
  EXPECT_BEFORE(steps, "await-setup-done", "non-dumpable");
}

TEST(InitOrder, StagedEntryUnsharesThenWaitsForTheMapsThenForks) {
  InitPlan plan = NewUserAndCgroupNamespaces();
  plan.staged = true;
  plan.unshare_when_staged = true;
  Steps steps = RecordSteps(plan);
  Steps entry(steps.begin(), steps.begin() + std::min<std::ptrdiff_t>(6, std::ssize(steps)));
  EXPECT_EQ(entry, (Steps{"join-namespaces", "unshare-staged", "report-unshared", "await-mappings",
                          "become-root", "fork-init"}));
  EXPECT_BEFORE(steps, "fork-init", "await-setup-done");
  EXPECT_BEFORE(steps, "await-cgroup", "unshare-late");
}

// pivot_root first, then what acts on the container's view: sysctl,
// hostname, console, process attributes; createContainer hooks run before
// it, in the runtime's namespace view of the host paths.
TEST(InitOrder, PivotRootBeforeTheProcessAttributes) {
  Steps steps = RecordSteps(NewUserAndCgroupNamespaces());
  EXPECT_BEFORE(steps, "report-rootfs-ready", "await-hooks-done");
  EXPECT_BEFORE(steps, "await-hooks-done", "create-container-hooks");
  EXPECT_BEFORE(steps, "create-container-hooks", "enter-rootfs");
  EXPECT_BEFORE(steps, "enter-rootfs", "sysctl");
  EXPECT_BEFORE(steps, "enter-rootfs", "hostname");
  EXPECT_BEFORE(steps, "enter-rootfs", "console");
  EXPECT_BEFORE(steps, "enter-rootfs", "process-attributes");
}

// Raising a limit or the scheduler class needs the privileges the user
// change drops; capabilities follow the user (setuid clears them), the LSM
// labels and cwd come as that user, LookPath last.
TEST(InitOrder, ProcessAttributesThenUserThenCapabilitiesThenCwd) {
  Steps steps = RecordSteps(NewUserAndCgroupNamespaces());
  Steps tail(steps.end() - std::min<std::ptrdiff_t>(6, std::ssize(steps)), steps.end());
  EXPECT_EQ(tail, (Steps{"process-attributes", "set-user", "capabilities", "lsm", "chdir", "look-path"}));
}

TEST(InitOrder, OptionalStepsFollowThePlan) {
  InitPlan plan;
  plan.new_session_keyring = false;
  Steps steps = RecordSteps(plan);
  EXPECT_EQ(Count(steps, "become-root"), 0u);
  EXPECT_EQ(Count(steps, "session-keyring"), 0u);
  EXPECT_EQ(Count(steps, "console"), 0u);
  EXPECT_EQ(Count(steps, "fork-init"), 0u);
  EXPECT_EQ(Count(steps, "join-namespaces"), 1u);

  plan.staged = true;  // staged, joining only: nothing to unshare
  steps = RecordSteps(plan);
  EXPECT_EQ(Count(steps, "unshare-staged"), 0u);
  EXPECT_EQ(Count(steps, "fork-init"), 1u);
}

// The first failure ends the sequence: nothing after it runs.
TEST(InitOrder, StopsAtTheFirstFailure) {
  testing::RecordingInitSteps steps;
  steps.fail_at = "enter-rootfs";
  auto prepared = PrepareInit(NewUserAndCgroupNamespaces(), steps);
  ASSERT_FALSE(prepared.ok());
  EXPECT_EQ(prepared.error().code(), EIO);
  EXPECT_EQ(steps.steps.back(), "enter-rootfs");
}

}  // namespace
}  // namespace berth::container
