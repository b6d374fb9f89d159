// End to end: the benchmark program runs its floor (and runc's `run`, when
// runc is installed), writes Google Benchmark JSON that tools/plot reads, and
// the Markdown summary.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "bench/startup/bundle.h"
#include "bench/startup/command.h"
#include "bench/startup/json_value.h"

namespace berth::bench {
namespace {

const JsonValue* FindBenchmark(const JsonValue& results, const std::string& name) {
  const JsonValue* list = results.Find("benchmarks");
  if (!list) return nullptr;
  for (const auto& b : list->items) {
    const JsonValue* n = b.Find("name");
    if (n && n->text.rfind(name + "/", 0) == 0) return &b;
  }
  return nullptr;
}

TEST(StartupBench, RunsTheFloorAndRuncAndWritesJsonAndSummary) {
  if (geteuid() != 0) GTEST_SKIP() << "the benchmark needs root";
  const char* srcdir = getenv("TEST_SRCDIR");
  const char* tmp = getenv("TEST_TMPDIR");
  ASSERT_NE(srcdir, nullptr);
  ASSERT_NE(tmp, nullptr);
  std::string bin = std::string(srcdir) + "/berth/bench/startup/startup_bench";
  std::string json = std::string(tmp) + "/results.json", md = std::string(tmp) + "/summary.md";
  bool have_runc = access("/usr/sbin/runc", X_OK) == 0;

  auto r = RunCommand({bin, "--iterations=2", "--berth=/nonexistent/berth",
                       "--crun=/nonexistent/crun", "--spec_from=runc",
                       "--benchmark_filter=^run/", "--benchmark_out=" + json,
                       "--summary_md=" + md});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  if (!have_runc) {
    // No template without a runtime: the program must say so and fail.
    EXPECT_FALSE(r->Succeeded());
    GTEST_SKIP() << "runc is not installed: " << r->Describe();
  }
  ASSERT_TRUE(r->Succeeded()) << r->Describe();
  EXPECT_NE(r->output.find("skipping berth"), std::string::npos) << r->output;

  auto text = base::ReadFileText(json);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  auto results = ParseJson(*text);
  ASSERT_TRUE(results.ok()) << results.error().ToString();
  const JsonValue* context = results->Find("context");
  ASSERT_NE(context, nullptr);
  ASSERT_NE(context->Find("skipped_berth"), nullptr);
  ASSERT_NE(context->Find("config_template"), nullptr);
  EXPECT_EQ(context->Find("config_template")->text, "runc spec, ociVersion 1.0.2");

  for (const char* name : {"run/floor", "run/runc"}) {
    const JsonValue* b = FindBenchmark(*results, name);
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(b->Find("error_occurred"), nullptr) << name << ": "
                                                   << SerializeJson(*b, false);
    ASSERT_NE(b->Find("real_time"), nullptr);
    EXPECT_GT(std::stod(b->Find("real_time")->text), 0) << name;
    ASSERT_NE(b->Find("peak_rss_KiB"), nullptr) << name;
    EXPECT_GT(std::stod(b->Find("peak_rss_KiB")->text), 0) << name;
  }
  // A runtime is slower than clone+exec alone.
  EXPECT_GT(std::stod(FindBenchmark(*results, "run/runc")->Find("real_time")->text),
            std::stod(FindBenchmark(*results, "run/floor")->Find("real_time")->text));

  auto summary = base::ReadFileText(md);
  ASSERT_TRUE(summary.ok());
  EXPECT_NE(summary->find("### run (ms)"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("| runc | 2 |"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("| floor | 2 |"), std::string::npos) << *summary;
}

}  // namespace
}  // namespace berth::bench
