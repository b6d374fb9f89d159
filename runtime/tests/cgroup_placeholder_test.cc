// Issue 9 item 5: cgroup v1 hierarchies are found by filesystem, not by
// name. systemd leaves directories named like controllers under the
// /sys/fs/cgroup tmpfs that are no mounts; berth must neither fail on them
// (EROFS when the tmpfs is read-only) nor leave directories in them (when it
// is writable). The host's /sys/fs/cgroup is never touched: berth runs in a
// private mount namespace (unshare -m) where a new tmpfs holds bind mounts
// of the real hierarchies plus placeholder directories. Needs root; exclusive.
#include <unistd.h>

#include <algorithm>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"

namespace berth::testing {
namespace {

class CgroupPlaceholderTest : public ContainerTest {
 protected:
  void SetUp() override {
    if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "needs unshare (util-linux)";
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    Use(kId);
  }

  // Runs create, start, state and delete --force in a mount namespace whose
  // /sys/fs/cgroup is a tmpfs (read-only when `readonly`) with the host's
  // hierarchies bound in and placeholder directories "hugetlb" and
  // "net_cls" (controllers not mounted there), and without `unbound` at all.
  // Prints "placeholder: <entries>"
  // after create, so a directory berth made in it shows.
  CommandResult RunWithPlaceholders(const Bundle& bundle, bool readonly, const std::string& unbound = "") {
    std::string berth = BerthPath() + " --root " + root_;
    std::string script =
        "set -e\n"
        "stage=$(mktemp -d)\n"
        "mount -t tmpfs berth-placeholder-test \"$stage\"\n"
        "for h in /sys/fs/cgroup/*; do n=${h##*/}; [ \"$n\" != \"" +
        unbound +
        "\" ] || continue; mkdir \"$stage/$n\"; mount --bind \"$h\" \"$stage/$n\"; done\n"
        "for p in hugetlb net_cls; do [ -e \"$stage/$p\" ] || mkdir \"$stage/$p\"; done\n" +
        std::string(readonly ? "mount -o remount,ro,bind \"$stage\"\n" : "") +
        "mount --move \"$stage\" /sys/fs/cgroup\n"
        "rmdir \"$stage\"\n" +
        berth + " create --bundle " + bundle.dir() + " " + kId + "\n" +
        "echo \"placeholder: $(find /sys/fs/cgroup/hugetlb /sys/fs/cgroup/net_cls -mindepth 1 | tr '\\n' ' ')\"\n" +
        berth + " start " + kId + "\n" + berth + " state " + kId + "\n" + berth + " delete --force " + kId +
        "\n";
    return RunProgram({"/usr/bin/unshare", "-m", "--propagation", "private", "/bin/sh", "-c", script});
  }

  // The bundle without the container's own /sys/fs/cgroup mount: this test
  // is about the runtime's cgroup, not the container's view of cgroupfs.
  static void DropCgroupMount(Bundle& bundle) {
    auto& mounts = bundle.config().mounts;
    mounts.erase(std::remove_if(mounts.begin(), mounts.end(),
                                [](const spec::Mount& m) { return m.destination == "/sys/fs/cgroup"; }),
                 mounts.end());
    bundle.config().process->args = {"sleep", "100"};
    bundle.Save();
  }

  static constexpr char kId[] = "placeholder1";
};

TEST_F(CgroupPlaceholderTest, ReadOnlyPlaceholderDirectoriesAreNotHierarchies) {
  Bundle bundle;
  DropCgroupMount(bundle);
  CommandResult r = RunWithPlaceholders(bundle, true);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"status\": \"running\""), std::string::npos) << r.out << r.err;
  EXPECT_EQ(r.err.find("Read-only file system"), std::string::npos) << r.err;
  EXPECT_FALSE(PathExists(root_ + std::string("/") + kId));
  EXPECT_FALSE(CgroupDirExists(kId));
}

TEST_F(CgroupPlaceholderTest, WritablePlaceholderDirectoriesGetNoJunk) {
  Bundle bundle;
  DropCgroupMount(bundle);
  CommandResult r = RunWithPlaceholders(bundle, false);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("placeholder: \n"), std::string::npos) << "berth made directories in a placeholder:\n"
                                                              << r.out << r.err;
  EXPECT_FALSE(PathExists(root_ + std::string("/") + kId));
  EXPECT_FALSE(CgroupDirExists(kId));
}

// The kernel lists a hierarchy in /proc/self/cgroup that is not mounted at
// /sys/fs/cgroup/<name> (here "pids" is left out; on this VM hugetlb, whose
// v1 hierarchy lingers unmounted): neither the runtime's cgroup nor the
// container's own /sys/fs/cgroup mount may use it.
TEST_F(CgroupPlaceholderTest, HierarchyTheKernelListsButTheHostDoesNotMountIsSkipped) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});  // keeps the container's /sys/fs/cgroup mount
  CommandResult r = RunWithPlaceholders(bundle, true, "pids");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("\"status\": \"running\""), std::string::npos) << r.out << r.err;
  EXPECT_FALSE(PathExists(root_ + std::string("/") + kId));
  EXPECT_FALSE(CgroupDirExists(kId));
}

}  // namespace
}  // namespace berth::testing
