#include "spec/default_config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "spec/config_json.h"
#include "spec/testdata_util.h"
#include "spec/validate.h"

namespace berth::spec {
namespace {

using testing::ReadTestdata;

// `runc spec` output (runc 1.1.5 on this host) with berth's differences:
// ociVersion is the spec version berth implements, hostname is "berth".
Config RuncTemplate(const char* file) {
  auto c = ParseConfig(ReadTestdata(file));
  EXPECT_TRUE(c.ok()) << c.error().ToString();
  Config out = c.ok() ? *c : Config{};
  out.ociVersion = "1.3.0";
  out.hostname = "berth";
  return out;
}

TEST(DefaultConfig, MatchesRuncSpec) { EXPECT_EQ(DefaultConfig(false), RuncTemplate("runc-spec.json")); }

TEST(DefaultConfig, RootlessMatchesRuncSpecRootless) {
  if (geteuid() != 0 || getegid() != 0) GTEST_SKIP() << "runc-spec-rootless.json was recorded as uid/gid 0";
  EXPECT_EQ(DefaultConfig(true), RuncTemplate("runc-spec-rootless.json"));
}

TEST(DefaultConfig, RootlessMapsTheCaller) {
  Config c = DefaultConfig(true);
  ASSERT_EQ(c.linux_->uidMappings.size(), 1u);
  EXPECT_EQ(c.linux_->uidMappings[0], (IdMapping{0, static_cast<uint32_t>(geteuid()), 1}));
  EXPECT_EQ(c.linux_->gidMappings[0], (IdMapping{0, static_cast<uint32_t>(getegid()), 1}));
  EXPECT_TRUE(c.linux_->HasNamespace(NamespaceType::user));
  EXPECT_FALSE(c.linux_->HasNamespace(NamespaceType::network));
}

TEST(DefaultConfig, IsHardenedAndValid) {
  for (bool rootless : {false, true}) {
    Config c = DefaultConfig(rootless);
    EXPECT_EQ(Validate(c), std::vector<std::string>{});
    EXPECT_TRUE(c.process->noNewPrivileges);
    EXPECT_TRUE(c.process->capabilities->inheritable.empty());
    EXPECT_TRUE(c.root->readonly);
    EXPECT_EQ(c.hostname, "berth");
    auto back = ParseConfig(SerializeConfigPretty(c));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, c);
  }
}

}  // namespace
}  // namespace berth::spec
