// PrepareRootfs for real: config mounts, their flags, symlinked destinations, /proc and /sys
// checks, cgroup mounts. Needs root.
#include "runtime/rootfs/rootfs_test_fixture.h"

namespace berth::rootfs {
namespace {

using testing::FindMount;
using testing::HasOption;
using testing::ReadFile;
using testing::RunInChild;

TEST_F(RootfsTest, DefaultMountsLandWithTheirFlags) {
  config_.mounts = DefaultMounts();
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto proc = FindMount(rootfs_ + "/proc");
    CHILD_CHECK(proc && proc->fstype == "proc");
    auto dev = FindMount(rootfs_ + "/dev");
    CHILD_CHECK(dev && dev->fstype == "tmpfs");
    CHILD_CHECK(HasOption(dev->mount_options, "nosuid"));
    CHILD_CHECK(!HasOption(dev->mount_options, "noexec"));
    CHILD_CHECK(HasOption(dev->super_options, "mode=755"));
    CHILD_CHECK(HasOption(dev->super_options, "size=65536k"));
    auto pts = FindMount(rootfs_ + "/dev/pts");
    CHILD_CHECK(pts && pts->fstype == "devpts");
    CHILD_CHECK(HasOption(pts->mount_options, "noexec"));
    CHILD_CHECK(HasOption(pts->super_options, "ptmxmode=666"));
    CHILD_CHECK(HasOption(pts->super_options, "gid=5"));
    CHILD_CHECK(HasOption(pts->super_options, "mode=620"));
    auto shm = FindMount(rootfs_ + "/dev/shm");
    CHILD_CHECK(shm && shm->source == "shm");
    CHILD_CHECK(HasOption(shm->mount_options, "nodev"));
    struct stat shm_st;
    CHILD_CHECK(stat((rootfs_ + "/dev/shm").c_str(), &shm_st) == 0);
    CHILD_CHECK((shm_st.st_mode & 07777) == 01777);
    auto mq = FindMount(rootfs_ + "/dev/mqueue");
    CHILD_CHECK(mq && mq->fstype == "mqueue");
    auto sys = FindMount(rootfs_ + "/sys");
    CHILD_CHECK(sys && sys->fstype == "sysfs");
    CHILD_CHECK(HasOption(sys->mount_options, "ro"));
    auto cg = FindMount(rootfs_ + "/sys/fs/cgroup");
    CHILD_CHECK(cg && HasOption(cg->mount_options, "ro"));
    // strictatime shows only as the absence of relatime/noatime.
    CHILD_CHECK(!HasOption(dev->mount_options, "relatime"));
    CHILD_CHECK(HasOption(proc->mount_options, "relatime"));
    return "";
  }));
}

