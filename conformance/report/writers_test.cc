#include "conformance/report/writers.h"

#include <gtest/gtest.h>

namespace berth::conformance {
namespace {

std::vector<RuntimeResults> SampleRuns() {
  RuntimeResults a{"alpha", "/bin/alpha", "alpha 1.0", {}};
  a.cases.push_back({"case_pass", {"r.md#x-1"}, {{"r.md#x-1", Outcome::pass, ""}}, 0.5});
  a.cases.push_back({"case_fail", {"r.md#x-2"}, {{"r.md#x-2", Outcome::fail, "expected <1> & got 2"}}, 0.1});
  RuntimeResults b{"beta", "/bin/beta", "beta", {}};
  b.cases.push_back({"case_pass", {"r.md#x-1"}, {{"r.md#x-1", Outcome::skip, "no AppArmor"}}, 0});
  b.cases.push_back({"case_fail", {"r.md#x-2"}, {{"r.md#x-2", Outcome::pass, ""}}, 0});
  return {a, b};
}

std::vector<Requirement> SampleRegistry() {
  return {{"r.md#x-1", "MUST", "linux", "One MUST."},
          {"r.md#x-2", "SHOULD", "linux", "Two | SHOULD."},
          {"r.md#x-3", "MUST", "windows", "Windows MUST."},
          {"r.md#x-4", "MUST", "linux", "Four MUST."}};
}

TEST(Results, AggregationPrefersFailThenPass) {
  RuntimeResults r{"x", "x", "", {}};
  r.cases.push_back({"c1", {"id"}, {{"id", Outcome::pass, ""}}, 0});
  r.cases.push_back({"c2", {"id"}, {{"id", Outcome::skip, "why"}}, 0});
  EXPECT_EQ(AggregateByRequirement(r)["id"].outcome, Outcome::pass);
  r.cases.push_back({"c3", {"id"}, {{"id", Outcome::fail, "bad"}}, 0});
  auto cells = AggregateByRequirement(r);
  EXPECT_EQ(cells["id"].outcome, Outcome::fail);
  EXPECT_EQ(cells["id"].detail, "c3: bad");
  EXPECT_EQ(cells["id"].cases.size(), 3u);
}

TEST(Writers, TapHasPlanAndDirectives) {
  std::string tap = WriteTap(SampleRuns());
  EXPECT_EQ(tap.rfind("TAP version 13\n1..4\n", 0), 0u);
  EXPECT_NE(tap.find("ok 1 - alpha: case_pass"), std::string::npos);
  EXPECT_NE(tap.find("not ok 2 - alpha: case_fail"), std::string::npos);
  EXPECT_NE(tap.find("ok 3 - beta: case_pass # SKIP r.md#x-1: no AppArmor"), std::string::npos);
  EXPECT_NE(tap.find("detail: 'expected <1> & got 2'"), std::string::npos);
}

TEST(Writers, JunitCountsAndEscapes) {
  std::string xml = WriteJunit(SampleRuns());
  EXPECT_NE(xml.find("<testsuite name=\"alpha\" tests=\"2\" failures=\"1\" skipped=\"0\""),
            std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"beta\" tests=\"2\" failures=\"0\" skipped=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("expected &lt;1&gt; &amp; got 2"), std::string::npos);
  EXPECT_EQ(xml.find("<1>"), std::string::npos);
}

TEST(Writers, MarkdownMatrixHasOneRowPerRequirement) {
  auto runs = SampleRuns();
  auto registry = SampleRegistry();
  auto not_checkable = NotCheckableReasons(registry, "# comment\nr.md#x-4\tneeds hardware\n");
  MatrixInput in{&registry, &runs, &not_checkable, "today"};
  Coverage cov = ComputeCoverage(in);
  EXPECT_EQ(cov.total, 4);
  EXPECT_EQ(cov.checked, 2);
  EXPECT_EQ(cov.not_checkable, 2);
  EXPECT_EQ(cov.unchecked, 0);
  std::string md = WriteMarkdown(in);
  EXPECT_NE(md.find("| `r.md#x-1` | MUST | pass | skip: no AppArmor | One MUST. |"), std::string::npos) << md;
  EXPECT_NE(
      md.find("| `r.md#x-2` | SHOULD | **fail**: case_fail: expected <1> & got 2 | pass | Two \\| SHOULD. |"),
      std::string::npos);
  EXPECT_NE(md.find("not checkable here: applies to windows only"), std::string::npos);
  EXPECT_NE(md.find("not checkable here: needs hardware"), std::string::npos);
}

TEST(Writers, ExtraIdsGetTheirOwnSection) {
  auto runs = SampleRuns();
  runs[0].cases.push_back(
      {"cve", {"security.md#cve-1"}, {{"security.md#cve-1", Outcome::fail, "leaked"}}, 0});
  auto registry = SampleRegistry();
  std::map<std::string, std::string> none;
  MatrixInput in{&registry, &runs, &none, ""};
  std::string md = WriteMarkdown(in);
  EXPECT_NE(md.find("| `security.md#cve-1` | **fail**: cve: leaked | — |"), std::string::npos) << md;
  EXPECT_EQ(ComputeCoverage(in).total, 4);  // regressions are not spec requirements
  EXPECT_NE(WriteHtml(in).find("security.md#cve-1"), std::string::npos);
}

TEST(Writers, HtmlIsSelfContainedAndEscaped) {
  auto runs = SampleRuns();
  auto registry = SampleRegistry();
  std::map<std::string, std::string> none;
  MatrixInput in{&registry, &runs, &none, ""};
  std::string html = WriteHtml(in);
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"fail\">fail: case_fail: expected &lt;1&gt; &amp; got 2</td>"),
            std::string::npos);
  EXPECT_NE(html.find("(not covered)"), std::string::npos);
}

}  // namespace
}  // namespace berth::conformance
