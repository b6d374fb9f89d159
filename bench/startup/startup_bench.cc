// Start-up benchmarks: berth against runc, crun and the bare-kernel floor,
// all measured in one run, in one private mount namespace, with one config.
//
//   startup_bench [--berth=PATH] [--runc=PATH] [--crun=PATH] [--iterations=N]
//                 [--berth_unprotected=PATH] [--berth_memfd=PATH]
//                 [--spec_from=auto|berth|runc] [--hide_cgroup2=true|false]
//                 [--oci_version=1.0.2 ("" keeps the template's)] [--keep]
//                 [--timeout_ms=60000 (a runtime command running longer is killed)]
//                 [--summary_md=FILE] [--curves] [--curve_sizes=0,100,1000]
//                 [--curve_callers=1,2,4,8] [--state_dir=DIR] [--id_prefix=P]
//                 [--sweep] [--berth_variant=NAME=PATH ...] [Google Benchmark flags, e.g.
//                 --benchmark_repetitions=3 --benchmark_out=results.json]
//
// Families (one benchmark per runtime each):
//   run/RT                  `RT run` of a static /bin/true, the spec template's config
//   run/floor               clone() with the same CLONE_NEW* flags + execve + wait4
//   run/floor_rootfs        the same plus the template's mounts, device nodes and
//                           pivot_root (floor_rootfs.h): what no runtime can skip
//   run/floor_cgroups       floor_rootfs plus the container's cgroup made, joined
//                           (while the child mounts) and removed in every
//                           hierarchy under /sys/fs/cgroup
//   run_host_cgroups/RT     `RT run` in the host's mount namespace (hybrid cgroups
//                           visible), only when the benchmark hid cgroup2
//   create_start_delete/RT  `RT create`, `RT start`, `RT delete --force`
//   exec/RT                 `RT exec ID /bin/true` into a running container
//   throughput_2x/RT        batches of `RT run`, two in flight (containers/s)
//   protect_self/RT         `RT exec --help`, berth variants only: the
//                           CVE-2019-5736 re-exec (runtime/base/sealed_self.h)
//                           and nothing else
// berth-unprotected (//bench/startup:berth_unprotected, without that re-exec)
// and berth-memfd (its sealed-memfd fallback forced) are measured in run,
// create_start_delete, exec and protect_self when their paths are given, as
// is every --berth_variant=NAME=PATH (other builds of berth, e.g. -O3 or
// LTO, measured as berth-NAME in the same interleaved run).
// Every runtime command's peak RSS (wait4 ru_maxrss) is the peak_rss_KiB counter.
//
// --curves measures how cost grows instead (bench/startup/curves.h):
// curve_lifecycle/N, curve_throughput/C, curve_delete_100_processes, for
// berth, runc and crun interleaved; every container it made is deleted on
// every exit path (SIGINT/SIGTERM/SIGHUP included). --sweep only does that
// teardown, for the --state_dir and --id_prefix of a run that was killed.
#include <benchmark/benchmark.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/startup/bundle.h"
#include "bench/startup/command.h"
#include "bench/startup/curves.h"
#include "bench/startup/floor_rootfs.h"
#include "bench/startup/mount_namespace.h"
#include "bench/startup/stats.h"
#include "spec/json.h"

