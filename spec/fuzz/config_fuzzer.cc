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

// parse(serialize(v)) == v, and serializing again gives the same text.
template <class T, class ParseFn, class SerializeFn>
void CheckRoundTrip(const T& value, ParseFn parse, SerializeFn serialize) {
  std::string out = serialize(value);
  auto again = parse(out);
  if (!again.ok() || !(again.value() == value)) __builtin_trap();
  if (serialize(again.value()) != out) __builtin_trap();
}

// Every error must say something.
void CheckError(const berth::Error& error) {
  if (error.message().empty()) __builtin_trap();
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
    CheckRoundTrip(config.value(), ParseConfig, [](const Config& c) { return SerializeConfig(c); });
    CheckRoundTrip(config.value(), ParseConfig, [](const Config& c) { return SerializeConfigPretty(c); });
  } else {
    CheckError(config.error());
  }

  auto state = ParseState(text);
  if (state.ok())
    CheckRoundTrip(state.value(), ParseState, SerializeState);
  else
    CheckError(state.error());

  auto features = ParseFeatures(text);
  if (features.ok())
    CheckRoundTrip(features.value(), ParseFeatures,
                   [](const Features& f) { return SerializeFeatures(f, false); });
  else
    CheckError(features.error());
  return 0;
}
