#include "runtime/cgroups/paths.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace berth::cgroups {
namespace {

using ::testing::HasSubstr;

TEST(ParseProcCgroup, SplitsCoMountedControllersAndKeepsTheV2Line) {
  auto m = ParseProcCgroup("12:cpu,cpuacct:/a\n9:name=systemd:/user.slice\n4:memory:/p/x\n0::/init.scope\n");
  EXPECT_EQ(m["cpu"], "/a");
  EXPECT_EQ(m["cpuacct"], "/a");
  EXPECT_EQ(m["name=systemd"], "/user.slice");
  EXPECT_EQ(m["memory"], "/p/x");
  EXPECT_EQ(m[""], "/init.scope");
}

TEST(CleanCgroupPath, NormalisesAndRejectsDotDot) {
  EXPECT_EQ(*CleanCgroupPath("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(*CleanCgroupPath("a"), "/a");
  EXPECT_EQ(*CleanCgroupPath("/"), "");
  EXPECT_FALSE(CleanCgroupPath("/a/../../etc").ok());
  EXPECT_FALSE(CleanCgroupPath("..").ok());
}

TEST(SystemdCgroupPath, ExpandsSlicesAndNamesTheScope) {
  EXPECT_EQ(*SystemdCgroupPath("system.slice:docker:abc", false), "/system.slice/docker-abc.scope");
  EXPECT_EQ(*SystemdCgroupPath("a-b-c.slice:p:n", false), "/a.slice/a-b.slice/a-b-c.slice/p-n.scope");
  EXPECT_EQ(*SystemdCgroupPath(":berth:x", false), "/system.slice/berth-x.scope");
  EXPECT_EQ(*SystemdCgroupPath(":berth:x", true), "/user.slice/berth-x.scope");
  EXPECT_EQ(*SystemdCgroupPath("-.slice::x", false), "/x.scope");
  EXPECT_EQ(*SystemdCgroupPath("machine.slice:p:inner.slice", false), "/machine.slice/inner.slice");
}

TEST(SystemdCgroupPath, RejectsMalformedValues) {
  for (const char* bad : {"system.slice:x", "a:b:c:d", "notaslice:p:n", "a--b.slice:p:n", "-a.slice:p:n",
                          "system.slice:p:", "system.slice:p:a/b", "x/y.slice:p:n"}) {
    auto r = SystemdCgroupPath(bad, false);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(ResolveCgroupPath, AbsoluteRelativeDefaultAndSystemd) {
  CgroupSpec spec;
  spec.container_id = "c1";
  EXPECT_EQ(*ResolveCgroupPath(spec, "/ignored"), "/berth/c1");
  spec.cgroups_path = "/k8s/pod1/c1";
  EXPECT_FALSE(NeedsOwnCgroup(spec));
  EXPECT_EQ(*ResolveCgroupPath(spec, "/ignored"), "/k8s/pod1/c1");
  spec.cgroups_path = "pod1/c1";
  EXPECT_TRUE(NeedsOwnCgroup(spec));
  EXPECT_EQ(*ResolveCgroupPath(spec, "/runtime"), "/runtime/pod1/c1");
  EXPECT_EQ(*ResolveCgroupPath(spec, "/"), "/pod1/c1");
  spec.systemd = true;
  spec.cgroups_path = "";
  EXPECT_FALSE(NeedsOwnCgroup(spec));
  EXPECT_EQ(*ResolveCgroupPath(spec, "/"), "/system.slice/berth-c1.scope");
  spec.cgroups_path = "kubepods.slice:cri:c1";
  EXPECT_EQ(*ResolveCgroupPath(spec, "/"), "/kubepods.slice/cri-c1.scope");
}

TEST(ResolveCgroupPath, RejectsTheRootAndEscapes) {
  CgroupSpec spec;
  spec.container_id = "c1";
  spec.cgroups_path = "/";
  auto r = ResolveCgroupPath(spec, "/");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().message(), HasSubstr("root cgroup"));
  spec.cgroups_path = "../../x";
  EXPECT_FALSE(ResolveCgroupPath(spec, "/a").ok());
}

}  // namespace
}  // namespace berth::cgroups
