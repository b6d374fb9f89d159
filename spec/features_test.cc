#include "spec/features.h"

#include <gtest/gtest.h>

#include "spec/testdata_util.h"

namespace berth::spec {
namespace {

using testing::ReadTestdata;

void ExpectRoundTrip(const Features& f) {
  for (bool pretty : {false, true}) {
    auto back = ParseFeatures(SerializeFeatures(f, pretty));
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_EQ(*back, f);
  }
}

TEST(Features, GoodFixtures) {
  auto minimal = ParseFeatures(ReadTestdata("features/good/minimal.json"));
  ASSERT_TRUE(minimal.ok()) << minimal.error().ToString();
  EXPECT_EQ(minimal->ociVersionMin, "1.0.0");
  EXPECT_EQ(minimal->ociVersionMax, "1.1.0");
  EXPECT_FALSE(minimal->hooks);
  EXPECT_FALSE(minimal->linux_);
  ExpectRoundTrip(*minimal);

  auto runc = ParseFeatures(ReadTestdata("features/good/runc.json"));
  ASSERT_TRUE(runc.ok()) << runc.error().ToString();
  ASSERT_TRUE(runc->hooks);
  EXPECT_EQ(runc->hooks->size(), 6u);
  ASSERT_TRUE(runc->mountOptions);
  EXPECT_EQ(runc->mountOptions->front(), "acl");
  ASSERT_TRUE(runc->linux_);
  const LinuxFeatures& l = *runc->linux_;
  EXPECT_EQ(l.namespaces->size(), 7u);
  EXPECT_EQ(l.capabilities->back(), "CAP_CHECKPOINT_RESTORE");
  ASSERT_TRUE(l.cgroup);
  EXPECT_EQ(l.cgroup->v1, true);
  EXPECT_EQ(l.cgroup->rdma, std::nullopt);
  ASSERT_TRUE(l.seccomp);
  EXPECT_EQ(l.seccomp->enabled, true);
  EXPECT_EQ(l.seccomp->actions->size(), 7u);
  EXPECT_EQ(l.seccomp->supportedFlags, std::vector<std::string>{"SECCOMP_FILTER_FLAG_LOG"});
  EXPECT_EQ(l.apparmor->enabled, true);
  EXPECT_EQ(l.netDevices->enabled, true);
  EXPECT_FALSE(l.intelRdt);
  EXPECT_EQ(runc->annotations.at("org.opencontainers.runc.version"), "1.1.0+dev");
  ExpectRoundTrip(*runc);
}

TEST(Features, BadFixtureIsRejectedForTheMissingProperty) {
  auto bad = ParseFeatures(ReadTestdata("features/bad/missing-ociVersionMax.json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().ToString(), "ociVersionMax: missing required property");
}

TEST(Features, EveryFieldRoundTrips) {
  Features f = RecognizedFeatures();
  f.mountOptions = std::vector<std::string>{"ro", "rbind"};
  f.annotations = {{"org.example", "1"}};
  f.potentiallyUnsafeConfigAnnotations = std::vector<std::string>{"com.example.", "org.x"};
  LinuxFeatures& l = *f.linux_;
  l.cgroup = CgroupFeatures{true, false, false, false, true};
  l.seccomp->enabled = true;
  l.seccomp->supportedFlags = std::vector<std::string>{};
  l.apparmor = EnabledFeature{false};
  l.selinux = EnabledFeature{true};
  l.intelRdt = IntelRdtFeatures{true, false, true};
  l.mountExtensions = MountExtensionsFeatures{EnabledFeature{true}};
  l.netDevices = EnabledFeature{std::nullopt};
  ExpectRoundTrip(f);
  // An empty list is kept distinct from an absent one.
  auto back = ParseFeatures(SerializeFeatures(f));
  ASSERT_TRUE(back.ok());
  ASSERT_TRUE(back->linux_->seccomp->supportedFlags.has_value());
  EXPECT_TRUE(back->linux_->seccomp->supportedFlags->empty());
  EXPECT_FALSE(back->linux_->seccomp->archs->empty());
}

TEST(Features, RecognizedFeaturesCoverTheSpecNames) {
  Features f = RecognizedFeatures();
  EXPECT_EQ(f.ociVersionMax, "1.3.0");
  EXPECT_EQ(f.linux_->namespaces->size(), 8u);
  EXPECT_EQ(f.linux_->capabilities->size(), 41u);
  EXPECT_EQ(f.linux_->seccomp->actions->size(), 9u);
  EXPECT_EQ(f.linux_->seccomp->archs->size(), 23u);
  EXPECT_EQ(f.linux_->memoryPolicy->modes->size(), 7u);
}

TEST(Features, Errors) {
  struct Case {
    std::string json, error;
  } cases[] = {
      {R"({"ociVersionMax":"1.0.0"})", "ociVersionMin: missing required property"},
      {R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.0.0","hooks":"prestart"})",
       "hooks: expected array, got string"},
      {R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.0.0","linux":{"namespaces":["pid","net"]}})",
       "linux.namespaces[1]: unknown namespace type \"net\" (expected one of pid, network, mount, "
       "ipc, uts, user, cgroup, time)"},
      {R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.0.0","linux":{"capabilities":["CAP_kill"]}})",
       "linux.capabilities[0]: expected a capability name like \"CAP_KILL\", got \"CAP_kill\""},
      {R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.0.0","linux":{"cgroup":{"v2":"yes"}}})",
       "linux.cgroup.v2: expected boolean, got string"},
      {R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.0.0","linux":{"seccomp":{"archs":["SCMP_ARCH_VAX"]}}})",
       "linux.seccomp.archs[0]: unknown seccomp architecture \"SCMP_ARCH_VAX\""},
      {R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.0.0","linux":{"mountExtensions":{"idmap":true}}})",
       "linux.mountExtensions.idmap: expected object, got boolean"},
  };
  for (const auto& c : cases) {
    auto f = ParseFeatures(c.json);
    ASSERT_FALSE(f.ok()) << c.json;
    EXPECT_EQ(f.error().ToString(), c.error);
  }
  // Capability names beyond this kernel's are accepted when well-formed.
  auto future = ParseFeatures(
      R"({"ociVersionMin":"1.0.0","ociVersionMax":"1.9.0","linux":{"capabilities":["CAP_NEW_THING"]}})");
  ASSERT_TRUE(future.ok()) << future.error().ToString();
}

}  // namespace
}  // namespace berth::spec
