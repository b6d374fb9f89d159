// linux.intelRdt through the berth binary. This VM has no resctrl, so the
// tests that need one report skipped; what is checkable here is that create
// errors (config-linux.md: no resctrl mounted is an error) and leaves
// nothing behind.
#include <unistd.h>

#include "gtest/gtest.h"
#include "runtime/intelrdt/resctrl.h"
#include "runtime/tests/harness.h"

namespace berth::testing {
namespace {

class IntelRdtTest : public ContainerTest {};

TEST_F(IntelRdtTest, CreateWithoutResctrlIsAnErrorAndLeavesNothing) {
  if (auto mounted = intelrdt::FindResctrl())
    GTEST_SKIP() << "host has resctrl at " << *mounted << "; this test needs a host without";
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  bundle.config().linux_->intelRdt.emplace().l3CacheSchema = "L3:0=f";
  bundle.Save();
  std::string id = Use("rdt1");
  CommandResult r = B({"create", "--bundle", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("linux.intelRdt is set but no resctrl filesystem is mounted"), std::string::npos)
      << r.err;
  ExpectNothingLeft(id, bundle);
}

TEST_F(IntelRdtTest, NewlineInASchemaIsRejectedBeforeResctrlIsLookedAt) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  bundle.config().linux_->intelRdt.emplace().l3CacheSchema = "L3:0=f\nMB:0=10";
  bundle.Save();
  std::string id = Use("rdt2");
  CommandResult r = B({"create", "--bundle", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("linux.intelRdt.l3CacheSchema: must not contain newlines"), std::string::npos)
      << r.err;
  ExpectNothingLeft(id, bundle);
}

TEST_F(IntelRdtTest, ContainerGroupJoinedAtCreateAndRemovedAtDelete) {
  auto resctrl = intelrdt::FindResctrl();
  if (!resctrl)
    GTEST_SKIP() << "host has no resctrl filesystem (no Intel RDT / AMD QoS here): "
                 << resctrl.error().ToString();
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  bundle.config().linux_->intelRdt.emplace();  // no closID: a group named for the container
  bundle.Save();
  std::string id = Use("rdt3");
  CommandResult r = B({"create", "--bundle", bundle.dir(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string tasks = ReadFileOrEmpty(*resctrl + "/" + id + "/tasks");
  EXPECT_FALSE(tasks.empty()) << "the init is not in " << *resctrl << "/" << id;
  ASSERT_EQ(B({"delete", "--force", id}).exit_code, 0);
  EXPECT_FALSE(PathExists(*resctrl + "/" + id)) << "the container's resctrl group is left behind";
  ExpectNothingLeft(id, bundle);
}

}  // namespace
}  // namespace berth::testing