namespace berth::bench {

namespace json = spec::json;
namespace {

struct Options {
  std::string berth;  // empty: look next to this binary in bazel-bin
  // Benchmark-only builds of berth (bench/startup/BUILD); measured only when given.
  std::string berth_unprotected, berth_memfd;
  std::vector<std::pair<std::string, std::string>> berth_variants;  // name, path
  std::string runc = "/usr/sbin/runc";
  std::string crun = "/usr/bin/crun";
  std::string spec_from = "auto";
  // The peers predate runtime-spec 1.3 (crun 1.8.1 rejects "1.3.0"); the
  // default config uses nothing newer than 1.0.
  std::string oci_version = "1.0.2";
  std::string summary_md;
  std::string static_true, static_pause, static_spawn;
  int iterations = 20;
  bool hide_cgroup2 = true;
  bool keep = false;
  bool curves = false;  // the curves instead of the start-up families
  bool sweep = false;   // only delete what a killed --curves run left
  std::vector<int> curve_sizes = {0, 100, 1000};
  std::vector<int> curve_callers = {1, 2, 4, 8};
  std::string state_dir;  // default /run/berth-bench-PID
  std::string id_prefix;  // default curve-PID-
};

struct Runtime {
  std::string name;
  std::string path;
  std::string state_root;
  bool berth_variant = false;  // a benchmark-only build of berth
};

// Everything the benchmark functions share; set up once in main.
struct Bench {
  Options options;
  std::string work_dir;      // rootfs and bundles
  std::string state_dir;     // one --root per runtime under it
  std::string true_bundle;   // args ["/bin/true"]
  std::string pause_bundle;  // args ["/bin/pause"]
  std::string floor_true;    // host path of the static true
  std::string rootfs;        // the bundles' rootfs (floor_rootfs pivots into it)
  uint64_t clone_flags = 0;
  int host_mount_ns_fd = -1;  // the namespace with the host's full cgroup view
  std::vector<std::unique_ptr<Runtime>> runtimes;
  std::vector<std::unique_ptr<SummaryRow>> rows;
  int next_id = 0;

