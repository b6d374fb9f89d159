// libFuzzer target for state.json (built by tools/fuzz; replayed over
// fuzz/corpus/state by state_fuzzer_corpus_test).
// Accepted input must be one JSON object whose state serializes and parses
// back to an equal state; every error must say something.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "spec/json.h"
#include "spec/state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace berth::spec;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto state = ParseState(text);
  if (!state.ok()) {
    if (state.error().message().empty()) __builtin_trap();
    return 0;
  }
  auto doc = json::Parse(text);
  if (!doc.ok() || doc.value().kind != json::Kind::object) __builtin_trap();
  if (state.value().pid < 0) __builtin_trap();
  const std::string out = SerializeState(state.value());
  auto again = ParseState(out);
  if (!again.ok() || !(again.value() == state.value())) __builtin_trap();
  if (SerializeState(again.value()) != out) __builtin_trap();
  auto status = ContainerStatusFromName(ContainerStatusName(state.value().status));
  if (!status.ok() || status.value() != state.value().status) __builtin_trap();
  return 0;
}
