#include "conformance/harness/probe_report.h"

#include <gtest/gtest.h>

namespace berth::conformance {

namespace json = spec::json;
namespace {

TEST(ProbeReport, FindsReportLineAmongOtherOutput) {
  auto r = ParseProbeOutput("noise\n{\"signal\":1}\n{\"pid\":1,\"hostname\":\"h\"}\n");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ((*r)["hostname"].as_string(), "h");
  EXPECT_FALSE(ParseProbeOutput("").ok());
  EXPECT_FALSE(ParseProbeOutput("{\"signal\":1}\n").ok());
}

TEST(ProbeReport, ParsesMountInfoLines) {
  auto m = ParseMountInfoLine(
      "36 35 98:0 /mnt1 /mnt\\040dir rw,nosuid,noatime shared:1 master:2 - ext3 /dev/root rw,errors=continue");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->id, 36);
  EXPECT_EQ(m->parent, 35);
  EXPECT_EQ(m->root, "/mnt1");
  EXPECT_EQ(m->mount_point, "/mnt dir");
  EXPECT_TRUE(m->HasOption("nosuid"));
  EXPECT_FALSE(m->HasOption("ro"));
  EXPECT_EQ(m->fs_type, "ext3");
  EXPECT_EQ(m->source, "/dev/root");
  EXPECT_TRUE(m->HasSuperOption("errors"));
  EXPECT_EQ(m->Propagation(), "shared");  // shared and slave: still shared
  auto slave = ParseMountInfoLine("2 1 0:1 / /s rw master:4 - tmpfs tmpfs rw");
  ASSERT_TRUE(slave.has_value());
  EXPECT_EQ(slave->Propagation(), "slave");
  auto unbindable = ParseMountInfoLine("3 1 0:1 / /u rw unbindable - tmpfs tmpfs rw");
  ASSERT_TRUE(unbindable.has_value());
  EXPECT_EQ(unbindable->Propagation(), "unbindable");
  auto p = ParseMountInfoLine("1 0 0:1 / / ro - tmpfs tmpfs ro");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->Propagation(), "private");
  EXPECT_FALSE(ParseMountInfoLine("garbage").has_value());
}

TEST(ProbeReport, FindMountReturnsTopMost) {
  auto r = json::Parse(
      R"({"pid":1,"mountinfo":["1 0 0:1 / /dev rw - tmpfs a rw","2 1 0:2 / /dev ro - tmpfs b ro"]})");
  ASSERT_TRUE(r.ok());
  auto m = FindMount(*r, "/dev");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->source, "b");
  EXPECT_FALSE(FindMount(*r, "/proc").has_value());
}

TEST(ProbeReport, CapabilitiesAndActions) {
  EXPECT_EQ(CapabilityBit("CAP_CHOWN"), 0);
  EXPECT_EQ(CapabilityBit("CAP_SYS_ADMIN"), 21);
  EXPECT_FALSE(CapabilityBit("CAP_NOPE").has_value());
  EXPECT_EQ(CapabilityMask({"CAP_KILL", "CAP_NET_BIND_SERVICE"}), (1u << 5) | (1u << 10));
  auto r = json::Parse(R"({"pid":1,"status":{"CapEff":"00000000a80425fb"},"ns":{"pid":42},)"
                       R"("actions":[{"op":"read","arg":"/x","ok":0,"errno":2}]})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(CapabilitySet(*r, "CapEff"), 0xa80425fbu);
  EXPECT_FALSE(CapabilitySet(*r, "CapInh").has_value());
  EXPECT_EQ(NamespaceInode(*r, "pid"), 42);
  const json::Value* a = ActionResult(*r, "read", "/x");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->Find("errno")->as_int(), 2);
  EXPECT_EQ(ActionResult(*r, "write", "/x"), nullptr);
}

}  // namespace
}  // namespace berth::conformance
