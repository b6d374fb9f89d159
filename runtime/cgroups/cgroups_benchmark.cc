// What the cgroup work costs on the container start path of this host
// (root; creates and removes real cgroups /bench-PID).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include "runtime/cgroups/manager.h"

namespace berth::cgroups {
namespace {

CgroupSpec BenchSpec() {
  CgroupSpec spec;
  spec.container_id = "bench-" + std::to_string(getpid());
  spec.cgroups_path = "/" + spec.container_id;  // top level: nothing left behind
  return spec;
}

// Layout detection and path resolution only.
void BM_NewManager(benchmark::State& state) {
  CgroupSpec spec = BenchSpec();
  for (auto _ : state) {
    auto m = NewManager(spec);
    if (!m.ok()) {
      state.SkipWithError(m.error().ToString().c_str());
      return;
    }
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_NewManager);

// Create + default device rules (+ a memory/pids limit) + Destroy, with no process.
void BM_CreateApplyDestroy(benchmark::State& state) {
  if (geteuid() != 0) {
    state.SkipWithError("needs root");
    return;
  }
  spec::Resources resources;
  if (state.range(0)) {
    resources.memory.emplace();
    resources.memory->limit = 256 << 20;
    resources.pids = spec::PidsResources{128};
  }
  CgroupSpec spec = BenchSpec();
  for (auto _ : state) {
    auto m = NewManager(spec);
    Status s = m.ok() ? (*m)->Create() : Status(m.error());
    if (s.ok()) s = (*m)->ApplyResources(resources);
    if (m.ok()) {
      Status d = (*m)->Destroy();
      if (s.ok()) s = d;
    }
    if (!s.ok()) {
      state.SkipWithError(s.error().ToString().c_str());
      return;
    }
  }
}
BENCHMARK(BM_CreateApplyDestroy)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The same with a child joined and SIGKILLed through KillAll (fork and
// reaping included).
void BM_CreateJoinKillDestroy(benchmark::State& state) {
  if (geteuid() != 0) {
    state.SkipWithError("needs root");
    return;
  }
  CgroupSpec spec = BenchSpec();
  for (auto _ : state) {
    pid_t child = fork();
    if (child == 0) {
      for (;;) pause();
    }
    auto m = NewManager(spec);
    Status s = m.ok() ? (*m)->Create() : Status(m.error());
    if (s.ok()) s = (*m)->AddProcess(child);
    if (s.ok()) s = (*m)->ApplyResources(spec::Resources());
    if (s.ok()) s = (*m)->KillAll(SIGKILL);
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    if (s.ok()) s = (*m)->Destroy();
    if (!s.ok()) {
      state.SkipWithError(s.error().ToString().c_str());
      return;
    }
  }
}
BENCHMARK(BM_CreateJoinKillDestroy)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace berth::cgroups

BENCHMARK_MAIN();
