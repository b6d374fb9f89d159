// /dev and EnterRootfs for real: devices, pivot_root, masked and read-only paths, root propagation,
// user namespaces. Needs root.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cctype>

#include "runtime/rootfs/rootfs_test_fixture.h"

namespace berth::rootfs {
namespace {

using testing::FindMount;
using testing::HasOption;
using testing::ReadFile;
using testing::RunInChild;

TEST_F(RootfsTest, DevHasDefaultDevicesAndSymlinks) {
  config_.mounts = DefaultMounts();
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  fuse.fileMode = 0640;
  fuse.uid = 1234;
  fuse.gid = 5678;
  spec::Device fifo;
  fifo.type = "p";
  fifo.path = "/dev/sub/fifo";
  config_.linux_->devices = {fuse, fifo};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    struct Want {
      const char* name;
      unsigned major, minor;
    } want[] = {{"null", 1, 3},   {"zero", 1, 5},    {"full", 1, 7},
                {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
    for (const auto& w : want) {
      struct stat st;
      std::string p = rootfs_ + "/dev/" + w.name;
      CHILD_CHECK(lstat(p.c_str(), &st) == 0);
      CHILD_CHECK(S_ISCHR(st.st_mode));
      CHILD_CHECK(major(st.st_rdev) == w.major && minor(st.st_rdev) == w.minor);
      CHILD_CHECK((st.st_mode & 07777) == 0666);
      CHILD_CHECK(st.st_uid == 0 && st.st_gid == 0);
    }
    struct stat st;
    CHILD_CHECK(lstat((rootfs_ + "/dev/fuse").c_str(), &st) == 0);
    CHILD_CHECK(S_ISCHR(st.st_mode));
    CHILD_CHECK(major(st.st_rdev) == 10 && minor(st.st_rdev) == 229);
    CHILD_CHECK((st.st_mode & 07777) == 0640);
    CHILD_CHECK(st.st_uid == 1234 && st.st_gid == 5678);
    CHILD_CHECK(lstat((rootfs_ + "/dev/sub/fifo").c_str(), &st) == 0);
    CHILD_CHECK(S_ISFIFO(st.st_mode));
    CHILD_CHECK(fs::read_symlink(rootfs_ + "/dev/fd") == "/proc/self/fd");
    CHILD_CHECK(fs::read_symlink(rootfs_ + "/dev/stdin") == "/proc/self/fd/0");
    CHILD_CHECK(fs::read_symlink(rootfs_ + "/dev/stdout") == "/proc/self/fd/1");
    CHILD_CHECK(fs::read_symlink(rootfs_ + "/dev/stderr") == "/proc/self/fd/2");
    CHILD_CHECK(fs::read_symlink(rootfs_ + "/dev/ptmx") == "pts/ptmx");
    return "";
  }));
}

TEST_F(RootfsTest, PivotRootLeavesTheHostUnreachable) {
  config_.mounts = DefaultMounts();
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    char cwd[256];
    CHILD_CHECK(getcwd(cwd, sizeof(cwd)) != nullptr && std::string(cwd) == "/");
    struct stat root, up, busybox;
    CHILD_CHECK(stat("/", &root) == 0 && stat("/../../..", &up) == 0);
    CHILD_CHECK(root.st_ino == up.st_ino && root.st_dev == up.st_dev);
    CHILD_CHECK(stat("/bin/busybox", &busybox) == 0);
    CHILD_CHECK(access(sentinel_dir_.c_str(), F_OK) != 0);
    // Only the container's mounts are left: none under the old root.
    for (const auto& m : testing::AllMounts())
      if (m.mount_point.find(bundle_) != std::string::npos)
        return "host mount still visible: " + m.mount_point;
    auto top = FindMount("/");
    CHILD_CHECK(top.has_value() && top->root.ends_with("/rootfs"));
    return "";
  }));
}

