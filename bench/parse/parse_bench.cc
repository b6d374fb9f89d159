// Google Benchmark of config.json handling: ParseConfig on the full example
// of config.md and on `runc spec`'s template, SerializeConfig, Validate.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "spec/config_json.h"
#include "spec/default_config.h"
#include "spec/validate.h"

namespace {

std::string ReadOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s (run from the workspace root or via bazel run)\n",
                 path.c_str());
    std::exit(1);
  }
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
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
