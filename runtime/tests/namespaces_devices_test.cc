// Integration tests for configs berth did not write (issue 8, failures 2 and
// 3): every namespace type omitted on its own is inherited from the runtime
// (config-linux.md "Namespaces"), a container without a mount namespace
// touches no mount table, and the default devices are supplied whether or not
// /dev is a tmpfs (config-linux.md "Default Devices"), never through a
// symlink out of the rootfs.
//
// The test process moves into a private mount namespace of its own first:
// berth inherits it, so "the host's mount table" the tests compare is one no
// other process changes, and nothing a failing test mounts reaches the host.
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"
#include "spec/state.h"

namespace berth::testing {
namespace {

using spec::NamespaceType;

constexpr NamespaceType kAllTypes[] = {NamespaceType::mount,   NamespaceType::uts, NamespaceType::ipc,
                                       NamespaceType::network, NamespaceType::pid, NamespaceType::user,
                                       NamespaceType::cgroup,  NamespaceType::time};

// The /proc/PID/ns/<name> file of a type.
const char* ProcNsName(NamespaceType type) {
  switch (type) {
    case NamespaceType::mount: return "mnt";
    case NamespaceType::uts: return "uts";
    case NamespaceType::ipc: return "ipc";
    case NamespaceType::network: return "net";
    case NamespaceType::pid: return "pid";
    case NamespaceType::user: return "user";
    case NamespaceType::cgroup: return "cgroup";
    case NamespaceType::time: return "time";
  }
  return "";
}

struct DefaultDevice {
  const char* path;
  unsigned major, minor;
};
constexpr DefaultDevice kDefaultDevices[] = {{"/dev/null", 1, 3},    {"/dev/zero", 1, 5},
                                             {"/dev/full", 1, 7},    {"/dev/random", 1, 8},
                                             {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};

// What `stat -c "%n %F %t:%T %a"` prints for each default device, as the
// container must see it (busybox prints the numbers in hex).
std::string ExpectedDeviceLines() {
  std::ostringstream out;
  for (const auto& d : kDefaultDevices)
    out << d.path << " character special file " << std::hex << d.major << ":" << d.minor << std::dec
        << " 666\n";
  return out.str();
}

std::vector<std::string> StatDefaultDevicesArgs() {
  std::string cmd = "stat -c '%n %F %t:%T %a'";
  for (const auto& d : kDefaultDevices) cmd += std::string(" ") + d.path;
  return {"sh", "-c", cmd + " && readlink /dev/ptmx"};
}

std::string Mountinfo() { return ReadFileOrEmpty("/proc/self/mountinfo"); }

// Mount ids and points only (fields 1 and 5 of each line) of the mounts in
// `now` that `before` did not have. Only new mounts count: others' mounts
// may go away meanwhile (a host directory removed under a mount detaches
// the copy in this namespace too).
std::string NewMounts(const std::string& before, const std::string& now) {
  auto points = [](const std::string& mountinfo) {
    std::set<std::string> out;
    std::istringstream in(mountinfo);
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string id, parent, devno, root, point;
      fields >> id >> parent >> devno >> root >> point;
      out.insert(id + " " + point);
    }
    return out;
  };
  std::set<std::string> old_points = points(before);
  std::string added;
  for (const auto& p : points(now))
    if (!old_points.count(p)) added += p + "\n";
  return added;
}

class NamespacesDevicesTest : public ContainerTest {
 protected:
  static void SetUpTestSuite() {
    if (!IsRoot()) return;
    // Single-threaded here (gtest_main starts no threads), so unshare works.
    private_ns_ =
        unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
  }
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    ASSERT_TRUE(private_ns_) << "could not make a private mount namespace for the test";
  }
  // ExpectNothingLeft, comparing the mount table with one read before.
  void ExpectNothingLeft(const std::string& id, const Bundle& bundle, const std::string& mounts_before) {
    ExpectNoStateDirCgroupOrProcess(id, bundle);
    EXPECT_EQ(NewMounts(mounts_before, Mountinfo()), "") << "mounts left behind";
  }

