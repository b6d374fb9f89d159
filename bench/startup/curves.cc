#include "bench/startup/curves.h"

#include <benchmark/benchmark.h>
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <functional>
#include <map>
#include <sstream>

#include "bench/startup/command.h"
#include "bench/startup/floor_rootfs.h"
#include "runtime/base/files.h"
#include "spec/json.h"

namespace berth::bench {

namespace json = spec::json;
namespace {

volatile sig_atomic_t g_stop = 0;

void OnStopSignal(int) { g_stop = 1; }

// The operations of curve_lifecycle, in the order each iteration runs them.
const std::vector<std::string> kLifecycleOps = {"create", "state", "list", "start", "exec", "delete"};

struct Curves {
  CurveSetup setup;
  std::vector<std::vector<std::string>> present;  // per runtime: ids of started pause containers
  std::map<std::pair<std::string, std::string>, SummaryRow*> rows;  // (family, runtime)
  int serial = 0;

  std::string NextId() { return setup.id_prefix + std::to_string(serial++); }
  SummaryRow* Row(const std::string& family, const std::string& runtime) {
    return rows.at({family, runtime});
  }
};

Curves* g_curves = nullptr;

std::string LifecycleFamily(const std::string& op, int present) {
  return op + " @" + std::to_string(present);
}
std::string ThroughputFamily(int callers) { return "throughput x" + std::to_string(callers); }
const char kDeleteFamily[] = "delete --force, 100 processes";

std::vector<std::string> Cmd(const CurveRuntime& rt, std::vector<std::string> rest) {
  std::vector<std::string> argv = {rt.path, "--root", rt.state_root};
  argv.insert(argv.end(), rest.begin(), rest.end());
  return argv;
}

// Runs one runtime command; a non-zero exit is an error naming the command.
Result<CommandResult> Checked(const std::vector<std::string>& argv) {
  if (CurveStopRequested()) return Error(EINTR, "interrupted");
  auto r = BERTH_TRY(RunCommand(argv));
  if (!r.Succeeded()) return Error(argv[3] + " failed: " + r.Describe());
  return r;
}

Status AsStatus(const Result<CommandResult>& r) { return r ? Ok() : Status(r.error()); }

void ForceDelete(const CurveRuntime& rt, const std::string& id) {
  (void)RunCommand(Cmd(rt, {"delete", "--force", id}));
}

// Runs `argv_of(i)` for every runtime index in `which` concurrently and
// waits for all; the first failure, if any (each failed index in `failed`).
Status RunConcurrently(const std::vector<size_t>& which,
                       const std::function<std::vector<std::string>(size_t)>& argv_of,
                       std::vector<bool>* failed) {
  std::vector<std::pair<size_t, Spawned>> running;
  Status status = Ok();
  for (size_t i : which) {
    auto s = Spawn(argv_of(i));
    if (!s) {
      status = s.error();
      (*failed)[i] = true;
      continue;
    }
    running.emplace_back(i, *s);
  }
  for (auto& [i, spawned] : running) {
    auto r = Reap(spawned);
    if (!r || !r->Succeeded()) {
      (*failed)[i] = true;
      status = r ? Error(g_curves->setup.runtimes[i].name + ": " + r->Describe()) : r.error();
    }
  }
  return status;
}

// Adds started pause containers until every runtime has `count`; the
// runtimes' create and start run side by side, so growing costs the time
// of the slowest runtime, not the sum.
Status GrowPopulation(int count) {
  auto& c = *g_curves;
  const auto& runtimes = c.setup.runtimes;
  while (!CurveStopRequested()) {
    std::vector<size_t> which;
    for (size_t i = 0; i < runtimes.size(); ++i)
      if (static_cast<int>(c.present[i].size()) < count) which.push_back(i);
    if (which.empty()) return Ok();
    std::vector<std::string> ids(runtimes.size());
    for (size_t i : which) ids[i] = c.NextId();
    std::vector<bool> failed(runtimes.size(), false);
    Status created = RunConcurrently(
        which,
        [&](size_t i) {
          return Cmd(runtimes[i], {"create", "--bundle", c.setup.pause_bundle, ids[i]});
        },
        &failed);
    std::vector<size_t> to_start;
    for (size_t i : which)
      if (!failed[i]) to_start.push_back(i);
    Status started = RunConcurrently(
        to_start,
        [&](size_t i) {
          return Cmd(runtimes[i], {"start", ids[i]});
        },
        &failed);
    for (size_t i : which) {
      if (failed[i]) {
        ForceDelete(runtimes[i], ids[i]);
      } else {
        c.present[i].push_back(ids[i]);
      }
    }
    if (!created)
      return Error("growing to " + std::to_string(count) +
                   " containers: create: " + created.error().ToString());
    if (!started)
      return Error("growing to " + std::to_string(count) +
                   " containers: start: " + started.error().ToString());
  }
  return Error(EINTR, "interrupted");
}

void FailAll(benchmark::State& state, const std::vector<SummaryRow*>& rows, const std::string& message) {
  for (auto* row : rows)
    if (row->error.empty()) row->error = message;
  state.SkipWithError(message.c_str());
}

void Record(SummaryRow* row, const CommandResult& r) {
  row->samples.push_back(r.wall_ms);
  row->peak_rss_kib = std::max<double>(row->peak_rss_kib.value_or(0), static_cast<double>(r.max_rss_kib));
}

void ReportCounters(benchmark::State& state, const std::vector<std::pair<std::string, SummaryRow*>>& rows) {
  for (const auto& [name, row] : rows) {
    if (auto m = Median(row->samples)) state.counters[name + "_median"] = *m;
    if (row->peak_rss_kib) state.counters[name + "_rss_KiB"] = *row->peak_rss_kib;
  }
}

// One container's whole life, every step timed: create (pause), state,
// list, start, exec /bin/true, delete --force (of the running pause).
Status OneLifecycle(const CurveRuntime& rt, const std::vector<SummaryRow*>& op_rows) {
  std::string id = g_curves->NextId();
  const std::vector<std::vector<std::string>> steps = {
      Cmd(rt, {"create", "--bundle", g_curves->setup.pause_bundle, id}),
      Cmd(rt, {"state", id}),
      Cmd(rt, {"list"}),
      Cmd(rt, {"start", id}),
      Cmd(rt, {"exec", id, "/bin/true"}),
      Cmd(rt, {"delete", "--force", id}),
  };
  for (size_t k = 0; k < steps.size(); ++k) {
    auto r = Checked(steps[k]);
    if (!r) {
      ForceDelete(rt, id);
      return r.error();
    }
    Record(op_rows[k], *r);
  }
  return Ok();
}

void BM_Lifecycle(benchmark::State& state, int present) {
  auto& c = *g_curves;
  const auto& runtimes = c.setup.runtimes;
  std::vector<std::vector<SummaryRow*>> rows(runtimes.size());
  std::vector<SummaryRow*> all;
  std::vector<std::pair<std::string, SummaryRow*>> named;
  for (size_t i = 0; i < runtimes.size(); ++i)
    for (const auto& op : kLifecycleOps) {
      rows[i].push_back(c.Row(LifecycleFamily(op, present), runtimes[i].name));
      all.push_back(rows[i].back());
      named.emplace_back(runtimes[i].name + "_" + op, rows[i].back());
    }
  if (auto grown = GrowPopulation(present); !grown) {
    FailAll(state, all, grown.error().ToString());
    return;
  }
  size_t round = 0;
  for (auto _ : state) {
    for (size_t k = 0; k < runtimes.size(); ++k) {
      size_t i = (round + k) % runtimes.size();  // rotate who goes first
      if (auto st = OneLifecycle(runtimes[i], rows[i]); !st) {
        FailAll(state, rows[i], st.error().ToString());
        return;
      }
    }
    ++round;
  }
  state.counters["containers_present"] = present;
  ReportCounters(state, named);
}

// `run`s of the static true, `callers` in flight at all times, until
// `batch` have finished: containers per second.
Result<double> RunBatch(const CurveRuntime& rt, int callers, int batch) {
  int64_t start = MonotonicNanos();
  std::vector<Spawned> running;
  std::vector<std::string> ids;
  int started = 0, finished = 0;
  Status failure = Ok();
  while (finished < batch && failure && !CurveStopRequested()) {
    while (static_cast<int>(running.size()) < callers && started < batch) {
      std::string id = g_curves->NextId();
      auto s = Spawn(Cmd(rt, {"run", "--bundle", g_curves->setup.true_bundle, id}));
      if (!s) {
        failure = s.error();
        break;
      }
      running.push_back(*s);
      ids.push_back(id);
      ++started;
    }
    if (running.empty()) break;
    auto done = WaitAny(running);
    if (!done) {
      failure = done.error();
      break;
    }
    auto r = Reap(running[*done]);
    if (!r || !r->Succeeded()) {
      failure = r ? Error("run failed: " + r->Describe()) : r.error();
      ForceDelete(rt, ids[*done]);
    }
    running.erase(running.begin() + static_cast<long>(*done));
    ids.erase(ids.begin() + static_cast<long>(*done));
    ++finished;
  }
  for (size_t i = 0; i < running.size(); ++i) {
    (void)Reap(running[i]);
    ForceDelete(rt, ids[i]);
  }
  if (!failure) return failure.error();
  if (CurveStopRequested()) return Error(EINTR, "interrupted");
  return batch / (static_cast<double>(MonotonicNanos() - start) / 1e9);
}

void BM_Throughput(benchmark::State& state, int callers) {
  auto& c = *g_curves;
  const auto& runtimes = c.setup.runtimes;
  // Enough runs that the in-flight window is full most of the batch.
  const int batch = std::max(16, 4 * callers);
  std::vector<SummaryRow*> rows;
  rows.reserve(runtimes.size());
  for (const auto& rt : runtimes) rows.push_back(c.Row(ThroughputFamily(callers), rt.name));
  size_t round = 0;
  for (auto _ : state) {
    for (size_t k = 0; k < runtimes.size(); ++k) {
      size_t i = (round + k) % runtimes.size();
      auto rate = RunBatch(runtimes[i], callers, batch);
      if (!rate) {
        FailAll(state, {rows[i]}, rate.error().ToString());
        return;
      }
      rows[i]->samples.push_back(*rate);
    }
    ++round;
  }
  std::vector<std::pair<std::string, SummaryRow*>> named;
  for (size_t i = 0; i < runtimes.size(); ++i) named.emplace_back(runtimes[i].name + "_per_second", rows[i]);
  state.counters["callers"] = callers;
  ReportCounters(state, named);
}

// Waits (up to 10 s) until the container's init has `children` children.
Status WaitForChildren(const CurveRuntime& rt, const std::string& id, int children) {
  auto st = BERTH_TRY(Checked(Cmd(rt, {"state", id})));
  auto state = BERTH_TRY(json::Parse(st.output));
  const json::Value* pid = state.Find("pid");
  if (!pid || pid->kind != json::Kind::number) return Error(rt.name + " state: no pid");
  int init = std::atoi(pid->text.c_str());
  for (int waited_ms = 0; waited_ms < 10000; ++waited_ms) {
    auto n = CountChildren(init);
    if (n && *n >= children) return Ok();
    struct timespec ms = {0, 1000000};
    nanosleep(&ms, nullptr);
  }
  return Error(ETIMEDOUT, rt.name + ": the spawn payload did not reach " + std::to_string(children) +
                              " children in 10 s");
}

void BM_DeleteManyProcesses(benchmark::State& state) {
  auto& c = *g_curves;
  const auto& runtimes = c.setup.runtimes;
  std::vector<SummaryRow*> rows;
  rows.reserve(runtimes.size());
  for (const auto& rt : runtimes) rows.push_back(c.Row(kDeleteFamily, rt.name));
  size_t round = 0;
  for (auto _ : state) {
    for (size_t k = 0; k < runtimes.size(); ++k) {
      size_t i = (round + k) % runtimes.size();
      const auto& rt = runtimes[i];
      std::string id = c.NextId();
      // Set-up, not timed: the container and its processes.
      state.PauseTiming();
      Status ready = AsStatus(Checked(Cmd(rt, {"create", "--bundle", c.setup.spawn_bundle, id})));
      if (ready) ready = AsStatus(Checked(Cmd(rt, {"start", id})));
      if (ready) ready = WaitForChildren(rt, id, c.setup.spawn_processes - 1);
      state.ResumeTiming();
      auto r = ready ? Checked(Cmd(rt, {"delete", "--force", id})) : Result<CommandResult>(ready.error());
      if (!r) {
        ForceDelete(rt, id);
        FailAll(state, {rows[i]}, r.error().ToString());
        return;
      }
      Record(rows[i], *r);
    }
    ++round;
  }
  std::vector<std::pair<std::string, SummaryRow*>> named;
  for (size_t i = 0; i < runtimes.size(); ++i) named.emplace_back(runtimes[i].name + "_delete", rows[i]);
  ReportCounters(state, named);
}

}  // namespace

void InstallCurveStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) sigaction(sig, &sa, nullptr);
}