  std::string NextId() { return "bench-" + std::to_string(getpid()) + "-" + std::to_string(next_id++); }
  SummaryRow* Row(const std::string& family, const std::string& runtime, const std::string& unit) {
    rows.push_back(std::make_unique<SummaryRow>(SummaryRow{family, runtime, unit, {}, {}, {}}));
    return rows.back().get();
  }
};

Bench* g_bench = nullptr;

// Which mount namespace a benchmark runs the runtime in: the benchmark's own
// (cgroup2 hidden on a hybrid host) or the host's.
enum class View { kBench, kHost };

int MountNsFd(View view) { return view == View::kHost ? g_bench->host_mount_ns_fd : -1; }

std::vector<std::string> Cmd(const Runtime& rt, std::vector<std::string> rest) {
  std::vector<std::string> argv = {rt.path, "--root", rt.state_root};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

// Marks the benchmark as errored, and keeps the message for the summary.
void Fail(benchmark::State& state, SummaryRow* row, const std::string& message) {
  row->error = message;
  state.SkipWithError(message.c_str());
}

// Runs a runtime command; on failure marks the benchmark as errored.
bool Step(benchmark::State& state, SummaryRow* row, const std::vector<std::string>& argv, CommandResult* out,
          View view = View::kBench) {
  auto r = RunCommand(argv, MountNsFd(view));
  std::string what = argv.size() > 3 ? argv[3] : argv[0];
  if (!r) {
    Fail(state, row, what + ": " + r.error().ToString());
    return false;
  }
  if (!r->Succeeded()) {
    Fail(state, row, what + " failed: " + r->Describe());
    return false;
  }
  *out = std::move(*r);
  return true;
}

void ForceDelete(const Runtime& rt, const std::string& id, View view = View::kBench) {
  (void)RunCommand(Cmd(rt, {"delete", "--force", id}), MountNsFd(view));
}

void BM_Run(benchmark::State& state, Runtime* rt, SummaryRow* row, View view) {
  long peak = 0;
  for (auto _ : state) {
    std::string id = g_bench->NextId();
    CommandResult r;
    if (!Step(state, row, Cmd(*rt, {"run", "--bundle", g_bench->true_bundle, id}), &r, view)) {
      ForceDelete(*rt, id, view);
      break;
    }
    row->samples.push_back(r.wall_ms);
    peak = std::max(peak, r.max_rss_kib);
  }
  row->peak_rss_kib = std::max<double>(row->peak_rss_kib.value_or(0), static_cast<double>(peak));
  state.counters["peak_rss_KiB"] = static_cast<double>(peak);
}

// run/floor_rootfs (with_cgroups false) and run/floor_cgroups (floor_rootfs.h).
void BM_FloorRootfs(benchmark::State& state, SummaryRow* row, bool with_cgroups) {
  long peak = 0;
  std::vector<std::string> hierarchies;
  if (with_cgroups) {
    auto found = CgroupHierarchies();
    if (!found || found->empty()) {
      Fail(state, row, found ? "no cgroup hierarchy under /sys/fs/cgroup" : found.error().ToString());
      return;
    }
    hierarchies = *found;
  }
  static int serial = 0;
  for (auto _ : state) {
    std::string name = "berth-floor-" + std::to_string(getpid()) + "-" + std::to_string(++serial);
    auto r = RunFloorRootfs(g_bench->clone_flags, g_bench->rootfs, "/bin/true", hierarchies, name);
    if (!r || !r->Succeeded()) {
      Fail(state, row, r ? "floor child failed: " + r->Describe() : r.error().ToString());
      break;
    }
    row->samples.push_back(r->wall_ms);
    peak = std::max(peak, r->max_rss_kib);
  }
  row->peak_rss_kib = static_cast<double>(peak);
  state.counters["peak_rss_KiB"] = static_cast<double>(peak);
}

void BM_Floor(benchmark::State& state, SummaryRow* row) {
  long peak = 0;
  for (auto _ : state) {
    auto r = RunInNewNamespaces(g_bench->clone_flags, g_bench->floor_true);
    if (!r || !r->Succeeded()) {
      Fail(state, row, r ? "floor child failed: " + r->Describe() : r.error().ToString());
      break;
    }
    row->samples.push_back(r->wall_ms);
    peak = std::max(peak, r->max_rss_kib);
  }
  row->peak_rss_kib = static_cast<double>(peak);
  state.counters["peak_rss_KiB"] = static_cast<double>(peak);
}

void BM_CreateStartDelete(benchmark::State& state, Runtime* rt, SummaryRow* row) {
  double create_ms = 0, start_ms = 0, delete_ms = 0;
  long peak = 0;
  for (auto _ : state) {
    std::string id = g_bench->NextId();
    CommandResult c, s, d;
    bool ok = Step(state, row, Cmd(*rt, {"create", "--bundle", g_bench->true_bundle, id}), &c) &&
              Step(state, row, Cmd(*rt, {"start", id}), &s) &&
              Step(state, row, Cmd(*rt, {"delete", "--force", id}), &d);
    if (!ok) {
      ForceDelete(*rt, id);
      break;
    }
    create_ms += c.wall_ms;
    start_ms += s.wall_ms;
    delete_ms += d.wall_ms;
    peak = std::max({peak, c.max_rss_kib, s.max_rss_kib, d.max_rss_kib});
    row->samples.push_back(c.wall_ms + s.wall_ms + d.wall_ms);
  }
  using benchmark::Counter;
  state.counters["create_ms"] = Counter(create_ms, Counter::kAvgIterations);
  state.counters["start_ms"] = Counter(start_ms, Counter::kAvgIterations);
  state.counters["delete_ms"] = Counter(delete_ms, Counter::kAvgIterations);
  state.counters["peak_rss_KiB"] = static_cast<double>(peak);
  row->peak_rss_kib = std::max<double>(row->peak_rss_kib.value_or(0), static_cast<double>(peak));
}

void BM_Exec(benchmark::State& state, Runtime* rt, SummaryRow* row) {
  std::string id = g_bench->NextId();
  CommandResult r;
  // The long-running container is set up outside the timed loop.
  if (!Step(state, row, Cmd(*rt, {"create", "--bundle", g_bench->pause_bundle, id}), &r) ||
      !Step(state, row, Cmd(*rt, {"start", id}), &r)) {
    ForceDelete(*rt, id);
    return;
  }
  long peak = 0;
  for (auto _ : state) {
    if (!Step(state, row, Cmd(*rt, {"exec", id, "/bin/true"}), &r)) {
      break;
    }
    row->samples.push_back(r.wall_ms);
    peak = std::max(peak, r.max_rss_kib);
  }
  (void)RunCommand(Cmd(*rt, {"kill", id, "KILL"}));
  ForceDelete(*rt, id);
  state.counters["peak_rss_KiB"] = static_cast<double>(peak);
  row->peak_rss_kib = std::max<double>(row->peak_rss_kib.value_or(0), static_cast<double>(peak));
}

// `RT exec --help`: no container, only what berth does before its command's
// flags are parsed, i.e. the CVE-2019-5736 re-exec for exec/create/run.
void BM_ProtectSelf(benchmark::State& state, Runtime* rt, SummaryRow* row) {
  long peak = 0;
  for (auto _ : state) {
    CommandResult r;
    if (!Step(state, row, Cmd(*rt, {"exec", "--help"}), &r)) break;
    row->samples.push_back(r.wall_ms);
    peak = std::max(peak, r.max_rss_kib);
  }
  row->peak_rss_kib = static_cast<double>(peak);
  state.counters["peak_rss_KiB"] = static_cast<double>(peak);
}

// Each iteration runs a batch of containers keeping two `run`s in flight;
// one sample per batch, in containers per second.
void BM_Throughput(benchmark::State& state, Runtime* rt, SummaryRow* row) {
  constexpr int kBatch = 10, kInFlight = 2;
  for (auto _ : state) {
    int64_t start = MonotonicNanos();
    std::vector<Spawned> running;
    std::vector<std::string> ids;
    int started = 0, finished = 0;
    std::string failure;
    while (finished < kBatch && failure.empty()) {
      while (static_cast<int>(running.size()) < kInFlight && started < kBatch) {
        std::string id = g_bench->NextId();
        auto s = Spawn(Cmd(*rt, {"run", "--bundle", g_bench->true_bundle, id}));
        if (!s) {
          failure = s.error().ToString();
          break;
        }
        running.push_back(*s);
        ids.push_back(id);
        ++started;
      }
      if (running.empty()) break;
      auto done = WaitAny(running);
      if (!done) {
        failure = done.error().ToString();
        break;
      }
      auto r = Reap(running[*done]);
      if (!r || !r->Succeeded()) {
        failure = r ? r->Describe() : r.error().ToString();
        ForceDelete(*rt, ids[*done]);
      }
      running.erase(running.begin() + static_cast<long>(*done));
      ids.erase(ids.begin() + static_cast<long>(*done));
      ++finished;
    }
    for (size_t i = 0; i < running.size(); ++i) {
      (void)Reap(running[i]);
      ForceDelete(*rt, ids[i]);
    }
    if (!failure.empty()) {
      Fail(state, row, "run failed: " + failure);
      break;
    }
    double seconds = static_cast<double>(MonotonicNanos() - start) / 1e9;
    row->samples.push_back(kBatch / seconds);
  }
  state.SetItemsProcessed(state.iterations() * kBatch);
}

// ------------------------------------------------------------------ setup

Result<std::vector<int>> ParseInts(const std::string& text) {
  std::vector<int> out;
  size_t from = 0;
  while (from <= text.size()) {
    size_t comma = text.find(',', from);
    std::string item = text.substr(from, comma == std::string::npos ? std::string::npos : comma - from);
    char* end = nullptr;
    long v = std::strtol(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 0 || v > 100000)
      return Error("not a list of counts: \"" + text + "\"");
    out.push_back(static_cast<int>(v));
    if (comma == std::string::npos) break;
    from = comma + 1;
  }
  return out;
}

bool ParseFlag(const std::string& arg, const char* name, std::string* value) {
  std::string prefix = std::string("--") + name + "=";
  if (arg.rfind(prefix, 0) != 0) return false;
  *value = arg.substr(prefix.size());
  return true;
}

Result<Options> ParseOptions(int argc, char** argv) {
  Options o;
  // The error_code overloads: a failure is an error value, not an exception
  // that ends the program without a message.
  std::error_code ec;
  std::string exe_dir = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
  if (ec) return Error(ec.value(), "readlink /proc/self/exe: " + ec.message());
  o.static_true = exe_dir + "/static_true";
  o.static_pause = exe_dir + "/static_pause";
  o.static_spawn = exe_dir + "/static_spawn";
  std::string default_berth = exe_dir + "/../../runtime/berth";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v;
    if (ParseFlag(a, "berth", &o.berth) || ParseFlag(a, "runc", &o.runc) || ParseFlag(a, "crun", &o.crun) ||
        ParseFlag(a, "spec_from", &o.spec_from) || ParseFlag(a, "berth_unprotected", &o.berth_unprotected) ||
        ParseFlag(a, "berth_memfd", &o.berth_memfd) || ParseFlag(a, "oci_version", &o.oci_version) ||
        ParseFlag(a, "summary_md", &o.summary_md) || ParseFlag(a, "static_true", &o.static_true) ||
        ParseFlag(a, "static_pause", &o.static_pause) || ParseFlag(a, "static_spawn", &o.static_spawn) ||
        ParseFlag(a, "state_dir", &o.state_dir) || ParseFlag(a, "id_prefix", &o.id_prefix)) {
    } else if (ParseFlag(a, "iterations", &v)) {
      o.iterations = std::atoi(v.c_str());
      if (o.iterations < 1) return Error("--iterations must be >= 1");
    } else if (ParseFlag(a, "timeout_ms", &v)) {
      SetCommandTimeoutMs(std::atoi(v.c_str()));
    } else if (ParseFlag(a, "hide_cgroup2", &v)) {
      o.hide_cgroup2 = v != "false" && v != "0";
    } else if (a == "--keep") {
      o.keep = true;
    } else if (ParseFlag(a, "berth_variant", &v)) {
      auto eq = v.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == v.size())
        return Error("--berth_variant wants NAME=PATH, not \"" + v + "\"");
      o.berth_variants.emplace_back("berth-" + v.substr(0, eq), v.substr(eq + 1));
    } else if (a == "--curves") {
      o.curves = true;
    } else if (a == "--sweep") {
      o.sweep = true;
    } else if (ParseFlag(a, "curve_sizes", &v)) {
      o.curve_sizes = BERTH_TRY(ParseInts(v));
    } else if (ParseFlag(a, "curve_callers", &v)) {
      o.curve_callers = BERTH_TRY(ParseInts(v));
      for (int c : o.curve_callers)
        if (c < 1) return Error("--curve_callers: each must be >= 1");
    } else {
      return Error("unknown flag " + a + " (see the comment at the top of startup_bench.cc)");
    }
  }
  if (o.berth.empty() && access(default_berth.c_str(), X_OK) == 0) {
    o.berth = std::filesystem::canonical(default_berth, ec);
    if (ec) return Error(ec.value(), default_berth + ": " + ec.message());
  }
  return o;
}

std::string FirstLine(const std::string& s) {
  auto nl = s.find('\n');
  return nl == std::string::npos ? s : s.substr(0, nl);
}

// Writes `RT spec` into a scratch directory and returns the parsed template.
Result<json::Value> SpecTemplate(const std::string& runtime_path, const std::string& dir) {
  BERTH_TRY(RemoveTree(dir));
  if (mkdir(dir.c_str(), 0755) != 0) return Error::Sys("mkdir " + dir);
  auto r = BERTH_TRY(RunCommand({runtime_path, "spec", "--bundle", dir}));
  if (!r.Succeeded()) return Error(runtime_path + " spec: " + r.Describe());
  std::string text = BERTH_TRY(base::ReadFileText(dir + "/config.json"));
  return json::Parse(text);
}

Status WriteBundle(const std::string& dir, json::Value config, const std::string& rootfs,
                   const std::vector<std::string>& args, const std::string& oci_version) {
  BERTH_TRY(AdaptTemplate(config, rootfs, args, oci_version));
  if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return Error::Sys("mkdir " + dir);
  return WriteFile(dir + "/config.json", config.Dump(true));
}

// Picks the config template: berth's own `spec` when it works, else runc's.
Result<std::pair<std::string, json::Value>> ChooseTemplate(const Options& o, const std::string& work) {
  std::vector<std::pair<std::string, std::string>> candidates;
  if (o.spec_from == "auto" || o.spec_from == "berth") candidates.push_back({"berth", o.berth});
  if (o.spec_from == "auto" || o.spec_from == "runc") candidates.push_back({"runc", o.runc});
  if (o.spec_from == "crun") candidates.push_back({"crun", o.crun});
  std::string errors;
  for (const auto& [name, path] : candidates) {
    if (path.empty() || access(path.c_str(), X_OK) != 0) continue;
    auto t = SpecTemplate(path, work + "/template-" + name);
    if (t) return std::make_pair(name, std::move(*t));
    errors += " " + name + ": " + t.error().ToString() + ";";
    std::fprintf(stderr, "startup_bench: %s spec unusable: %s\n", name.c_str(), t.error().ToString().c_str());
  }
  return Error("no usable `spec` template (--spec_from=" + o.spec_from + ")" + errors);
}

// A runtime is benchmarked only if one `run` of the true bundle succeeds.
Status TrialRun(Runtime& rt, Bench& bench) {
  if (rt.path.empty()) return Error("not built/installed");
  if (access(rt.path.c_str(), X_OK) != 0) return Error::Sys(rt.path);
  if (mkdir(rt.state_root.c_str(), 0700) != 0 && errno != EEXIST) return Error::Sys("mkdir " + rt.state_root);
  std::string id = bench.NextId();
  auto r = BERTH_TRY(RunCommand(Cmd(rt, {"run", "--bundle", bench.true_bundle, id})));
  if (!r.Succeeded()) {
    ForceDelete(rt, id);
    return Error("trial run failed: " + r.Describe());
  }
  return Ok();
}

std::string Now() {
  char buf[64];
  time_t t = time(nullptr);
  strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", gmtime(&t));
  return buf;
}

std::string LoadAverage() {
  double load[1] = {0};
  if (getloadavg(load, 1) != 1) return "?";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", load[0]);
  return buf;
}

// The start-up families (everything but the floors and the curves).
template <class Configure>
void RegisterStartupFamilies(Bench& bench, bool cgroup2_hidden, const Configure& configure) {
  for (auto& rt : bench.runtimes)
    configure(benchmark::RegisterBenchmark(("run/" + rt->name).c_str(), BM_Run, rt.get(),
                                           bench.Row("run", rt->name, "ms"), View::kBench),
              1);
  // What hiding cgroup2 changed: the same `run` in the host's mount namespace
  // (crun cannot run there, so it has no row).
  if (cgroup2_hidden) {
    for (auto& rt : bench.runtimes) {
      if (rt->name == "crun" || rt->berth_variant) continue;
      configure(benchmark::RegisterBenchmark(("run_host_cgroups/" + rt->name).c_str(), BM_Run, rt.get(),
                                             bench.Row("run_host_cgroups", rt->name, "ms"), View::kHost),
                1);
    }
  }
  for (auto& rt : bench.runtimes)
    configure(benchmark::RegisterBenchmark(("create_start_delete/" + rt->name).c_str(), BM_CreateStartDelete,
                                           rt.get(), bench.Row("create_start_delete", rt->name, "ms")),
              2);
  for (auto& rt : bench.runtimes)
    configure(benchmark::RegisterBenchmark(("exec/" + rt->name).c_str(), BM_Exec, rt.get(),
                                           bench.Row("exec", rt->name, "ms")),
              1);
  for (auto& rt : bench.runtimes) {
    if (rt->berth_variant) continue;
    configure(benchmark::RegisterBenchmark(("throughput_2x/" + rt->name).c_str(), BM_Throughput, rt.get(),
                                           bench.Row("throughput_2x", rt->name, "containers/s")),
              10);
  }
  for (auto& rt : bench.runtimes) {
    if (rt->name.rfind("berth", 0) != 0) continue;
    configure(benchmark::RegisterBenchmark(("protect_self/" + rt->name).c_str(), BM_ProtectSelf, rt.get(),
                                           bench.Row("protect_self", rt->name, "ms")),
              1);
  }
}

int Main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  auto options = ParseOptions(argc, argv);
  if (!options) {
    std::fprintf(stderr, "startup_bench: %s\n", options.error().ToString().c_str());
    return 2;
  }
  if (geteuid() != 0) {
    std::fprintf(stderr, "startup_bench: run as root (containers need namespaces and cgroups)\n");
    return 2;
  }
  Bench bench;
  g_bench = &bench;
  bench.options = *options;

