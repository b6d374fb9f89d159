// End to end: the benchmark program runs its floor (and runc's `run`, when
// runc is installed), writes Google Benchmark JSON that tools/plot reads, and
// the Markdown summary.
#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "bench/startup/bundle.h"
#include "bench/startup/command.h"
#include "bench/startup/curves.h"
#include "spec/json.h"

namespace berth::bench {

namespace json = spec::json;
namespace {

const json::Value* FindBenchmark(const json::Value& results, const std::string& name) {
  const json::Value* list = results.Find("benchmarks");
  if (!list) return nullptr;
  for (const auto& b : list->items) {
    const json::Value* n = b.Find("name");
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
  std::string results_path = std::string(tmp) + "/results.json", md = std::string(tmp) + "/summary.md";
  bool have_runc = access("/usr/sbin/runc", X_OK) == 0;

  auto r = RunCommand({bin, "--iterations=2", "--berth=/nonexistent/berth", "--crun=/nonexistent/crun",
                       "--spec_from=runc", "--benchmark_filter=^run/", "--benchmark_out=" + results_path,
                       "--summary_md=" + md});
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  if (!have_runc) {
    // No template without a runtime: the program must say so and fail.
    EXPECT_FALSE(r->Succeeded());
    GTEST_SKIP() << "runc is not installed: " << r->Describe();
  }
  ASSERT_TRUE(r->Succeeded()) << r->Describe();
  EXPECT_NE(r->output.find("skipping berth"), std::string::npos) << r->output;

  auto text = base::ReadFileText(results_path);
  ASSERT_TRUE(text.ok()) << text.error().ToString();
  auto results = json::Parse(*text);
  ASSERT_TRUE(results.ok()) << results.error().ToString();
  const json::Value* context = results->Find("context");
  ASSERT_NE(context, nullptr);
  ASSERT_NE(context->Find("skipped_berth"), nullptr);
  ASSERT_NE(context->Find("config_template"), nullptr);
  EXPECT_EQ(context->Find("config_template")->text, "runc spec, ociVersion 1.0.2");

  for (const char* name : {"run/floor", "run/runc"}) {
    const json::Value* b = FindBenchmark(*results, name);
    ASSERT_NE(b, nullptr) << name;
    EXPECT_EQ(b->Find("error_occurred"), nullptr) << name << ": " << b->Dump();
    ASSERT_NE(b->Find("real_time"), nullptr);
    EXPECT_GT(std::stod(b->Find("real_time")->text), 0) << name;
    ASSERT_NE(b->Find("peak_rss_KiB"), nullptr) << name;
    EXPECT_GT(std::stod(b->Find("peak_rss_KiB")->text), 0) << name;
  }

  auto summary = base::ReadFileText(md);
  ASSERT_TRUE(summary.ok());
  EXPECT_NE(summary->find("### run (ms)"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("| runc | 2 |"), std::string::npos) << *summary;
  EXPECT_NE(summary->find("| floor | 2 |"), std::string::npos) << *summary;
}

// Entries of a directory whose name starts with prefix (none if it is gone).
int CountEntries(const std::string& dir, const std::string& prefix) {
  DIR* d = opendir(dir.c_str());
  if (!d) return 0;
  int n = 0;
  while (struct dirent* e = readdir(d))
    if (std::string(e->d_name).rfind(prefix, 0) == 0) ++n;
  closedir(d);
  return n;
}

// Nothing a curves run made may outlive it: no state entry, no cgroup.
void ExpectNothingLeft(const std::string& state_dir, const std::string& prefix) {
  EXPECT_EQ(CountEntries(state_dir + "/runc", prefix), 0) << state_dir;
  EXPECT_EQ(FindDirsWithPrefix("/sys/fs/cgroup", prefix, 7), std::vector<std::string>{});
}

struct CurvesRun {
  std::string bin, state_dir, prefix, json, md;
  std::vector<std::string> Argv(const std::string& sizes) const {
    return {bin,
            "--curves",
            "--iterations=1",
            "--berth=/nonexistent/berth",
            "--crun=/nonexistent/crun",
            "--spec_from=runc",
            "--curve_sizes=" + sizes,
            "--curve_callers=1",
            "--state_dir=" + state_dir,
            "--id_prefix=" + prefix,
            "--benchmark_out=" + json,
            "--summary_md=" + md};
  }
};

CurvesRun MakeCurvesRun(const std::string& name) {
  std::string tmp = getenv("TEST_TMPDIR");
  std::string prefix = name + "-" + std::to_string(getpid()) + "-";
  return {std::string(getenv("TEST_SRCDIR")) + "/berth/bench/startup/startup_bench",
          "/run/berth-curves-test-" + std::to_string(getpid()) + "-" + name, prefix,
          tmp + "/" + name + ".json", tmp + "/" + name + ".md"};
}

TEST(StartupBenchCurves, MeasuresEveryCurveAndLeavesNothingBehind) {
  if (geteuid() != 0) GTEST_SKIP() << "the benchmark needs root";
  if (access("/usr/sbin/runc", X_OK) != 0) GTEST_SKIP() << "runc is not installed";
  CurvesRun run = MakeCurvesRun("curvetest");
  auto r = RunCommand(run.Argv("0,2"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_TRUE(r->Succeeded()) << r->Describe();
  ExpectNothingLeft(run.state_dir, run.prefix);

  auto summary = base::ReadFileText(run.md);
  ASSERT_TRUE(summary.ok());
  for (const char* table : {"### create @0 (ms)", "### list @2 (ms)", "### start @2 (ms)", "### exec @2 (ms)",
                            "### delete --force, 100 processes (ms)", "### throughput x1 (containers/s)"})
    EXPECT_NE(summary->find(table), std::string::npos) << table << "\n" << *summary;
  auto text = base::ReadFileText(run.json);
  ASSERT_TRUE(text.ok());
  auto results = json::Parse(*text);
  ASSERT_TRUE(results.ok());
  const json::Value* lifecycle = FindBenchmark(*results, "curve_lifecycle/2");
  ASSERT_NE(lifecycle, nullptr);
  EXPECT_EQ(lifecycle->Find("error_occurred"), nullptr) << lifecycle->Dump();
  ASSERT_NE(lifecycle->Find("runc_list_median"), nullptr) << lifecycle->Dump();
  ASSERT_NE(lifecycle->Find("runc_create_rss_KiB"), nullptr);
  EXPECT_EQ(std::stod(lifecycle->Find("containers_present")->text), 2);
}

// SIGTERM while containers are present: the benchmark stops, deletes them
// and their cgroups, and exits.
TEST(StartupBenchCurves, ATerminatedRunDeletesWhatItMade) {
  if (geteuid() != 0) GTEST_SKIP() << "the benchmark needs root";
  if (access("/usr/sbin/runc", X_OK) != 0) GTEST_SKIP() << "runc is not installed";
  CurvesRun run = MakeCurvesRun("curveterm");
  auto argv = run.Argv("200");
  argv.push_back("--benchmark_filter=curve_lifecycle");
  auto spawned = Spawn(argv);
  ASSERT_TRUE(spawned.ok()) << spawned.error().ToString();
  // Wait (up to 60 s) until a few containers are present, then terminate.
  int present = 0;
  for (int i = 0; i < 600 && present < 3; ++i) {
    struct timespec t = {0, 100L * 1000 * 1000};
    nanosleep(&t, nullptr);
    present = CountEntries(run.state_dir + "/runc", run.prefix);
  }
  kill(spawned->pid, SIGTERM);
  auto r = Reap(*spawned);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_GE(present, 3) << "no containers appeared: " << r->Describe();
  ExpectNothingLeft(run.state_dir, run.prefix);
}

}  // namespace
}  // namespace berth::bench