TEST_F(RootfsTest, BindMountReadOnlyAndRecursiveReadOnly) {
  std::string src = bundle_ + "/data";
  fs::create_directories(src + "/sub");
  testing::WriteFile(src + "/file", "data");
  config_.mounts = {M("/data", "bind", src, {"rbind", "ro", "nosuid", "nodev", "noexec"}),
                    M("/sub-tmp", "tmpfs", "tmpfs", {}), M("/rec", "bind", src, {"rbind", "rro"}),
                    M("/file", "bind", src + "/file", {"bind"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto data = FindMount(rootfs_ + "/data");
    CHILD_CHECK(data);
    for (const char* o : {"ro", "nosuid", "nodev", "noexec"}) CHILD_CHECK(HasOption(data->mount_options, o));
    CHILD_CHECK(ReadFile(rootfs_ + "/data/file") == "data");
    int fd = open((rootfs_ + "/data/new").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    CHILD_CHECK(fd < 0 && errno == EROFS);
    auto rec = FindMount(rootfs_ + "/rec");
    CHILD_CHECK(rec && HasOption(rec->mount_options, "ro"));
    auto file = FindMount(rootfs_ + "/file");
    CHILD_CHECK(file && HasOption(file->mount_options, "rw"));
    struct stat st;
    CHILD_CHECK(stat((rootfs_ + "/file").c_str(), &st) == 0 && S_ISREG(st.st_mode));
    return "";
  }));
}

TEST_F(RootfsTest, RecursiveReadOnlyReachesSubmounts) {
  std::string src = bundle_ + "/tree";
  fs::create_directories(src + "/inner");
  // The source gets a submount in the child, then is bound with rro.
  config_.mounts = {M("/first", "tmpfs", "tmpfs", {}),
                    M("/tree-copy", "bind", rootfs_ + "/first", {"rbind", "rro"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_CHECK(mount("tmpfs", src.c_str(), "tmpfs", 0, nullptr) == 0);
    fs::create_directories(src + "/inner");
    CHILD_CHECK(mount("tmpfs", (src + "/inner").c_str(), "tmpfs", 0, nullptr) == 0);
    config_.mounts[1].source = src;
    CHILD_OK(PrepareRootfs(config_, options_));
    auto top = FindMount(rootfs_ + "/tree-copy");
    auto inner = FindMount(rootfs_ + "/tree-copy/inner");
    CHILD_CHECK(top && HasOption(top->mount_options, "ro"));
    CHILD_CHECK(inner && HasOption(inner->mount_options, "ro"));
    return "";
  }));
}

TEST_F(RootfsTest, AbsoluteSymlinkDestinationLandsInside) {
  fs::create_directory_symlink(sentinel_dir_, rootfs_ + "/escape");
  config_.mounts = {M("/escape", "tmpfs", "tmpfs", {})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    // The mount is at rootfs/<sentinel_dir_>, not on the host directory.
    CHILD_CHECK(FindMount(rootfs_ + sentinel_dir_).has_value());
    CHILD_CHECK(!FindMount(sentinel_dir_).has_value());
    CHILD_CHECK(ReadFile(sentinel_dir_ + "/sentinel") == "host secret");
    return "";
  }));
  EXPECT_TRUE(fs::is_directory(rootfs_ + sentinel_dir_));
}

TEST_F(RootfsTest, DotDotSymlinkDestinationLandsInside) {
  fs::create_directories(rootfs_ + "/etc");
  fs::create_directory_symlink("../../../../../../../../" + sentinel_dir_.substr(1), rootfs_ + "/etc/up");
  config_.mounts = {M("/etc/up", "tmpfs", "tmpfs", {}), M("/etc/up/x/y", "bind", sentinel_dir_, {"bind"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_CHECK(FindMount(rootfs_ + sentinel_dir_).has_value());
    CHILD_CHECK(FindMount(rootfs_ + sentinel_dir_ + "/x/y").has_value());
    CHILD_CHECK(!FindMount(sentinel_dir_).has_value());
    CHILD_CHECK(!fs::exists(sentinel_dir_ + "/x"));
    return "";
  }));
  EXPECT_FALSE(fs::exists(sentinel_dir_ + "/x"));
}

TEST_F(RootfsTest, DanglingSymlinkDestinationCreatesNothingOutside) {
  const std::string host_target = bundle_ + "/never-created";
  fs::create_symlink(host_target, rootfs_ + "/dangling");
  fs::create_symlink(host_target + "-file", rootfs_ + "/dangling-file");
  config_.mounts = {M("/dangling", "tmpfs", "tmpfs", {}),
                    M("/dangling-file", "bind", sentinel_dir_ + "/sentinel", {"bind", "ro"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_CHECK(FindMount(rootfs_ + host_target).has_value());
    CHILD_CHECK(ReadFile(rootfs_ + host_target + "-file") == "host secret");
    CHILD_CHECK(!fs::exists(host_target));
    return "";
  }));
  EXPECT_FALSE(fs::exists(host_target));
  EXPECT_FALSE(fs::exists(host_target + "-file"));
}

