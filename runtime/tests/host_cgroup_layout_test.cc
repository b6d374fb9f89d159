// Hosts whose cgroup hierarchies are not all mounted where berth looks:
// /proc/self/cgroup lists every v1 hierarchy of the kernel, including ones
// mounted only in another mount namespace (a systemd in a container mounts
// the controllers it finds unmounted). The container's cgroup mount must be
// made from what the runtime has mounted, not from that list.
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"

namespace berth::testing {
namespace {

// In a forked child with a private mount namespace: mount a named v1
// hierarchy at a temp dir (not under /sys/fs/cgroup), run `berth run` of the
// default bundle (its mounts include a cgroup mount), report berth's exit
// code. The hierarchy dies with the child's mount namespace.
int RunWithHierarchyMountedElsewhere(const std::string& root, const std::string& bundle,
                                     const std::string& id, std::string* err) {
  int pipefd[2];
  if (pipe(pipefd) != 0) return -1;
  pid_t pid = fork();
  if (pid == 0) {
    close(pipefd[0]);
    auto fail = [&](const char* what) {
      std::string text = std::string(what) + ": " + strerror(errno);
      (void)!write(pipefd[1], text.data(), text.size());
      _exit(200);
    };
    if (unshare(CLONE_NEWNS) != 0) fail("unshare(CLONE_NEWNS)");
    if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) fail("make / private");
    char dir[] = "/tmp/berth-ghost-hierarchy-XXXXXX";
    if (!mkdtemp(dir)) fail("mkdtemp");
    std::string name = "name=berth-ghost-" + std::to_string(getpid());
    std::string opts = "none," + name;
    if (mount("cgroup", dir, "cgroup", 0, opts.c_str()) != 0) fail("mount named hierarchy");
    CommandResult r = Berth(root, {"run", "-b", bundle, id});
    (void)!write(pipefd[1], r.err.data(), r.err.size());
    umount2(dir, MNT_DETACH);
    rmdir(dir);
    _exit(r.exit_code);
  }
  close(pipefd[1]);
  char buf[4096];
  ssize_t n;
  while ((n = read(pipefd[0], buf, sizeof buf)) > 0) err->append(buf, n);
  close(pipefd[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

class HostCgroupLayoutTest : public ContainerTest {};

TEST_F(HostCgroupLayoutTest, HierarchyNotMountedUnderSysFsCgroupIsLeftOutOfTheCgroupMount) {
  Bundle bundle;
  // The cgroup mount of the default template (/sys/fs/cgroup, type cgroup)
  // is made in the init; listing it proves the container saw a usable tree.
  bundle.SetArgs({"sh", "-c", "ls /sys/fs/cgroup/ && test -d /sys/fs/cgroup/pids"});
  std::string id = Use("ghost-" + std::to_string(getpid()));
  std::string err;
  int code = RunWithHierarchyMountedElsewhere(root_, bundle.dir(), id, &err);
  EXPECT_EQ(code, 0) << err;
  EXPECT_EQ(err.find("berth-ghost"), std::string::npos) << err;
  B({"delete", "--force", id});
  EXPECT_FALSE(CgroupDirExists(id)) << "cgroup left behind";
}

}  // namespace
}  // namespace berth::testing