  auto ns = EnterBenchMountNamespace(options->hide_cgroup2);
  if (!ns) {
    std::fprintf(stderr, "startup_bench: %s\n", ns.error().ToString().c_str());
    return 1;
  }
  benchmark::AddCustomContext("mount_namespace", ns->description);
  bench.host_mount_ns_fd = ns->host_mount_ns_fd;

  char work_template[] = "/tmp/berth-bench-XXXXXX";
  if (!mkdtemp(work_template)) {
    std::perror("startup_bench: mkdtemp");
    return 1;
  }
  bench.work_dir = work_template;
  // State dirs on tmpfs, like every runtime's default (/run/runc, /run/crun).
  bench.state_dir =
      options->state_dir.empty() ? "/run/berth-bench-" + std::to_string(getpid()) : options->state_dir;
  CurveSetup curves;
  curves.id_prefix =
      options->id_prefix.empty() ? "curve-" + std::to_string(getpid()) + "-" : options->id_prefix;
  if (options->sweep) {
    for (const auto& [name, path] : std::vector<std::pair<std::string, std::string>>{
             {"berth", options->berth}, {"runc", options->runc}, {"crun", options->crun}})
      if (!path.empty()) curves.runtimes.push_back({name, path, bench.state_dir + "/" + name});
    auto swept = TearDownCurves(curves);
    (void)RemoveTree(work_template);
    if (!swept) {
      std::fprintf(stderr, "startup_bench: sweep: %s\n", swept.error().ToString().c_str());
      return 1;
    }
    (void)RemoveTree(bench.state_dir);
    return 0;
  }
  if (options->curves) InstallCurveStopHandlers();
  int rc = 1;
  auto cleanup = [&] {
    // Containers of the curves first: a state dir is removed only once
    // nothing it describes is left.
    if (options->curves) {
      if (auto t = TearDownCurves(curves); !t) {
        std::fprintf(stderr, "startup_bench: teardown: %s (state kept in %s)\n", t.error().ToString().c_str(),
                     bench.state_dir.c_str());
        (void)RemoveTree(bench.work_dir);
        return;
      }
    }
    if (bench.options.keep) return;
    (void)RemoveTree(bench.state_dir);
    (void)RemoveTree(bench.work_dir);
  };

