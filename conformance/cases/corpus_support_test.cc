#include "conformance/cases/corpus_support.h"

#include <gtest/gtest.h>

namespace berth::conformance {

namespace json = spec::json;
namespace {

json::Value Parse(const char* text) {
  auto j = json::Parse(text);
  EXPECT_TRUE(j.ok());
  return j.ok() ? *j : json::Value();
}

TEST(SeccompToOci, ResolvesEngineFormForX86AndCapabilities) {
  json::Value engine = Parse(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,
    "archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],
    "syscalls":[
      {"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{},"excludes":{}},
      {"names":["arch_prctl"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["amd64"]}},
      {"names":["s390_pci_mmio_read"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["s390x"]}},
      {"names":["mount"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["CAP_SYS_ADMIN"]}},
      {"names":["unshare"],"action":"SCMP_ACT_ERRNO","errnoRet":1,"excludes":{"caps":["CAP_SYS_ADMIN"]}}]})");
  json::Value oci = SeccompToOci(engine, {"CAP_KILL"});
  EXPECT_FALSE(oci.Find("archMap"));
  EXPECT_EQ(oci["defaultErrnoRet"].as_int(), 38);
  EXPECT_TRUE(SeccompMentions(oci, "read"));
  EXPECT_TRUE(SeccompMentions(oci, "arch_prctl"));
  EXPECT_FALSE(SeccompMentions(oci, "s390_pci_mmio_read"));
  EXPECT_FALSE(SeccompMentions(oci, "mount"));   // needs CAP_SYS_ADMIN
  EXPECT_TRUE(SeccompMentions(oci, "unshare"));  // excluded only with CAP_SYS_ADMIN
  json::Value admin = SeccompToOci(engine, {"CAP_SYS_ADMIN"});
  EXPECT_TRUE(SeccompMentions(admin, "mount"));
  EXPECT_FALSE(SeccompMentions(admin, "unshare"));
}

TEST(SeccompToOci, LeavesOciFormAlone) {
  json::Value oci = Parse(
      R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]})");
  EXPECT_EQ(SeccompToOci(oci, {}).Dump(), oci.Dump());
}

TEST(SeccompVerdict, DefaultRuleErrnoAndConditions) {
  json::Value p = Parse(R"({"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[
      {"names":["getcwd","uname"],"action":"SCMP_ACT_ALLOW"},
      {"names":["keyctl"],"action":"SCMP_ACT_ERRNO","errnoRet":13},
      {"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]}]})");
  auto allow = SeccompVerdictFor(p, std::string("uname"));
  ASSERT_TRUE(allow);
  EXPECT_EQ(allow->action, "SCMP_ACT_ALLOW");
  auto keyctl = SeccompVerdictFor(p, std::string("keyctl"));
  ASSERT_TRUE(keyctl);
  EXPECT_EQ(keyctl->errno_ret, 13);
  auto dflt = SeccompVerdictFor(p, std::string("add_key"));
  ASSERT_TRUE(dflt);
  EXPECT_EQ(dflt->action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(dflt->errno_ret, 38);
  EXPECT_FALSE(SeccompVerdictFor(p, std::string("personality")));  // depends on arguments
  // A probe syscall that libc may make under two names: both must agree.
  ProbeSyscall mkdir{"mkdir", {"mkdir", "mkdirat"}, -1};
  json::Value split = Parse(
      R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]})");
  EXPECT_FALSE(SeccompVerdictFor(split, mkdir));
}

TEST(Fixtures, NamesAndListing) {
  EXPECT_EQ(FixtureName("/x/engines/docker-default.json"), "docker-default");
  EXPECT_TRUE(JsonFilesIn("/nonexistent-dir").empty());
  EXPECT_EQ(NsKind("network"), "net");
  EXPECT_EQ(NsKind("mount"), "mnt");
  EXPECT_EQ(NsKind("uts"), "uts");
}

}  // namespace
}  // namespace berth::conformance