  static inline bool private_ns_ = false;
};

// Without a mount namespace only what needs no mount is allowed.
void UseNoMounts(spec::Config& config) {
  config.mounts.clear();
  config.linux_->maskedPaths.clear();
  config.linux_->readonlyPaths.clear();
  config.linux_->rootfsPropagation.clear();
  config.root->readonly = false;
}

// Every type listed except `omitted`. With a user namespace: identity maps
// (the busybox rootfs stays root's) and only a tmpfs on /dev, the one mount
// every combination allows (proc needs the pid namespace, sysfs the network
// namespace, mqueue the ipc namespace owned by the user namespace).
void ListAllBut(spec::Config& config, NamespaceType omitted) {
  auto& linux_config = *config.linux_;
  linux_config.namespaces.clear();
  for (NamespaceType t : kAllTypes)
    if (t != omitted) linux_config.namespaces.push_back({t, ""});
  if (omitted != NamespaceType::user) {
    linux_config.uidMappings = {{0, 0, 65536}};
    linux_config.gidMappings = {{0, 0, 65536}};
  }
  linux_config.resources.reset();
  UseNoMounts(config);
  if (omitted != NamespaceType::mount)
    config.mounts = {{"/dev", "tmpfs", "tmpfs", {"nosuid", "mode=755"}, {}, {}}};
  if (omitted == NamespaceType::uts) config.hostname.clear();
}

// The runtime's mount and user namespaces, new ones of the other six.
void ListAllButMountAndUser(spec::Config& config) {
  ListAllBut(config, NamespaceType::mount);
  std::erase_if(config.linux_->namespaces,
                [](const spec::Namespace& n) { return n.type == NamespaceType::user; });
  config.linux_->uidMappings.clear();
  config.linux_->gidMappings.clear();
}

// A user namespace without a mount namespace can neither mknod nor bind: the
// image must carry the default devices. Made here as the host's root.
void MakeDefaultDevicesInImage(const Bundle& bundle) {
  mkdir((bundle.rootfs() + "/dev").c_str(), 0755);
  for (const auto& d : kDefaultDevices) {
    std::string path = bundle.rootfs() + d.path;
    ASSERT_EQ(mknod(path.c_str(), S_IFCHR | 0666, makedev(d.major, d.minor)), 0) << path;
    ASSERT_EQ(chmod(path.c_str(), 0666), 0);
  }
}

class InheritedNamespaceTest : public NamespacesDevicesTest,
                               public ::testing::WithParamInterface<NamespaceType> {};

TEST_P(InheritedNamespaceTest, OmittedTypeIsTheRuntimesAndTheOthersAreNew) {
  const NamespaceType omitted = GetParam();
  Bundle bundle;
  ListAllBut(bundle.config(), omitted);
  if (omitted == NamespaceType::mount) MakeDefaultDevicesInImage(bundle);
  WriteFile(bundle.rootfs() + "/marker", "inside\n");
  const std::string mounts_before = Mountinfo();

  bundle.SetArgs({"true"});
  std::string run_id = Use("inherit-run");
  CommandResult ran = B({"run", "-b", bundle.dir(), run_id});
  EXPECT_EQ(ran.exit_code, 0) << ran.err;
  ExpectNothingLeft(run_id, bundle, mounts_before);

  bundle.SetArgs({"sleep", "100"});
  std::string id = Use("inherit");
  CommandResult created = B({"create", "-b", bundle.dir(), id});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(B({"start", id}).exit_code, 0);
  pid_t pid = InitPid(id);
  ASSERT_GT(pid, 0);
  for (NamespaceType t : kAllTypes) {
    struct stat theirs, ours;
    std::string name = ProcNsName(t);
    ASSERT_EQ(stat(("/proc/" + std::to_string(pid) + "/ns/" + name).c_str(), &theirs), 0) << name;
    ASSERT_EQ(stat(("/proc/self/ns/" + name).c_str(), &ours), 0) << name;
    if (t == omitted) {
      EXPECT_EQ(theirs.st_ino, ours.st_ino) << name << " must be inherited from the runtime";
    } else {
      EXPECT_NE(theirs.st_ino, ours.st_ino) << name << " must be the container's own";
    }
  }
  // The process's root is the rootfs, also for exec (which, without a mount
  // namespace to join, must chroot like the init).
  CommandResult exec = B({"exec", id, "cat", "/marker"});
  EXPECT_EQ(exec.exit_code, 0) << exec.err;
  EXPECT_EQ(exec.out, "inside\n");
  if (omitted == NamespaceType::mount) {
    EXPECT_EQ(NewMounts(mounts_before, Mountinfo()), "") << "running: mounted in the runtime's namespace";
  }
  ASSERT_EQ(B({"delete", "--force", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle, mounts_before);
}

INSTANTIATE_TEST_SUITE_P(EachType, InheritedNamespaceTest, ::testing::ValuesIn(kAllTypes),
                         [](const auto& info) { return std::string(ProcNsName(info.param)); });

// The default config (no user namespace) minus the mount namespace.
TEST_F(NamespacesDevicesTest, WithoutMountNamespaceTheProcessIsChrootedWithDefaultDevices) {
  Bundle bundle;
  ListAllButMountAndUser(bundle.config());
  bundle.SetArgs(StatDefaultDevicesArgs());
  const std::string mounts_before = Mountinfo();
  std::string id = Use("nomnt-devices");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ExpectedDeviceLines() + "pts/ptmx\n");
  ExpectNothingLeft(id, bundle, mounts_before);
}

// The fifo reopen needs the host's /proc/self/fd only when the root has no
// procfs; otherwise the waiting init holds no host directory (CVE-2016-9962).
TEST_F(NamespacesDevicesTest, CreatedInitWithProcHoldsNoDirectoryFd) {
  Bundle bundle;
  std::erase_if(bundle.config().mounts,
                [](const spec::Mount& m) { return m.destination == "/sys/fs/cgroup"; });
  bundle.SetArgs({"true"});
  std::string id = Use("no-dir-fd");
  CommandResult created = B({"create", "-b", bundle.dir(), id});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  pid_t pid = InitPid(id);
  ASSERT_GT(pid, 0);
  std::string fd_dir = "/proc/" + std::to_string(pid) + "/fd";
  CommandResult listing = RunProgram({"/bin/ls", fd_dir});
  std::istringstream fds(listing.out);
  int checked = 0;
  for (std::string fd; std::getline(fds, fd);) {
    struct stat st;
    if (stat((fd_dir + "/" + fd).c_str(), &st) != 0) continue;
    ++checked;
    EXPECT_FALSE(S_ISDIR(st.st_mode)) << "the created init holds a directory at fd " << fd;
  }
  EXPECT_GT(checked, 0);
  ASSERT_EQ(B({"delete", "--force", id}).exit_code, 0);
}

// berth itself in a user namespace (rootless podman runs it so) with a
// config that makes none: mknod is refused (EPERM), so the devices are
// bind mounts of the host's nodes, as runc does. Before, create failed with
// "mknod /dev/null: Operation not permitted".
TEST_F(NamespacesDevicesTest, RuntimeInAUserNamespaceBindsTheDevicesMknodCannotMake) {
  if (access("/usr/bin/unshare", X_OK) != 0) GTEST_SKIP() << "needs unshare (util-linux)";
  Bundle bundle;
  // Only uid and gid 0 are mapped: devpts' gid=5 would be refused.
  for (auto& m : bundle.config().mounts) std::erase(m.options, std::string("gid=5"));
  bundle.SetArgs(
      {"sh", "-c",
       "ls -ln /dev/null /dev/zero /dev/urandom && echo x > /dev/null && head -c 4 /dev/zero | wc -c"});
  std::string id = Use("userns-runtime");
  std::string before = Mountinfo();
  CommandResult r = RunProgram({"/usr/bin/unshare", "--user", "--map-root-user", BerthPath(), "--root", root_,
                                "run", "-b", bundle.dir(), id});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1,   3"), std::string::npos) << r.out;  // /dev/null, a character device
  EXPECT_NE(r.out.find("1,   5"), std::string::npos) << r.out;  // /dev/zero
  EXPECT_NE(r.out.find("\n4\n"), std::string::npos) << r.out;
  ExpectNothingLeft(id, bundle, before);
}

struct Refusal {
  const char* name;
  void (*apply)(spec::Config&);
  const char* field;
};

const Refusal kRefusals[] = {
    {"mounts",
     [](spec::Config& c) {
       c.mounts = {{"/tmp", "tmpfs", "tmpfs", {}, {}, {}}};
     },
     "mounts (/tmp)"},
    {"maskedPaths", [](spec::Config& c) { c.linux_->maskedPaths = {"/etc"}; }, "linux.maskedPaths"},
    {"readonlyPaths", [](spec::Config& c) { c.linux_->readonlyPaths = {"/etc"}; }, "linux.readonlyPaths"},
    {"rootReadonly", [](spec::Config& c) { c.root->readonly = true; }, "root.readonly"},
    {"rootfsPropagation", [](spec::Config& c) { c.linux_->rootfsPropagation = "private"; },
     "linux.rootfsPropagation"},
};

class RefusedWithoutMountNamespaceTest : public NamespacesDevicesTest,
                                         public ::testing::WithParamInterface<Refusal> {};

TEST_P(RefusedWithoutMountNamespaceTest, IsRefusedClearlyAndLeavesNothing) {
  Bundle bundle;
  ListAllButMountAndUser(bundle.config());
  GetParam().apply(bundle.config());
  bundle.SetArgs({"true"});
  const std::string mounts_before = Mountinfo();
  std::string id = Use("nomnt-refused");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(std::string(GetParam().field) + " needs a mount namespace"), std::string::npos)
      << r.err;
  ExpectNothingLeft(id, bundle, mounts_before);
  EXPECT_FALSE(PathExists(bundle.rootfs() + "/dev/null")) << "refused, yet the rootfs was changed";
}

INSTANTIATE_TEST_SUITE_P(EachField, RefusedWithoutMountNamespaceTest, ::testing::ValuesIn(kRefusals),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(NamespacesDevicesTest, UserNamespaceWithoutMountNamespaceNeedsTheDevicesInTheImage) {
  Bundle bundle;
  ListAllBut(bundle.config(), NamespaceType::mount);
  bundle.SetArgs({"true"});
  const std::string mounts_before = Mountinfo();
  std::string id = Use("nomnt-userns");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("/dev/null must be in the rootfs"), std::string::npos) << r.err;
  ExpectNothingLeft(id, bundle, mounts_before);
}

// --- Default devices without a /dev mount -------------------------------

enum class DevLayout { kNoDevDir, kEmptyDevDir, kDevSymlinkOut, kHostileNodes };

struct DevCase {
  const char* name;
  DevLayout layout;
  bool user_ns;
};

const DevCase kDevCases[] = {
    {"NoDevDir", DevLayout::kNoDevDir, false},
    {"EmptyDevDir", DevLayout::kEmptyDevDir, false},
    {"DevSymlinkToHostTmp", DevLayout::kDevSymlinkOut, false},
    {"HostileNodesInImage", DevLayout::kHostileNodes, false},
    {"NoDevDirUserns", DevLayout::kNoDevDir, true},
    {"EmptyDevDirUserns", DevLayout::kEmptyDevDir, true},
    {"DevSymlinkToHostTmpUserns", DevLayout::kDevSymlinkOut, true},
    {"HostileNodesInImageUserns", DevLayout::kHostileNodes, true},
};

class DefaultDevicesTest : public NamespacesDevicesTest, public ::testing::WithParamInterface<DevCase> {};

TEST_P(DefaultDevicesTest, ProcessSeesThemAndNothingOutsideTheRootfsIsTouched) {
  const DevCase& c = GetParam();
  Bundle bundle;
  spec::Config& config = bundle.config();
  // A mount namespace with /proc but nothing on /dev.
  std::erase_if(config.mounts, [](const spec::Mount& m) { return m.destination.starts_with("/dev"); });
  // Not the point here, and it depends on the host's cgroup layout.
  std::erase_if(config.mounts, [](const spec::Mount& m) { return m.destination == "/sys/fs/cgroup"; });
  if (c.user_ns) {
    config.linux_->namespaces.push_back({NamespaceType::user, ""});
    config.linux_->uidMappings = {{0, 0, 65536}};
    config.linux_->gidMappings = {{0, 0, 65536}};
    // sysfs needs a network namespace this user namespace owns: keep it simple.
    std::erase_if(config.mounts, [](const spec::Mount& m) { return m.destination.starts_with("/sys"); });
  }

  char host_tmpl[] = "/tmp/berth-hostdev-XXXXXX";
  std::string host_dir = mkdtemp(host_tmpl);
  std::string host_file = host_dir + "/precious";
  WriteFile(host_file, "host data\n");
  std::string dev = bundle.rootfs() + "/dev";
  RunProgram({"/bin/rm", "-rf", dev});
  switch (c.layout) {
    case DevLayout::kNoDevDir: break;
    case DevLayout::kEmptyDevDir: mkdir(dev.c_str(), 0755); break;
    case DevLayout::kDevSymlinkOut: ASSERT_EQ(symlink(host_dir.c_str(), dev.c_str()), 0); break;
    case DevLayout::kHostileNodes:
      // /dev/null a symlink to a host file, /dev/zero a regular file,
      // /dev/tty the wrong device, /dev/ptmx a symlink to the host's.
      mkdir(dev.c_str(), 0755);
      ASSERT_EQ(symlink(host_file.c_str(), (dev + "/null").c_str()), 0);
      WriteFile(dev + "/zero", "not a device\n");
      ASSERT_EQ(mknod((dev + "/tty").c_str(), S_IFCHR | 0600, makedev(1, 3)), 0);
      ASSERT_EQ(symlink("/dev/ptmx", (dev + "/ptmx").c_str()), 0);
      break;
  }
  bundle.SetArgs(StatDefaultDevicesArgs());
  const std::string mounts_before = Mountinfo();
  std::string id = Use("devices");
  CommandResult r = B({"run", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, ExpectedDeviceLines() + "pts/ptmx\n");
  ExpectNothingLeft(id, bundle, mounts_before);

  // Nothing was created, followed or written outside the rootfs.
  EXPECT_EQ(ReadFileOrEmpty(host_file), "host data\n");
  CommandResult listing = RunProgram({"/bin/ls", "-A", host_dir});
  EXPECT_EQ(listing.out, "precious\n") << "created outside the rootfs";
  struct stat st;
  EXPECT_EQ(lstat(host_file.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  RunProgram({"/bin/rm", "-rf", host_dir});
}

INSTANTIATE_TEST_SUITE_P(Layouts, DefaultDevicesTest, ::testing::ValuesIn(kDevCases),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace berth::testing