  std::string rootfs = bench.work_dir + "/rootfs";
  auto st = BuildBenchRootfs(rootfs, options->static_true, options->static_pause,
                             options->curves ? options->static_spawn : "");
  if (mkdir(bench.state_dir.c_str(), 0700) != 0 && errno != EEXIST) st = Error::Sys("mkdir state dir");
  auto tmpl = ChooseTemplate(*options, bench.work_dir);
  if (!st || !tmpl) {
    std::fprintf(stderr, "startup_bench: %s\n", (!st ? st.error() : tmpl.error()).ToString().c_str());
    cleanup();
    return 1;
  }
  bench.true_bundle = bench.work_dir + "/bundle-true";
  bench.pause_bundle = bench.work_dir + "/bundle-pause";
  bench.floor_true = rootfs + "/bin/true";
  bench.rootfs = rootfs;
  auto flags = NamespaceCloneFlags(tmpl->second);
  st = WriteBundle(bench.true_bundle, tmpl->second, rootfs, {"/bin/true"}, options->oci_version);
  if (st) st = WriteBundle(bench.pause_bundle, tmpl->second, rootfs, {"/bin/pause"}, options->oci_version);
  curves.true_bundle = bench.true_bundle;
  curves.pause_bundle = bench.pause_bundle;
  curves.spawn_bundle = bench.work_dir + "/bundle-spawn";
  if (st && options->curves)
    st = WriteBundle(curves.spawn_bundle, tmpl->second, rootfs,
                     {"/bin/spawn", std::to_string(curves.spawn_processes)}, options->oci_version);
  if (!st || !flags) {
    std::fprintf(stderr, "startup_bench: %s\n", (!st ? st.error() : flags.error()).ToString().c_str());
    cleanup();
    return 1;
  }
  bench.clone_flags = *flags;
  benchmark::AddCustomContext("config_template",
                              tmpl->first + " spec, ociVersion " +
                                  (options->oci_version.empty() ? "as written" : options->oci_version));

