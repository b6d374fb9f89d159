#include "runtime/rootfs/sysctl.h"

#include <gtest/gtest.h>

namespace berth::rootfs {
namespace {

spec::Linux WithNamespaces(const std::vector<spec::NamespaceType>& types) {
  spec::Linux l;
  for (auto t : types) l.namespaces.push_back({t, ""});
  return l;
}

TEST(SysctlTest, RelativePath) {
  EXPECT_EQ(*SysctlRelativePath("net.ipv4.ip_forward"), "net/ipv4/ip_forward");
  EXPECT_EQ(*SysctlRelativePath("kernel.shmmax"), "kernel/shmmax");
  for (const char* bad : {"", "net..ipv4", ".net", "net.", "net/../../x", "kernel...x"})
    EXPECT_FALSE(SysctlRelativePath(bad).ok()) << bad;
}

TEST(SysctlTest, IpcSysctlsNeedIpcNamespace) {
  auto with = WithNamespaces({spec::NamespaceType::ipc});
  auto without = WithNamespaces({spec::NamespaceType::network});
  for (const char* key :
       {"kernel.msgmax", "kernel.msgmnb", "kernel.msgmni", "kernel.sem", "kernel.shmall", "kernel.shmmax",
        "kernel.shmmni", "kernel.shm_rmid_forced", "fs.mqueue.queues_max", "fs.mqueue.msg_max"}) {
    EXPECT_TRUE(ValidateSysctl(key, with).ok()) << key;
    Status s = ValidateSysctl(key, without);
    ASSERT_FALSE(s.ok()) << key;
    EXPECT_NE(s.error().message().find(key), std::string::npos) << s.error().message();
    EXPECT_NE(s.error().message().find("ipc"), std::string::npos) << s.error().message();
  }
}

TEST(SysctlTest, NetSysctlsNeedNetworkNamespace) {
  EXPECT_TRUE(ValidateSysctl("net.ipv4.ip_forward", WithNamespaces({spec::NamespaceType::network})).ok());
  Status s = ValidateSysctl("net.ipv4.ip_forward", WithNamespaces({spec::NamespaceType::ipc}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("net.ipv4.ip_forward"), std::string::npos);
  EXPECT_NE(s.error().message().find("network"), std::string::npos);
}

TEST(SysctlTest, UtsSysctlsNeedUtsNamespace) {
  EXPECT_TRUE(ValidateSysctl("kernel.hostname", WithNamespaces({spec::NamespaceType::uts})).ok());
  EXPECT_TRUE(ValidateSysctl("kernel.domainname", WithNamespaces({spec::NamespaceType::uts})).ok());
  Status s = ValidateSysctl("kernel.domainname", WithNamespaces({}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("kernel.domainname"), std::string::npos);
}

TEST(SysctlTest, HostWideSysctlsAreRejected) {
  auto all = WithNamespaces({spec::NamespaceType::ipc, spec::NamespaceType::network, spec::NamespaceType::uts,
                             spec::NamespaceType::mount, spec::NamespaceType::pid});
  for (const char* key : {"kernel.core_pattern", "vm.overcommit_memory", "kernel.shmmaxx", "fs.file-max",
                          "kernel.msgmax2", "kernel"}) {
    Status s = ValidateSysctl(key, all);
    ASSERT_FALSE(s.ok()) << key;
    EXPECT_NE(s.error().message().find(key), std::string::npos) << s.error().message();
  }
}

TEST(SysctlTest, ApplyValidatesBeforeWriting) {
  spec::Config config;
  config.linux_ = WithNamespaces({spec::NamespaceType::network});
  config.linux_->sysctl["kernel.core_pattern"] = "|/tmp/x";
  Status s = ApplySysctls(config);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("kernel.core_pattern"), std::string::npos);
}

TEST(SysctlTest, NothingToApply) {
  spec::Config config;
  EXPECT_TRUE(ApplySysctls(config).ok());
}

}  // namespace
}  // namespace berth::rootfs
