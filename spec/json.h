// A small JSON document model for spec/'s readers, built with yajl's
// event parser (not yajl_tree) so that strings keep embedded NULs, numbers
// keep their exact literal text (uint64 values above INT64_MAX survive) and
// nesting depth is bounded. Plus a thin writer over yajl_gen.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/error.h"

namespace berth::spec::json {

enum class Kind { null, boolean, number, string, array, object };

struct Member;

struct Value {
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;  // string contents, or a number's literal as written
  std::vector<Value> items;                            // array
  std::vector<Member> members;                         // object, in order

  // The last member named `key` (JSON lets a key repeat; the last one wins,
  // as in Go's encoding/json), or nullptr.
  const Value* Find(std::string_view key) const;
};

struct Member {
  std::string key;
  Value value;
};

// "null", "boolean", "number", "string", "array" or "object".
std::string_view KindName(Kind kind);

// Documents nested deeper than this are rejected (bounded recursion).
inline constexpr int kMaxDepth = 64;

// Parses one JSON text (RFC 8259, UTF-8 validated, no comments or trailing
// garbage). Errors read "invalid JSON: <yajl's reason> at byte N".
Result<Value> Parse(std::string_view text);

// Writes JSON with yajl_gen. Calls must form a valid document; the writer
// aborts on misuse (a programming error, not a data error).
class Writer {
 public:
  // pretty: one member per line, indented with `indent` per level.
  explicit Writer(bool pretty = false, const char* indent = "\t");
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key) { String(key); }
  void String(std::string_view s);
  void Int(int64_t v);
  void Uint(uint64_t v);
  void Bool(bool v);
  void Null();

  // The document written so far (complete once the top value is closed).
  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::spec::json