  int iters = options->iterations;
  auto configure = [iters](benchmark::internal::Benchmark* b, int divisor) {
    b->UseRealTime()->Iterations(std::max(1, iters / divisor))->Unit(benchmark::kMillisecond);
  };
  if (!options->curves) {
    configure(benchmark::RegisterBenchmark("run/floor", BM_Floor, bench.Row("run", "floor", "ms")), 1);
    configure(benchmark::RegisterBenchmark("run/floor_rootfs", BM_FloorRootfs,
                                           bench.Row("run", "floor_rootfs", "ms"), false),
              1);
    configure(benchmark::RegisterBenchmark("run/floor_cgroups", BM_FloorRootfs,
                                           bench.Row("run", "floor_cgroups", "ms"), true),
              1);
  }

  std::vector<std::pair<std::string, std::string>> candidates = {
      {"berth", options->berth},
      {"berth-unprotected", options->berth_unprotected},
      {"berth-memfd", options->berth_memfd}};
  candidates.insert(candidates.end(), options->berth_variants.begin(), options->berth_variants.end());
  candidates.push_back({"runc", options->runc});
  candidates.push_back({"crun", options->crun});
  for (const auto& [name, path] : candidates) {
    bool variant = name.rfind("berth-", 0) == 0;
    if (variant && (path.empty() || options->curves)) continue;  // not asked for
    auto rt = std::make_unique<Runtime>(Runtime{name, path, bench.state_dir + "/" + name, variant});
    if (auto trial = TrialRun(*rt, bench); !trial) {
      std::string why = path.empty() ? "not found" : path + ": " + trial.error().ToString();
      std::fprintf(stderr, "startup_bench: skipping %s: %s\n", name.c_str(), why.c_str());
      benchmark::AddCustomContext("skipped_" + name, why);
      continue;
    }
    auto v = RunCommand({path, "--version"});
    benchmark::AddCustomContext("version_" + name, v ? FirstLine(v->output) : "?");
    bench.runtimes.push_back(std::move(rt));
  }
  if (options->curves) {
    for (auto& rt : bench.runtimes) curves.runtimes.push_back({rt->name, rt->path, rt->state_root});
    curves.sizes = options->curve_sizes;
    curves.callers = options->curve_callers;
    curves.iterations = iters;
    RegisterCurves(curves, &bench.rows);
  } else {
    RegisterStartupFamilies(bench, ns->cgroup2_hidden, configure);
  }

