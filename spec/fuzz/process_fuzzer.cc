// libFuzzer target for the process.json of `exec --process` (built by
// tools/fuzz; replayed over fuzz/corpus/process by
// process_fuzzer_corpus_test).
// Accepted input must be one JSON object (nothing before or after it), and
// the process must serialize (inside a config) and parse back equal; every
// error must say something.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/config_json.h"
#include "spec/json.h"
#include "spec/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth::spec;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto process = ParseProcess(text);
  if (!process.ok()) {
    if (process.error().message().empty()) __builtin_trap();
    return 0;
  }
  auto doc = json::Parse(text);
  if (!doc.ok() || doc.value().kind != json::Kind::object) __builtin_trap();

  Config config;
  config.ociVersion = "1.3.0";
  config.process = process.value();
  const std::string out = SerializeConfig(config);
  auto again = ParseConfig(out);
  if (!again.ok() || !again.value().process || !(*again.value().process == process.value())) __builtin_trap();
  for (const auto& problem : Validate(config))
    if (problem.empty()) __builtin_trap();
  return 0;
}
