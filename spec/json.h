// The one JSON document model of the tree (spec/'s readers, the conformance
// harness, the benchmarks), built with yajl's
// event parser (not yajl_tree) so that strings keep embedded NULs, numbers
// keep their exact literal text (uint64 values above INT64_MAX survive) and
// nesting depth is bounded. Plus a thin writer over yajl_gen.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/error.h"

namespace berth::spec::json {

enum class Kind { null, boolean, number, string, array, object };

struct Member;

// A JSON value. spec/'s readers use the fields directly (json_read.h);
// the conformance harness and the benchmarks also build and edit documents
// (the accessors and editors below), so that the tree has one JSON model.
struct Value {
  Kind kind = Kind::null;
  bool boolean = false;
  std::string text;             // string contents, or a number's literal as written
  std::vector<Value> items;     // array
  std::vector<Member> members;  // object, in order

  // Implicit, so documents read as they are written: c["root"]["path"] = "rootfs".
  // Defined after Member: a constructor's body destroys `members` when it
  // throws, which needs Member complete (clang insists; gcc defers).
  Value();
  Value(std::nullptr_t);
  Value(bool b);
  template <class I>
  requires(std::integral<I> && !std::same_as<I, bool>) Value(I n);
  // Shortest text that reads back as d; NaN and infinities are not JSON: null.
  Value(double d);
  Value(std::string s);
  Value(std::string_view s);
  Value(const char* s);

  static Value Array();  // [] (no default argument: it needs Value complete)
  static Value Array(std::vector<Value> items);
  static Value Object();
  static Value Strings(const std::vector<std::string>& strings);  // ["a", "b"]

  bool is_null() const { return kind == Kind::null; }
  bool is_bool() const { return kind == Kind::boolean; }
  bool is_number() const { return kind == Kind::number; }
  bool is_string() const { return kind == Kind::string; }
  bool is_array() const { return kind == Kind::array; }
  bool is_object() const { return kind == Kind::object; }
  // A number written without fraction or exponent that fits in int64.
  bool is_integer() const;

  // Neutral values (false, 0, "") on a kind mismatch, so checks read simply;
  // callers that care test the kind first (or use json_read.h).
  bool as_bool() const { return kind == Kind::boolean && boolean; }
  // An integer's value; a fraction truncated toward zero; 0 when not a
  // number or out of the range of int64.
  int64_t as_int() const;
  double as_double() const;  // 0 when not a number
  const std::string& as_string() const;

  // Members of an object, items of an array, 0 otherwise.
  size_t size() const;

  // The last member named `key` (JSON lets a key repeat; the last one wins,
  // as in Go's encoding/json), or nullptr (also when not an object).
  const Value* Find(std::string_view key) const;
  Value* Find(std::string_view key);
  // Follows "a.b.c" through objects; nullptr if any step is missing.
  const Value* At(std::string_view dotted_path) const;
  // The member named key, appended as null when absent; a value that is not
  // an object becomes {} first.
  Value& operator[](std::string_view key);
  // The member named key, or a null value when absent.
  const Value& operator[](std::string_view key) const;
  // Removes every member named key; whether there was one.
  bool Erase(std::string_view key);
  // Appends to an array; a value that is not an array becomes [] first.
  Value& Push(Value item);

  // The document as JSON text (Writer below); pretty: tab-indented, as runc
  // writes config.json.
  std::string Dump(bool pretty = false) const;
};

struct Member {
  std::string key;
  Value value;
};

inline Value::Value() = default;
inline Value::Value(std::nullptr_t) {}
inline Value::Value(bool b) : kind(Kind::boolean), boolean(b) {}
template <class I>
requires(std::integral<I> && !std::same_as<I, bool>) Value::Value(I n)
    : kind(Kind::number), text(std::to_string(n)) {}
inline Value::Value(std::string s) : kind(Kind::string), text(std::move(s)) {}
inline Value::Value(std::string_view s) : kind(Kind::string), text(s) {}
inline Value::Value(const char* s) : kind(Kind::string), text(s) {}

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
  // A number's literal text, written as it is (the caller's to keep valid).
  void Number(std::string_view literal);
  // A whole value and everything in it.
  void Write(const Value& v);

  // The document written so far (complete once the top value is closed).
  std::string Take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// s as a JSON string literal, with the quotes.
std::string Quote(std::string_view s);

}  // namespace berth::spec::json