  // Other work on the machine skews every figure; the load average says how much.
  std::string load_before = LoadAverage();
  benchmark::AddCustomContext("load_average_before", load_before);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  std::vector<SummaryRow> rows;
  for (const auto& r : bench.rows)
    if (!r->samples.empty() || !r->error.empty()) rows.push_back(*r);
  struct utsname u {};
  uname(&u);
  std::string summary =
      "Measured " + Now() + " on " + u.release + " (" + std::to_string(sysconf(_SC_NPROCESSORS_ONLN)) +
      " CPUs, load average " + load_before + " before, " + LoadAverage() + " after); config from `" +
      tmpl->first + " spec`; " + ns->description +
      ".\nRatios (× NAME) are this row's median over NAME's median; "
      "median and p90 are over every iteration of every repetition.\n\n" +
      FormatSummary(rows, {"berth", "crun", "runc", "floor", "floor_rootfs", "floor_cgroups"});
  std::printf("\n%s", summary.c_str());
  rc = 0;
  if (!options->summary_md.empty()) {
    if (auto w = WriteFile(options->summary_md, summary); !w) {
      std::fprintf(stderr, "startup_bench: %s\n", w.error().ToString().c_str());
      rc = 1;
    }
  }
  cleanup();
  return rc;
}

}  // namespace
}  // namespace berth::bench

int main(int argc, char** argv) {
  // The library's own errors are values; what throws is the standard library
  // (bad_alloc, an optional's value()): a message and exit 1, not terminate.
  try {
    return berth::bench::Main(argc, argv);
  } catch (const std::exception& e) {
    fprintf(stderr, "startup_bench: %s\n", e.what());
    return 1;
  }
}