TEST_F(RootfsTest, ProcAsSymlinkIsRejected) {
  fs::create_directories(rootfs_ + "/fakeproc");
  fs::create_directory_symlink("/fakeproc", rootfs_ + "/proc");
  config_.mounts = {M("/proc", "proc", "proc", {})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok());
    CHILD_CHECK(s.error().message().find("symlink") != std::string::npos);
    CHILD_CHECK(!FindMount(rootfs_ + "/fakeproc").has_value());
    return "";
  }));
}

TEST_F(RootfsTest, SysThroughSymlinkIsRejected) {
  fs::create_directories(rootfs_ + "/real/sys");
  fs::create_directory_symlink("/real/sys", rootfs_ + "/sys");
  config_.mounts = {M("/sys", "sysfs", "sysfs", {"ro"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok());
    CHILD_CHECK(s.error().message().find("/sys") != std::string::npos);
    return "";
  }));
}

TEST_F(RootfsTest, OnlyProcMayBeMountedOnProc) {
  for (const auto& m : {M("/proc", "tmpfs", "tmpfs", {}), M("/proc", "bind", "/proc", {"rbind"}),
                        M("//proc/", "tmpfs", "tmpfs", {}), M("/tmp/../../proc", "tmpfs", "tmpfs", {})}) {
    config_.mounts = {m};
    SCOPED_TRACE(m.type);
    EXPECT_CHILD_OK(Run([&]() -> std::string {
      Status s = PrepareRootfs(config_, options_);
      CHILD_CHECK(!s.ok());
      CHILD_CHECK(s.error().message().find("only a proc filesystem") != std::string::npos);
      CHILD_CHECK(!FindMount(rootfs_ + "/proc").has_value());
      return "";
    }));
  }
}

TEST_F(RootfsTest, BadMountFailsWithItsIndexAndDestination) {
  config_.mounts = {M("/ok", "tmpfs", "tmpfs", {}), M("/bad", "tmpfs", "tmpfs", {"size=not-a-size"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok());
    CHILD_CHECK(s.error().message().find("mounts[1] /bad") != std::string::npos);
    return "";
  }));
}

TEST_F(RootfsTest, CgroupMountIsReadOnlyWithHostHierarchies) {
  struct statfs st;
  if (statfs("/sys/fs/cgroup", &st) != 0) GTEST_SKIP() << "no /sys/fs/cgroup";
  config_.mounts = DefaultMounts();
  const bool host_has_unified = statfs("/sys/fs/cgroup/unified", &st) == 0;
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    CHILD_OK(EnterRootfs(config_, options_));
    CHILD_CHECK(mkdir("/sys/fs/cgroup/x", 0755) != 0 && errno == EROFS);
    // One directory per hierarchy in /proc/self/cgroup (this host: hybrid).
    CHILD_CHECK(fs::is_directory("/sys/fs/cgroup/memory"));
    CHILD_CHECK(FindMount("/sys/fs/cgroup/memory")->fstype == "cgroup");
    if (host_has_unified) CHILD_CHECK(FindMount("/sys/fs/cgroup/unified")->fstype == "cgroup2");
    for (const auto& entry : fs::directory_iterator("/sys/fs/cgroup")) {
      if (entry.is_symlink()) continue;
      std::string d = entry.path().string();
      auto m = FindMount(d);
      if (!m) return "no mount at " + d;
      if (!HasOption(m->mount_options, "ro")) return d + " is writable";
      if (mkdir((d + "/berth-x").c_str(), 0755) == 0 || errno != EROFS)
        return "mkdir in " + d + " did not fail with EROFS";
    }
    return "";
  }));
}