TEST_F(RootfsTest, NoPivotMovesTheRootAndChroots) {
  config_.mounts = {M("/proc", "proc", "proc", {})};
  options_.no_pivot = true;
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    struct stat st;
    CHILD_CHECK(stat("/bin/busybox", &st) == 0);
    CHILD_CHECK(access(sentinel_dir_.c_str(), F_OK) != 0);
    return "";
  }));
}

TEST_F(RootfsTest, MaskedPathsReadEmpty) {
  config_.mounts = DefaultMounts();
  config_.linux_->maskedPaths = {"/proc/kcore",   "/proc/keys", "/proc/timer_list",
                                 "/sys/firmware", "/proc/acpi", "/proc/does-not-exist"};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    CHILD_CHECK(ReadFile("/proc/keys").empty());
    struct stat st;
    CHILD_CHECK(stat("/proc/timer_list", &st) == 0 && S_ISCHR(st.st_mode));
    CHILD_CHECK(major(st.st_rdev) == 1 && minor(st.st_rdev) == 3);
    CHILD_CHECK(fs::is_empty("/sys/firmware"));
    CHILD_CHECK(mkdir("/sys/firmware/x", 0755) != 0 && errno == EROFS);
    return "";
  }));
}

TEST_F(RootfsTest, DevNullSymlinkIsRefusedForMasking) {
  // A /dev bound into the container (which the runtime leaves alone, so it
  // supplies no devices there) has null -> a host file (CVE-2025-31133).
  std::string bound_dev = bundle_ + "/bound-dev";
  fs::create_directories(bound_dev);
  fs::create_symlink(sentinel_dir_ + "/sentinel", bound_dev + "/null");
  fs::create_directories(rootfs_ + "/secret");
  testing::WriteFile(rootfs_ + "/secret-file", "x");
  config_.mounts = {M("/proc", "proc", "proc", {}), M("/dev", "bind", bound_dev, {"rbind"})};
  config_.linux_->maskedPaths = {"/secret-file"};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    Status s = EnterRootfs(config_, options_);
    CHILD_CHECK(!s.ok());
    CHILD_CHECK(s.error().message().find("/dev/null") != std::string::npos);
    CHILD_CHECK(ReadFile("/secret-file") == "x");
    return "";
  }));
  EXPECT_EQ(ReadFile(sentinel_dir_ + "/sentinel"), "host secret");
}

TEST_F(RootfsTest, ImageDevNullSymlinkIsReplacedNotFollowed) {
  // No /dev mount: the image's /dev gets the default devices
  // (config-linux.md "Default Devices"). Its null -> a host file is removed,
  // never followed, and a regular file at zero is replaced too.
  fs::create_directories(rootfs_ + "/dev");
  fs::create_symlink(sentinel_dir_ + "/sentinel", rootfs_ + "/dev/null");
  testing::WriteFile(rootfs_ + "/dev/zero", "not a device");
  testing::WriteFile(rootfs_ + "/secret-file", "x");
  config_.mounts = {M("/proc", "proc", "proc", {})};
  config_.linux_->maskedPaths = {"/secret-file"};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    for (auto [path, minor] : {std::pair{"/dev/null", 3u}, {"/dev/zero", 5u}}) {
      struct stat st;
      CHILD_CHECK(lstat(path, &st) == 0 && S_ISCHR(st.st_mode));
      CHILD_CHECK(major(st.st_rdev) == 1 && minor(st.st_rdev) == minor && (st.st_mode & 07777) == 0666);
    }
    CHILD_CHECK(ReadFile("/secret-file").empty());
    return "";
  }));
  EXPECT_EQ(ReadFile(sentinel_dir_ + "/sentinel"), "host secret");
}