bool CurveStopRequested() { return g_stop != 0; }

Result<int> CountChildren(int pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children";
  std::string text = BERTH_TRY(base::ReadFileText(path));
  std::istringstream in(text);
  int count = 0;
  for (std::string word; in >> word;) ++count;
  return count;
}

std::vector<std::string> FindDirsWithPrefix(const std::string& root, const std::string& prefix,
                                            int max_depth) {
  std::vector<std::string> found;
  if (max_depth <= 0) return found;
  DIR* dir = opendir(root.c_str());
  if (!dir) return found;
  std::vector<std::string> subdirs;
  while (struct dirent* e = readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == ".." || e->d_type != DT_DIR) continue;
    subdirs.push_back(name);
  }
  closedir(dir);
  for (const auto& name : subdirs) {
    std::string path = root + "/" + name;
    auto deeper = FindDirsWithPrefix(path, prefix, max_depth - 1);
    found.insert(found.end(), deeper.begin(), deeper.end());
    if (name.rfind(prefix, 0) == 0) found.push_back(path);  // after its children
  }
  return found;
}

void RegisterCurves(const CurveSetup& setup, std::vector<std::unique_ptr<SummaryRow>>* rows) {
  static Curves curves;
  curves.setup = setup;
  curves.present.assign(setup.runtimes.size(), {});
  g_curves = &curves;
  auto add_row = [&](const std::string& family, const std::string& runtime, const std::string& unit) {
    rows->push_back(std::make_unique<SummaryRow>(SummaryRow{family, runtime, unit, {}, {}, {}}));
    curves.rows[{family, runtime}] = rows->back().get();
  };
  // Summary order: each operation's table for every size, then throughput.
  for (const auto& op : kLifecycleOps)
    for (int n : setup.sizes)
      for (const auto& rt : setup.runtimes) add_row(LifecycleFamily(op, n), rt.name, "ms");
  for (const auto& rt : setup.runtimes) add_row(kDeleteFamily, rt.name, "ms");
  for (int callers : setup.callers)
    for (const auto& rt : setup.runtimes) add_row(ThroughputFamily(callers), rt.name, "containers/s");

  auto configure = [&](benchmark::internal::Benchmark* b) {
    b->UseRealTime()->Iterations(setup.iterations)->Repetitions(1)->Unit(benchmark::kMillisecond);
  };
  // Nothing present yet: throughput and the 100-process delete first.
  for (int callers : setup.callers)
    configure(benchmark::RegisterBenchmark(("curve_throughput/" + std::to_string(callers)).c_str(),
                                           BM_Throughput, callers));
  configure(benchmark::RegisterBenchmark("curve_delete_100_processes", BM_DeleteManyProcesses));
  std::vector<int> sizes = setup.sizes;
  std::sort(sizes.begin(), sizes.end());
  for (int n : sizes)
    configure(
        benchmark::RegisterBenchmark(("curve_lifecycle/" + std::to_string(n)).c_str(), BM_Lifecycle, n));
}