TEST_F(RootfsTest, TmpfsDataOptionsAndPropagation) {
  config_.mounts = {M("/t", "tmpfs", "tmpfs", {"size=1m", "mode=700", "noexec", "private"}),
                    M("/s", "tmpfs", "tmpfs", {"rshared"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto t = FindMount(rootfs_ + "/t");
    CHILD_CHECK(t && HasOption(t->super_options, "size=1024k"));
    CHILD_CHECK(HasOption(t->super_options, "mode=700"));
    CHILD_CHECK(HasOption(t->mount_options, "noexec"));
    std::string info = testing::MountInfo();
    // The shared mount has a peer group tag in its optional fields.
    size_t at = info.find(" " + rootfs_ + "/s ");
    CHILD_CHECK(at != std::string::npos);
    size_t eol = info.find('\n', at);
    CHILD_CHECK(info.substr(at, eol - at).find("shared:") != std::string::npos);
    return "";
  }));
}

TEST_F(RootfsTest, IdmappedBindMount) {
  std::string src = bundle_ + "/owned";
  fs::create_directories(src);
  testing::WriteFile(src + "/f", "x");
  ASSERT_EQ(chown((src + "/f").c_str(), 0, 0), 0);
  spec::Mount m = M("/idmapped", "bind", src, {"bind", "idmap"});
  m.uidMappings = {{0, 4000, 10}};
  m.gidMappings = {{0, 5000, 10}};
  config_.mounts = {m};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    struct stat st;
    CHILD_CHECK(stat((rootfs_ + "/idmapped/f").c_str(), &st) == 0);
    CHILD_CHECK(st.st_uid == 4000 && st.st_gid == 5000);
    auto e = FindMount(rootfs_ + "/idmapped");
    CHILD_CHECK(e && HasOption(e->mount_options, "idmapped"));
    return "";
  }));
}

TEST_F(RootfsTest, EveryOptionReachesTheKernel) {
  std::string src = bundle_ + "/src";
  fs::create_directories(src);
  config_.mounts = {
      M("/all", "tmpfs", "tmpfs",
        {"rw", "nosuid", "nodev", "noexec", "sync", "dirsync", "noatime", "nodiratime", "nosymfollow",
         "lazytime", "mode=0700", "size=1m", "defaults", "silent"}),
      M("/b", "bind", src, {"bind", "ro", "suid", "dev", "exec", "nodiratime", "strictatime", "unbindable"}),
      M("/b2", "none", src, {"rbind", "rnosuid", "rnodev", "rnoexec", "rro", "rnoatime"}),
  };
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto all = FindMount(rootfs_ + "/all");
    CHILD_CHECK(all.has_value());
    for (const char* o :
         {"rw", "nosuid", "nodev", "noexec", "noatime", "nodiratime", "nosymfollow", "sync", "dirsync"})
      if (!HasOption(all->mount_options, o) && !HasOption(all->super_options, o))
        return std::string("missing ") + o + " in " + all->mount_options + " / " + all->super_options;
    CHILD_CHECK(HasOption(all->super_options, "mode=700"));
    auto b = FindMount(rootfs_ + "/b");
    CHILD_CHECK(b && HasOption(b->mount_options, "ro") && HasOption(b->mount_options, "nodiratime"));
    CHILD_CHECK(!HasOption(b->mount_options, "nosuid") && !HasOption(b->mount_options, "relatime"));
    std::string info = testing::MountInfo();
    size_t at = info.find(" " + rootfs_ + "/b ");
    CHILD_CHECK(at != std::string::npos);
    CHILD_CHECK(info.substr(at, info.find('\n', at) - at).find("unbindable") != std::string::npos);
    auto b2 = FindMount(rootfs_ + "/b2");
    CHILD_CHECK(b2.has_value());
    for (const char* o : {"ro", "nosuid", "nodev", "noexec", "noatime"})
      CHILD_CHECK(HasOption(b2->mount_options, o));
    return "";
  }));
}

