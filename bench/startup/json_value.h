// A small order-preserving JSON document model over yajl, so the benchmarks
// can take whatever `RUNTIME spec` writes, change a few fields and write it
// back without depending on the runtime's own config model.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/error.h"

namespace berth::bench {

struct JsonValue {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // a number's literal text, or a string's value
  std::vector<JsonValue> items;                             // kArray
  std::vector<std::pair<std::string, JsonValue>> members;  // kObject, file order

  static JsonValue String(std::string s);
  static JsonValue Bool(bool b);
  static JsonValue Number(long long n);
  static JsonValue Array(std::vector<JsonValue> items);
  static JsonValue Object();
  static JsonValue StringArray(const std::vector<std::string>& strings);

  // The member named key of an object, or nullptr (also when not an object).
  JsonValue* Find(std::string_view key);
  const JsonValue* Find(std::string_view key) const;
  // Replaces or appends the member named key; turns a non-object into {}.
  JsonValue& Set(const std::string& key, JsonValue value);
  // Removes the member named key if present; returns whether it was.
  bool Erase(std::string_view key);
};

Result<JsonValue> ParseJson(std::string_view text);
std::string SerializeJson(const JsonValue& value, bool pretty = true);

}  // namespace berth::bench
