// How long the parent spends turning a Docker-sized profile into BPF, and how
// long loading a cached compile takes instead.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "runtime/process/seccomp.h"
#include "runtime/process/seccomp_internal.h"
#include "runtime/process/testing/docker_like_profile.h"

namespace berth::process {
namespace {

void BM_CompileDockerLikeProfile(benchmark::State& state) {
  const spec::Seccomp profile = berth::testing::DockerLikeProfile();
  size_t insns = 0;
  for (auto _ : state) {
    auto filter = CompileSeccompUncached(profile);
    if (!filter.ok()) {
      state.SkipWithError(filter.error().ToString().c_str());
      return;
    }
    insns = filter->program.size();
  }
  state.counters["bpf_insns"] = static_cast<double>(insns);
}
BENCHMARK(BM_CompileDockerLikeProfile)->Unit(benchmark::kMillisecond);

void BM_CompileSmallProfile(benchmark::State& state) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  spec::SeccompSyscall deny;
  deny.names = {"mkdir", "mkdirat"};
  deny.action = "SCMP_ACT_ERRNO";
  profile.syscalls = {deny};
  for (auto _ : state) benchmark::DoNotOptimize(CompileSeccompUncached(profile).ok());
}
BENCHMARK(BM_CompileSmallProfile)->Unit(benchmark::kMicrosecond);

void BM_LoadCachedDockerLikeProfile(benchmark::State& state) {
  const spec::Seccomp profile = berth::testing::DockerLikeProfile();
  char dir[] = "/tmp/berth-seccomp-bench-XXXXXX";
  if (!mkdtemp(dir)) {
    state.SkipWithError("mkdtemp");
    return;
  }
  const std::string cache = std::string(dir) + "/cache";
  if (!CompileSeccompCached(profile, cache).ok()) state.SkipWithError("first compile");
  for (auto _ : state) benchmark::DoNotOptimize(CompileSeccompCached(profile, cache).ok());
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_LoadCachedDockerLikeProfile)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace berth::process

BENCHMARK_MAIN();
