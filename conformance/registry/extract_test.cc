#include "conformance/registry/extract.h"

#include <gtest/gtest.h>

namespace berth::conformance {
namespace {

TEST(SlugifyHeading, StripsAnchorsAndPunctuation) {
  EXPECT_EQ(SlugifyHeading("## <a name=\"runtimeStart\" />Start"), "start");
  EXPECT_EQ(SlugifyHeading("### <a name=\"configLinuxCgroupsPath\" />Cgroups Path"), "cgroups-path");
  EXPECT_EQ(SlugifyHeading("### Unsafe annotations in `config.json`"), "unsafe-annotations-in-configjson");
}

TEST(RequirementLevel, StrongestKeywordWins) {
  EXPECT_EQ(RequirementLevel("It MUST NOT be run."), "MUST NOT");
  EXPECT_EQ(RequirementLevel("It SHOULD be set and MUST be valid."), "MUST");
  EXPECT_EQ(RequirementLevel("It SHOULD NOT be set."), "SHOULD NOT");
  EXPECT_EQ(RequirementLevel("It MAY be set."), "");
  EXPECT_EQ(RequirementLevel("MUSTARD is not a keyword."), "");
}

TEST(ExtractRequirements, NumbersStatementsPerSection) {
  const char* md =
      "# Doc\n"
      "## <a name=\"x\" />Start\n"
      "This MUST fail if no id is given. Starting twice MUST fail.\n"
      "This MAY be ignored.\n"
      "* A list item SHOULD count.\n"
      "```json\n{\"MUST\": 1}\n```\n"
      "## Kill\n"
      "Kill MUST NOT affect others.\n";
  auto reqs = ExtractRequirements("runtime.md", md);
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].id, "runtime.md#start-1");
  EXPECT_EQ(reqs[0].text, "This MUST fail if no id is given.");
  EXPECT_EQ(reqs[1].id, "runtime.md#start-2");
  EXPECT_EQ(reqs[1].text, "Starting twice MUST fail.");
  EXPECT_EQ(reqs[2].id, "runtime.md#start-3");
  EXPECT_EQ(reqs[2].level, "SHOULD");
  EXPECT_EQ(reqs[2].text, "A list item SHOULD count.");
  EXPECT_EQ(reqs[3].id, "runtime.md#kill-1");
  EXPECT_EQ(reqs[3].level, "MUST NOT");
}

TEST(ExtractRequirements, TableRowIsOneStatementAndPlatformsAreTagged) {
  const char* md =
      "## Mounts\n"
      " `nosuid` | MUST | [^1]. Also MUST.\n"
      "* Windows: This value MUST be an absolute path.\n"
      "* Linux: This value SHOULD be an absolute path.\n"
      "## Windows things\n"
      "It MUST work.\n";
  auto reqs = ExtractRequirements("config.md", md);
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].id, "config.md#mounts-1");
  EXPECT_EQ(reqs[0].platform, "linux");
  EXPECT_EQ(reqs[1].platform, "windows");
  EXPECT_EQ(reqs[2].platform, "linux");
  EXPECT_EQ(reqs[3].platform, "windows");
}

TEST(Registry, TsvRoundTrips) {
  std::vector<Requirement> reqs = {{"a.md#b-1", "MUST", "linux", "x\ty"}, {"a.md#b-2", "SHOULD", "zos", "z"}};
  auto back = RegistryFromTsv(RegistryToTsv(reqs));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].text, "x y");
  EXPECT_EQ((*back)[1], reqs[1]);
}

TEST(Registry, RejectsMalformedLines) {
  EXPECT_FALSE(RegistryFromTsv("only\ttwo\n").ok());
  EXPECT_FALSE(RegistryFromTsv("noid\tMUST\tlinux\ttext\n").ok());
}

}  // namespace
}  // namespace berth::conformance
