// libFuzzer target for a linux.resources object read on its own, as
// `update --resources` reads it (built by tools/fuzz; replayed over
// fuzz/corpus/resources by resources_fuzzer_corpus_test).
// Accepted input must serialize (inside a config) and parse back equal, and
// validate without crashing; every error must say something.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/config_json.h"
#include "spec/config_json_internal.h"
#include "spec/json.h"
#include "spec/validate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth::spec;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto doc = json::Parse(text);
  if (!doc.ok()) {
    if (doc.error().message().empty()) __builtin_trap();
    return 0;
  }
  Resources resources;
  auto read = Read(doc.value(), "", resources);
  if (!read.ok()) {
    if (read.error().message().empty()) __builtin_trap();
    return 0;
  }
  Config config;
  config.ociVersion = "1.3.0";
  config.linux_.emplace();
  config.linux_->resources = resources;
  const std::string out = SerializeConfig(config);
  auto again = ParseConfig(out);
  if (!again.ok() || !again.value().linux_ || !again.value().linux_->resources ||
      !(*again.value().linux_->resources == resources))
    __builtin_trap();
  for (const auto& problem : Validate(config))
    if (problem.empty()) __builtin_trap();
  (void)ValidateForCreate(config);
  return 0;
}
