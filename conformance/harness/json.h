// A small JSON document model for the harness: it writes config.json for any
// runtime (including properties no typed model knows, to test that unknown
// fields are ignored) and reads state JSON, features JSON and probe reports.
// Objects keep insertion order so written configs read like runc's.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spec/error.h"

namespace berth::conformance {

class Json {
 public:
  enum class Type { null, boolean, number, string, array, object };

  Json() = default;
  Json(std::nullptr_t) {}
  Json(bool b) : type_(Type::boolean), bool_(b) {}
  Json(int v) : Json(static_cast<int64_t>(v)) {}
  Json(unsigned v) : Json(static_cast<int64_t>(v)) {}
  Json(int64_t v) : type_(Type::number), int_(v), double_(static_cast<double>(v)), integral_(true) {}
  Json(double v) : type_(Type::number), int_(static_cast<int64_t>(v)), double_(v), integral_(false) {}
  Json(std::string s) : type_(Type::string), string_(std::move(s)) {}
  Json(const char* s) : Json(std::string(s)) {}
  Json(std::string_view s) : Json(std::string(s)) {}

  static Json Array(std::vector<Json> items = {});
  static Json Object();
  // ["a", "b"] from strings.
  static Json Strings(const std::vector<std::string>& items);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::null; }
  bool is_bool() const { return type_ == Type::boolean; }
  bool is_number() const { return type_ == Type::number; }
  bool is_integer() const { return type_ == Type::number && integral_; }
  bool is_string() const { return type_ == Type::string; }
  bool is_array() const { return type_ == Type::array; }
  bool is_object() const { return type_ == Type::object; }

  // Accessors return a neutral value (false, 0, "") on a type mismatch so
  // checks read simply; callers that care test the type first.
  bool as_bool() const { return type_ == Type::boolean && bool_; }
  int64_t as_int() const { return type_ == Type::number ? int_ : 0; }
  double as_double() const { return type_ == Type::number ? double_ : 0; }
  const std::string& as_string() const;

  // Arrays.
  const std::vector<Json>& items() const { return items_; }
  std::vector<Json>& items() { return items_; }
  Json& Push(Json value);
  size_t size() const { return type_ == Type::object ? members_.size() : items_.size(); }

  // Objects. operator[] inserts (turning null into an object); Find does not.
  Json& operator[](std::string_view key);
  // Const lookup: the member, or a null value when absent.
  const Json& operator[](std::string_view key) const;
  const Json* Find(std::string_view key) const;
  Json* Find(std::string_view key);
  // Follows "a.b.c" through objects; nullptr if any step is missing.
  const Json* At(std::string_view dotted_path) const;
  bool Erase(std::string_view key);
  const std::vector<std::pair<std::string, Json>>& members() const { return members_; }

  std::string Dump(bool pretty = false) const;

 private:
  void DumpTo(std::string* out, bool pretty, int indent) const;

  Type type_ = Type::null;
  bool bool_ = false;
  int64_t int_ = 0;
  double double_ = 0;
  bool integral_ = false;
  std::string string_;
  std::vector<Json> items_;
  std::vector<std::pair<std::string, Json>> members_;
};

// Parses one JSON document (trailing whitespace allowed). Errors name the
// byte offset.
Result<Json> ParseJson(std::string_view text);

// JSON string literal for s, with quotes.
std::string JsonQuote(std::string_view s);

}  // namespace berth::conformance