TEST_F(RootfsTest, IversionRemountKeepsTheOtherFlags) {
  config_.mounts = {M("/iv", "tmpfs", "tmpfs", {"nosuid", "noexec", "sync", "ro", "iversion"}),
                    M("/niv", "tmpfs", "tmpfs", {"nodev", "dirsync", "noiversion"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto iv = FindMount(rootfs_ + "/iv");
    CHILD_CHECK(iv.has_value());
    for (const char* o : {"ro", "nosuid", "noexec", "sync"})
      if (!HasOption(iv->mount_options, o) && !HasOption(iv->super_options, o))
        return std::string("iversion mount lost ") + o + ": " + iv->mount_options + " / " + iv->super_options;
    auto niv = FindMount(rootfs_ + "/niv");
    CHILD_CHECK(niv && HasOption(niv->mount_options, "nodev") && HasOption(niv->super_options, "dirsync"));
    return "";
  }));
  std::string src = bundle_ + "/src";
  fs::create_directories(src);
  config_.mounts = {M("/b", "bind", src, {"bind", "iversion"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok() && s.error().message().find("iversion") != std::string::npos);
    return "";
  }));
}

TEST_F(RootfsTest, QuotedOptionValueAndMountLabelWithoutSelinux) {
  struct statfs st;
  if (statfs("/sys/fs/selinux", &st) == 0) GTEST_SKIP() << "SELinux is enabled here";
  // Without SELinux the label is not applied (as runc), so the mount works.
  config_.linux_->mountLabel = "system_u:object_r:container_file_t:s0:c1,c2";
  config_.mounts = {M("/q", "tmpfs", "tmpfs", {"size=\"2m\"", "mode=711"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto q = FindMount(rootfs_ + "/q");
    CHILD_CHECK(q && HasOption(q->super_options, "size=2048k"));
    CHILD_CHECK(q->super_options.find("context") == std::string::npos);
    return "";
  }));
}

TEST_F(RootfsTest, RemountChangesAnExistingMount) {
  config_.mounts = {M("/r", "tmpfs", "tmpfs", {"size=1m"}),
                    M("/r", "tmpfs", "tmpfs", {"remount", "ro", "size=2m"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto r = FindMount(rootfs_ + "/r");
    CHILD_CHECK(r && HasOption(r->mount_options, "ro"));
    CHILD_CHECK(HasOption(r->super_options, "size=2048k"));
    return "";
  }));
}

TEST_F(RootfsTest, TmpcopyupStartsTheTmpfsWithTheImageFiles) {
  fs::create_directories(rootfs_ + "/var/cache/sub");
  testing::WriteFile(rootfs_ + "/var/cache/sub/f", "image file");
  config_.mounts = {M("/var/cache", "tmpfs", "tmpfs", {"tmpcopyup", "nosuid"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_OK(PrepareRootfs(config_, options_));
    auto m = FindMount(rootfs_ + "/var/cache");
    CHILD_CHECK(m && m->fstype == "tmpfs");
    CHILD_CHECK(ReadFile(rootfs_ + "/var/cache/sub/f") == "image file");
    testing::WriteFile(rootfs_ + "/var/cache/sub/f", "changed in tmpfs");
    CHILD_CHECK(umount2((rootfs_ + "/var/cache").c_str(), MNT_DETACH) == 0);
    CHILD_CHECK(ReadFile(rootfs_ + "/var/cache/sub/f") == "image file");
    return "";
  }));
  config_.mounts = {M("/bad", "bind", bundle_, {"bind", "tmpcopyup"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    Status s = PrepareRootfs(config_, options_);
    CHILD_CHECK(!s.ok() && s.error().message().find("tmpcopyup") != std::string::npos);
    return "";
  }));
}

