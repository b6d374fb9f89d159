// libFuzzer target for spec/'s readers (built by tools/fuzz-spec, not Bazel).
// Any input must either be rejected with a message or parse to an object that
// serializes and parses back to an equal object; anything else traps.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/config_json.h"
#include "spec/features.h"
#include "spec/state.h"
#include "spec/validate.h"

namespace {

template <class T, class ParseFn, class SerializeFn>
void CheckRoundTrip(std::string_view text, ParseFn parse, SerializeFn serialize) {
  auto parsed = parse(text);
  if (!parsed.ok()) {
    if (parsed.error().message().empty()) __builtin_trap();  // errors must say something
    return;
  }
  const T& value = parsed.value();
  std::string out = serialize(value);
  auto again = parse(out);
  if (!again.ok() || !(again.value() == value)) __builtin_trap();
  if (serialize(again.value()) != out) __builtin_trap();  // deterministic output
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth::spec;
  std::string_view text(reinterpret_cast<const char*>(data), size);

  auto config = ParseConfig(text);
  if (config.ok()) {
    for (const auto& problem : Validate(config.value()))
      if (problem.empty()) __builtin_trap();
    (void)ValidateForCreate(config.value());
  }
  CheckRoundTrip<Config>(text, ParseConfig, [](const Config& c) { return SerializeConfig(c); });
  CheckRoundTrip<Config>(text, ParseConfig,
                         [](const Config& c) { return SerializeConfigPretty(c); });
  CheckRoundTrip<State>(text, ParseState, SerializeState);
  CheckRoundTrip<Features>(text, ParseFeatures,
                           [](const Features& f) { return SerializeFeatures(f); });
  return 0;
}