Status TearDownCurves(const CurveSetup& setup) {
  Status status = Ok();
  if (setup.id_prefix.empty()) return Error(EINVAL, "teardown without an id prefix");
  // Every runtime keeps one entry per container in its state root; those
  // with our prefix are deleted, the runtimes side by side.
  std::vector<std::vector<std::string>> ids(setup.runtimes.size());
  size_t most = 0;
  for (size_t i = 0; i < setup.runtimes.size(); ++i) {
    DIR* dir = opendir(setup.runtimes[i].state_root.c_str());
    if (!dir) continue;
    while (struct dirent* e = readdir(dir)) {
      std::string name = e->d_name;
      if (name.rfind(setup.id_prefix, 0) == 0) ids[i].push_back(name);
    }
    closedir(dir);
    most = std::max(most, ids[i].size());
  }
  for (size_t k = 0; k < most; ++k) {
    std::vector<std::pair<size_t, Spawned>> running;
    for (size_t i = 0; i < setup.runtimes.size(); ++i) {
      if (k >= ids[i].size()) continue;
      auto s = Spawn(Cmd(setup.runtimes[i], {"delete", "--force", ids[i][k]}));
      if (s)
        running.emplace_back(i, *s);
      else
        status = s.error();
    }
    for (auto& [i, spawned] : running) {
      auto r = Reap(spawned);
      if (!r)
        status = r.error();
      else if (!r->Succeeded())
        status = Error(setup.runtimes[i].name + " delete --force " + ids[i][k] + ": " + r->Describe());
    }
  }
  // A runtime killed half-way can leave a cgroup behind; empty ones go.
  if (auto hierarchies = CgroupHierarchies()) {
    for (const auto& h : *hierarchies)
      for (const auto& dir : FindDirsWithPrefix(h, setup.id_prefix, 6))
        if (rmdir(dir.c_str()) != 0 && errno != ENOENT) status = Error::Sys("rmdir " + dir);
  }
  if (g_curves) g_curves->present.assign(setup.runtimes.size(), {});
  return status;
}

}  // namespace berth::bench