TEST_F(RootfsTest, ImageDefaultDeviceAsItWouldBeMadeIsKept) {
  // The image's /dev may be read-only: a node already right is not remade,
  // one with another mode is.
  fs::create_directories(rootfs_ + "/dev");
  ASSERT_EQ(mknod((rootfs_ + "/dev/null").c_str(), S_IFCHR | 0666, makedev(1, 3)), 0);
  ASSERT_EQ(chmod((rootfs_ + "/dev/null").c_str(), 0666), 0);
  ASSERT_EQ(mknod((rootfs_ + "/dev/zero").c_str(), S_IFCHR | 0600, makedev(1, 5)), 0);
  struct stat null_before, zero_before;
  ASSERT_EQ(lstat((rootfs_ + "/dev/null").c_str(), &null_before), 0);
  ASSERT_EQ(lstat((rootfs_ + "/dev/zero").c_str(), &zero_before), 0);
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    return "";
  }));
  struct stat null_after, zero_after;
  ASSERT_EQ(lstat((rootfs_ + "/dev/null").c_str(), &null_after), 0);
  ASSERT_EQ(lstat((rootfs_ + "/dev/zero").c_str(), &zero_after), 0);
  // The change time tells a node made afresh (its inode number may be reused).
  auto same_ctime = [](const struct stat& a, const struct stat& b) {
    return a.st_ctim.tv_sec == b.st_ctim.tv_sec && a.st_ctim.tv_nsec == b.st_ctim.tv_nsec;
  };
  EXPECT_EQ(null_after.st_ino, null_before.st_ino);
  EXPECT_TRUE(same_ctime(null_after, null_before)) << "the image's right /dev/null was remade";
  EXPECT_FALSE(same_ctime(zero_after, zero_before)) << "the image's 0600 /dev/zero was kept";
  EXPECT_EQ(zero_after.st_mode & 07777, 0666u);
}

TEST_F(RootfsTest, WithoutMountNamespaceChrootsAndMountsNothing) {
  config_.linux_->namespaces.clear();
  fs::create_directories(rootfs_ + "/dev");
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    // The child's own mount namespace stands in for the runtime's.
    int mountinfo = open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC);
    CHILD_CHECK(mountinfo >= 0);
    auto read_all = [&] {
      std::string text;
      char buf[4096];
      ssize_t n;
      for (off_t off = 0; (n = pread(mountinfo, buf, sizeof buf, off)) > 0; off += n) text.append(buf, n);
      return text;
    };
    std::string before = read_all();
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    CHILD_CHECK(read_all() == before);
    struct stat st;
    CHILD_CHECK(stat("/bin/busybox", &st) == 0);
    CHILD_CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3));
    CHILD_CHECK(stat("/host-only", &st) != 0);  // the bundle is outside the root
    close(mountinfo);
    return "";
  }));
}

TEST_F(RootfsTest, WithoutMountNamespaceMountsAreRefused) {
  config_.linux_->namespaces.clear();
  config_.mounts = {M("/proc", "proc", "proc", {})};
  Status s = CheckWithoutMountNamespace(config_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("mounts (/proc) needs a mount namespace"), std::string::npos)
      << s.error().message();
  config_.mounts.clear();
  EXPECT_TRUE(CheckWithoutMountNamespace(config_).ok());
  config_.linux_->maskedPaths = {"/x"};
  EXPECT_FALSE(CheckWithoutMountNamespace(config_).ok());
  config_.linux_->namespaces = {{spec::NamespaceType::mount, ""}};
  EXPECT_TRUE(CheckWithoutMountNamespace(config_).ok());
}

TEST_F(RootfsTest, ReadonlyPathsAreReadOnly) {
  config_.mounts = DefaultMounts();
  config_.mounts[0].options = {"nosuid", "noexec", "nodev"};
  fs::create_directories(rootfs_ + "/etc/conf");
  config_.linux_->readonlyPaths = {"/proc/sys", "/proc/sysrq-trigger", "/etc/conf", "/nope"};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    int fd = open("/proc/sys/kernel/hostname", O_WRONLY | O_CLOEXEC);
    CHILD_CHECK(fd < 0 && errno == EROFS);
    CHILD_CHECK(mkdir("/etc/conf/x", 0755) != 0 && errno == EROFS);
    auto sys = FindMount("/proc/sys");
    CHILD_CHECK(sys && HasOption(sys->mount_options, "ro"));
    // Flags the path already had are kept.
    CHILD_CHECK(HasOption(sys->mount_options, "nosuid"));
    CHILD_CHECK(mkdir("/tmp/writable", 0755) == 0);
    return "";
  }));
}

