#include "runtime/intelrdt/schemata.h"

#include <gtest/gtest.h>

namespace berth::intelrdt {
namespace {

spec::IntelRdt Rdt(std::string l3, std::string mb, std::vector<std::string> lines = {}) {
  spec::IntelRdt r;
  r.l3CacheSchema = std::move(l3);
  r.memBwSchema = std::move(mb);
  r.schemata = std::move(lines);
  return r;
}

TEST(Validate, AcceptsTheSpecExamples) {
  EXPECT_TRUE(Validate(Rdt("L3:0=7f0;1=1f", "MB:0=20;1=70")));
  spec::IntelRdt r = Rdt("", "", {"L3:0=7f0;1=1f", "L2:0=f;1=f;2=f;3=f", "MB:0=20;1=70"});
  r.closID = "guaranteed_group";
  EXPECT_TRUE(Validate(r));
  r.closID = "/";
  EXPECT_TRUE(Validate(r));
}

TEST(Validate, RejectsNewlinesInEveryField) {
  auto l3 = Validate(Rdt("L3:0=f\nMB:0=1", ""));
  ASSERT_FALSE(l3);
  EXPECT_NE(l3.error().message().find("linux.intelRdt.l3CacheSchema: must not contain newlines"),
            std::string::npos);
  auto mb = Validate(Rdt("", "MB:0=1\n"));
  ASSERT_FALSE(mb);
  EXPECT_NE(mb.error().message().find("memBwSchema"), std::string::npos);
  auto lines = Validate(Rdt("", "", {"L3:0=f", "L2:0=1\nL2:1=1"}));
  ASSERT_FALSE(lines);
  EXPECT_NE(lines.error().message().find("schemata[1]"), std::string::npos);
  spec::IntelRdt clos;
  clos.closID = "a\nb";
  EXPECT_FALSE(Validate(clos));
}

TEST(Validate, MemBwSchemaStartsWithMB) {
  auto r = Validate(Rdt("", "L3:0=1"));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("\"MB:\""), std::string::npos);
}

TEST(Validate, ClosIdIsRootOrOneName) {
  for (const char* bad : {"a/b", "..", ".", "/a", "a/"}) {
    spec::IntelRdt r;
    r.closID = bad;
    EXPECT_FALSE(Validate(r)) << bad;
  }
}

TEST(SchemaLines, L3ThenMemBwThenSchemata) {
  EXPECT_EQ(SchemaLines(Rdt("L3:0=f", "MB:0=20", {"L2:0=3", "MB:1=30"})),
            (std::vector<std::string>{"L3:0=f", "MB:0=20", "L2:0=3", "MB:1=30"}));
  EXPECT_EQ(SchemaLines(Rdt("", "MB:0=20")), (std::vector<std::string>{"MB:0=20"}));
  EXPECT_TRUE(SchemaLines(spec::IntelRdt{}).empty());
  EXPECT_FALSE(HasSchemas(spec::IntelRdt{}));
  EXPECT_TRUE(HasSchemas(Rdt("", "", {"L2:0=1"})));
  EXPECT_TRUE(HasSchemas(Rdt("L3:0=1", "")));
}

TEST(ParseSchemata, KernelFileWithPaddingAndZeros) {
  auto map = ParseSchemataFile("    L3:0=007ff;1=7FF\n    MB:0= 100;1=100\nL2:0=0\n\n");
  ASSERT_TRUE(map) << map.error().ToString();
  EXPECT_EQ((*map)["L3"]["0"], "7ff");
  EXPECT_EQ((*map)["L3"]["1"], "7ff");
  EXPECT_EQ((*map)["MB"]["0"], "100");
  EXPECT_EQ((*map)["L2"]["0"], "0");
}

TEST(ParseSchemata, LaterLinesOverrideEarlierDomains) {
  auto map = ParseSchemata({"L3:0=f;1=f", "L3:1=3"});
  ASSERT_TRUE(map);
  EXPECT_EQ((*map)["L3"]["0"], "f");
  EXPECT_EQ((*map)["L3"]["1"], "3");
}

TEST(ParseSchemata, RejectsMalformedLines) {
  EXPECT_FALSE(ParseSchemata({"L3"}));
  EXPECT_FALSE(ParseSchemata({":0=1"}));
  EXPECT_FALSE(ParseSchemata({"L3:0"}));
  EXPECT_FALSE(ParseSchemata({"L3:=f"}));
  EXPECT_FALSE(ParseSchemata({"L3:0="}));
}

TEST(CheckSchemataMatch, ComparesOnlyTheDomainsTheConfigNames) {
  SchemaMap existing = *ParseSchemataFile("    L3:0=07f0;1=7ff\n    MB:0=20;1=100\n");
  EXPECT_TRUE(CheckSchemataMatch(existing, *ParseSchemata({"L3:0=7F0", "MB:0=20"})));
  EXPECT_TRUE(CheckSchemataMatch(existing, *ParseSchemata({"L3:0=0x7f0;1=7ff"})));

  auto differs = CheckSchemataMatch(existing, *ParseSchemata({"L3:0=f"}));
  ASSERT_FALSE(differs);
  EXPECT_EQ(differs.error().message(), "L3 domain 0 is 7f0, the config wants f");
  auto no_line = CheckSchemataMatch(existing, *ParseSchemata({"L2:0=f"}));
  ASSERT_FALSE(no_line);
  EXPECT_NE(no_line.error().message().find("no L2 line"), std::string::npos);
  auto no_domain = CheckSchemataMatch(existing, *ParseSchemata({"MB:2=20"}));
  ASSERT_FALSE(no_domain);
  EXPECT_NE(no_domain.error().message().find("MB domain 2"), std::string::npos);
}

}  // namespace
}  // namespace berth::intelrdt