TEST_F(RootfsTest, DefaultRslaveLetsHostMountsInAndNothingOut) {
  // The outer child plays the host with a shared mount; the inner child is
  // the container. After PrepareRootfs (default rslave) a mount made by the
  // "host" propagates in, and one made in the container does not leak out.
  std::string shared = bundle_ + "/shared-src";
  fs::create_directories(shared);
  config_.mounts = {M("/shared", "bind", shared, {"rbind"})};
  EXPECT_CHILD_OK(Run([&]() -> std::string {
    CHILD_CHECK(mount("tmpfs", shared.c_str(), "tmpfs", 0, nullptr) == 0);
    CHILD_CHECK(mount(nullptr, shared.c_str(), nullptr, MS_SHARED, nullptr) == 0);
    fs::create_directories(shared + "/from-host");
    fs::create_directories(shared + "/from-container");
    int to_host[2], to_container[2];
    CHILD_CHECK(pipe2(to_host, O_CLOEXEC) == 0 && pipe2(to_container, O_CLOEXEC) == 0);
    pid_t pid = fork();
    if (pid == 0) {
      char c = 'F';
      bool ok = unshare(CLONE_NEWNS) == 0 && PrepareRootfs(config_, options_).ok();
      if (ok) c = 'P';
      (void)!write(to_host[1], &c, 1);
      (void)!read(to_container[0], &c, 1);  // host has mounted from-host
      if (ok && !FindMount(rootfs_ + "/shared/from-host")) c = 'N';
      if (ok && mount("tmpfs", (rootfs_ + "/shared/from-container").c_str(), "tmpfs", 0, nullptr) != 0)
        c = 'M';
      if (c == 'P') c = 'Y';
      (void)!write(to_host[1], &c, 1);
      _exit(0);
    }
    char c = 0;
    CHILD_CHECK(read(to_host[0], &c, 1) == 1 && c == 'P');
    CHILD_CHECK(mount("tmpfs", (shared + "/from-host").c_str(), "tmpfs", 0, nullptr) == 0);
    CHILD_CHECK(write(to_container[1], &c, 1) == 1);
    CHILD_CHECK(read(to_host[0], &c, 1) == 1);
    waitpid(pid, nullptr, 0);
    if (c != 'Y') return std::string("container side failed: ") + c;
    CHILD_CHECK(!FindMount(shared + "/from-container").has_value());
    return "";
  }));
}

TEST_F(RootfsTest, CgroupNamespaceGetsFreshMountsRootedAtItsCgroup) {
  std::string memory_path;
  {
    std::istringstream in(ReadFile("/proc/self/cgroup"));
    std::string line;
    while (std::getline(in, line))
      if (line.find(":memory:") != std::string::npos) memory_path = line.substr(line.rfind(':') + 1);
  }
  if (memory_path.empty()) GTEST_SKIP() << "no v1 memory hierarchy on this host";
  config_.linux_->namespaces.push_back({spec::NamespaceType::cgroup, ""});
  config_.mounts = {M("/sys/fs/cgroup", "cgroup", "cgroup", {"ro", "nosuid"})};
  // The first directory under the host hierarchy's root that leads to us:
  // it must not be visible inside when our cgroup is below it.
  std::string first = memory_path == "/" ? "" : memory_path.substr(1, memory_path.find('/', 1) - 1);
  EXPECT_CHILD_OK(testing::RunInChild(
      [&]() -> std::string {
        CHILD_CHECK(mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0);
        CHILD_OK(PrepareRootfs(config_, options_));
        auto m = FindMount(rootfs_ + "/sys/fs/cgroup/memory");
        CHILD_CHECK(m && m->fstype == "cgroup" && m->root == "/");
        CHILD_CHECK(HasOption(m->mount_options, "ro"));
        CHILD_CHECK(fs::exists(rootfs_ + "/sys/fs/cgroup/memory/cgroup.procs"));
        if (!first.empty()) CHILD_CHECK(!fs::exists(rootfs_ + "/sys/fs/cgroup/memory/" + first));
        // The container's own pid is listed at the namespace's root.
        std::string procs = ReadFile(rootfs_ + "/sys/fs/cgroup/memory/cgroup.procs");
        CHILD_CHECK(procs.find(std::to_string(getpid()) + "\n") != std::string::npos);
        return "";
      },
      CLONE_NEWNS | CLONE_NEWCGROUP));
}

}  // namespace
}  // namespace berth::rootfs