TEST_F(RootfsTest, ReadonlyRootfs) {
  config_.mounts = DefaultMounts();
  config_.root->readonly = true;
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    CHILD_CHECK(mkdir("/newdir", 0755) != 0 && errno == EROFS);
    // Mounts on top stay writable.
    int fd = open("/dev/shm/x", O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    CHILD_CHECK(fd >= 0);
    close(fd);
    return "";
  }));
}

TEST_F(RootfsTest, RootfsPropagationIsSetOnTheContainerRoot) {
  struct Case {
    const char* value;
    const char* tag;  // expected in the root's optional fields; "" = none
  } cases[] = {{"private", ""},
               {"rprivate", ""},
               {"shared", "shared:"},
               {"rshared", "shared:"},
               {"unbindable", "unbindable"},
               {"runbindable", "unbindable"},
               {"slave", ""},
               {"rslave", ""}};
  config_.mounts = {M("/proc", "proc", "proc", {})};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    config_.linux_->rootfsPropagation = c.value;
    EXPECT_CHILD_OK(Run([&]() -> std::string {
      CHILD_OK(PrepareRootfs(config_, options_));
      CHILD_OK(EnterRootfs(config_, options_));
      auto root = FindMount("/");
      CHILD_CHECK(root.has_value());
      if (*c.tag == 0) {
        // This host's mounts are private, so a slave root has no master either.
        CHILD_CHECK(root->optional.find("shared:") == std::string::npos);
        CHILD_CHECK(root->optional.find("unbindable") == std::string::npos);
      } else if (root->optional.find(c.tag) == std::string::npos) {
        return "root propagation \"" + root->optional + "\" lacks " + c.tag;
      }
      return "";
    }));
  }
  config_.linux_->rootfsPropagation = "sideways";
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok() && s.error().message().find("sideways") != std::string::npos);
    return "";
  }));
}

TEST_F(RootfsTest, HostDevBindIsLeftAlone) {
  // Binding a directory standing in for the host's /dev: no node is replaced.
  std::string fake_dev = bundle_ + "/hostdev";
  fs::create_directories(fake_dev);
  testing::WriteFile(fake_dev + "/fuse", "not a device");
  config_.mounts = {M("/proc", "proc", "proc", {}), M("/dev", "bind", fake_dev, {"rbind"})};
  spec::Device fuse;
  fuse.type = "c";
  fuse.path = "/dev/fuse";
  fuse.major = 10;
  fuse.minor = 229;
  config_.linux_->devices = {fuse};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    return "";
  }));
  EXPECT_EQ(ReadFile(fake_dev + "/fuse"), "not a device");
  EXPECT_FALSE(fs::exists(fake_dev + "/fd"));
}

TEST_F(RootfsTest, DevicePathConflictIsAnError) {
  // config-linux.md "Devices": a file of another kind at the path is an error.
  config_.mounts = {M("/proc", "proc", "proc", {})};
  testing::WriteFile(rootfs_ + "/conflict", "regular file");
  spec::Device dev;
  dev.type = "c";
  dev.path = "/conflict";
  dev.major = 1;
  dev.minor = 5;
  config_.linux_->devices = {dev};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok() && s.error().message().find("/conflict") != std::string::npos);
    return "";
  }));
  EXPECT_EQ(ReadFile(rootfs_ + "/conflict"), "regular file");
}

