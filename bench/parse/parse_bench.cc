// Google Benchmark of config.json handling: ParseConfig on the full example
// of config.md and on `runc spec`'s template, SerializeConfig, Validate.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "spec/config_json.h"
#include "spec/default_config.h"
#include "spec/validate.h"

namespace {

std::string ReadOrDie(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "cannot read %s (run from the workspace root or via bazel run)\n", path.c_str());
    std::exit(1);
  }
  std::string text;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fd);
  return text;
}

const std::string& ConfigMdExample() {
  static const std::string text = ReadOrDie("spec/testdata/config-md-example.json");
  return text;
}

void BM_ParseConfigMdExample(benchmark::State& state) {
  const std::string& text = ConfigMdExample();
  for (auto _ : state) {
    auto config = berth::spec::ParseConfig(text);
    if (!config.ok()) state.SkipWithError(config.error().ToString().c_str());
    benchmark::DoNotOptimize(config);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseConfigMdExample);

void BM_ParseRuncSpec(benchmark::State& state) {
  static const std::string text = ReadOrDie("spec/testdata/runc-spec.json");
  for (auto _ : state) {
    auto config = berth::spec::ParseConfig(text);
    if (!config.ok()) state.SkipWithError(config.error().ToString().c_str());
    benchmark::DoNotOptimize(config);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseRuncSpec);

void BM_SerializeConfigMdExample(benchmark::State& state) {
  auto config = berth::spec::ParseConfig(ConfigMdExample());
  if (!config.ok()) {
    state.SkipWithError(config.error().ToString().c_str());
    return;
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::string out = berth::spec::SerializeConfig(*config);
    bytes += out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(static_cast<int64_t>(bytes));
}
BENCHMARK(BM_SerializeConfigMdExample);

void BM_SerializeDefaultConfig(benchmark::State& state) {
  berth::spec::Config config = berth::spec::DefaultConfig(false);
  for (auto _ : state) benchmark::DoNotOptimize(berth::spec::SerializeConfig(config));
}
BENCHMARK(BM_SerializeDefaultConfig);

void BM_ValidateConfigMdExample(benchmark::State& state) {
  auto config = berth::spec::ParseConfig(ConfigMdExample());
  if (!config.ok()) {
    state.SkipWithError(config.error().ToString().c_str());
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(berth::spec::Validate(*config));
}
BENCHMARK(BM_ValidateConfigMdExample);

}  // namespace

BENCHMARK_MAIN();