TEST_F(RootfsTest, DeviceOfOtherNumbersIsAConflictButSameDeviceIsNot) {
  config_.mounts = {M("/proc", "proc", "proc", {})};
  ASSERT_EQ(mknod((rootfs_ + "/zero").c_str(), S_IFCHR | 0600, makedev(1, 5)), 0);
  spec::Device dev;
  dev.type = "c";
  dev.path = "/zero";
  dev.major = 1;
  dev.minor = 3;
  config_.linux_->devices = {dev};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok() && s.error().message().find("/zero") != std::string::npos);
    return "";
  }));
  // The same char 1:5 is recreated with the configured mode.
  config_.linux_->devices[0].minor = 5;
  config_.linux_->devices[0].fileMode = 0640;
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    return "";
  }));
  struct stat st;
  ASSERT_EQ(lstat((rootfs_ + "/zero").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

// In a user namespace mknod is refused: the default devices are the host's
// nodes bind-mounted onto empty files.

TEST_F(RootfsTest, UserNamespaceBindsHostDevices) {
  config_.linux_->namespaces = {{spec::NamespaceType::user, ""}, {spec::NamespaceType::mount, ""}};
  config_.mounts = {
      M("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      M("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666"}),
  };
  config_.linux_->readonlyPaths = {"/etc"};
  EXPECT_CHILD_OK(testing::RunInChild(
      [&]() -> std::string {
        CHILD_CHECK(unshare(CLONE_NEWUSER) == 0);
        testing::WriteFile("/proc/self/uid_map", "0 0 1");
        testing::WriteFile("/proc/self/setgroups", "deny");
        testing::WriteFile("/proc/self/gid_map", "0 0 1");
        CHILD_CHECK(unshare(CLONE_NEWNS) == 0);
        CHILD_CHECK(mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0);
        CHILD_OK(PrepareRootfs(config_, options_));
        for (const char* name : {"null", "zero", "full", "random", "urandom", "tty"}) {
          std::string p = rootfs_ + "/dev/" + name;
          struct stat st;
          CHILD_CHECK(stat(p.c_str(), &st) == 0 && S_ISCHR(st.st_mode));
          CHILD_CHECK(FindMount(p).has_value());
        }
        CHILD_OK(EnterRootfs(config_, options_));
        int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        CHILD_CHECK(fd >= 0 && write(fd, "x", 1) == 1);
        close(fd);
        CHILD_CHECK(mkdir("/etc/x", 0755) != 0 && errno == EROFS);
        return "";
      },
      0));
}

// The container's /proc belongs to its pid namespace: after pivot_root the
// init sees itself as pid 1 and no host process.
TEST_F(RootfsTest, ProcShowsTheContainersPidNamespace) {
  config_.linux_->namespaces.push_back({spec::NamespaceType::pid, ""});
  config_.mounts = DefaultMounts();
  EXPECT_CHILD_OK(RunInChild(
      [&]() -> std::string {
        CHILD_CHECK(mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0);
        int fds[2];
        CHILD_CHECK(pipe2(fds, O_CLOEXEC) == 0);
        pid_t pid = fork();  // the first child in the new pid namespace: its init
        if (pid == 0) {
          std::string r;
          Status s = PrepareRootfs(config_, options_);
          if (s) s = EnterRootfs(config_, options_);
          if (!s) r = s.error().ToString();
          int entries = 0;
          if (r.empty())
            for (const auto& e : fs::directory_iterator("/proc"))
              if (std::isdigit(static_cast<unsigned char>(e.path().filename().string()[0]))) ++entries;
          if (r.empty() && fs::read_symlink("/proc/self") != "1") r = "init is not pid 1";
          if (r.empty() && entries != 1) r = std::to_string(entries) + " processes in /proc";
          (void)!write(fds[1], r.data(), r.size());
          _exit(0);
        }
        close(fds[1]);
        char buf[512];
        ssize_t n = read(fds[0], buf, sizeof(buf));
        waitpid(pid, nullptr, 0);
        return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
      },
      CLONE_NEWNS | CLONE_NEWPID));
}

}  // namespace
}  // namespace berth::rootfs
