// Typed reading of a json::Value with path-qualified errors, e.g.
//   "linux.resources.memory.limit: expected integer, got string"
//   "process.args[2]: expected string, got number"
// Readers for model structs are overloads of Read() found by argument-
// dependent lookup, so Read(v, path, std::vector<Mount>&) just works once
// Read(const Value&, const std::string&, Mount&) is declared.
#pragma once

#include <charconv>
#include <concepts>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "runtime/base/error.h"
#include "spec/json.h"
#include "spec/names.h"

namespace berth::spec::json {

// "a.b" + "c" -> "a.b.c"; keys that are not identifiers are quoted: a["x.y"].
std::string MemberPath(const std::string& path, std::string_view key);
std::string IndexPath(const std::string& path, size_t index);

// "<path>: <message>" (just the message at the document's root).
Error PathError(const std::string& path, std::string_view message);
// "<path>: expected <what>, got <kind of v>".
Error TypeError(const Value& v, const std::string& path, std::string_view what);

Status Read(const Value& v, const std::string& path, std::string& out);
Status Read(const Value& v, const std::string& path, bool& out);

// Integers: the literal must be an integer (no fraction or exponent); its
// sign and magnitude are returned ("-0" is 0, not negative).
Status ReadInteger(const Value& v, const std::string& path, uint64_t& magnitude, bool& negative);
Error RangeError(const Value& v, const std::string& path, std::string_view min, std::string_view max);

// An integer within the range of I.
template <class I>
requires(std::integral<I> && !std::same_as<I, bool>) Status
    Read(const Value& v, const std::string& path, I& out) {
  uint64_t mag = 0;
  bool neg = false;
  BERTH_TRY(ReadInteger(v, path, mag, neg));
  using L = std::numeric_limits<I>;
  if constexpr (std::is_signed_v<I>) {
    const uint64_t max_neg = static_cast<uint64_t>(L::max()) + 1;
    if (neg ? mag > max_neg : mag > static_cast<uint64_t>(L::max()))
      return RangeError(v, path, std::to_string(L::min()), std::to_string(L::max()));
    out = neg ? static_cast<I>(-static_cast<int64_t>(mag - 1) - 1) : static_cast<I>(mag);
  } else {
    if (neg || mag > static_cast<uint64_t>(L::max()))
      return RangeError(v, path, "0", std::to_string(L::max()));
    out = static_cast<I>(mag);
  }
  return Ok();
}

template <class T>
Status Read(const Value& v, const std::string& path, std::optional<T>& out) {
  T t{};
  BERTH_TRY(Read(v, path, t));
  out = std::move(t);
  return Ok();
}

template <class T>
Status Read(const Value& v, const std::string& path, std::vector<T>& out) {
  if (v.kind != Kind::array) return TypeError(v, path, "array");
  out.clear();
  out.reserve(v.items.size());
  for (size_t i = 0; i < v.items.size(); ++i) {
    T t{};
    BERTH_TRY(Read(v.items[i], IndexPath(path, i), t));
    out.push_back(std::move(t));
  }
  return Ok();
}

template <class T>
Status Read(const Value& v, const std::string& path, std::map<std::string, T>& out) {
  if (v.kind != Kind::object) return TypeError(v, path, "object");
  out.clear();
  for (const auto& [key, member] : v.members) {
    if (key.find('\0') != std::string::npos)
      return PathError(MemberPath(path, key), "key contains a NUL character (\\u0000)");
    T t{};
    BERTH_TRY(Read(member, MemberPath(path, key), t));
    out.insert_or_assign(key, std::move(t));
  }
  return Ok();
}

// A string that must be one of `set`:
//   "<path>: unknown seccomp action \"X\" (expected one of A, B, C)".
Status ReadName(const Value& v, const std::string& path, const NameSet& set, std::string& out);
Status ReadNames(const Value& v, const std::string& path, const NameSet& set, std::vector<std::string>& out);

// Members of one JSON object. Absent members and null leave `out` untouched
// (null means "not set", as Go runtimes read it); unknown members are ignored.
class ObjectReader {
 public:
  ObjectReader(const Value& v, std::string path) : v_(v), path_(std::move(path)) {}

  // Fails unless v is an object.
  static Result<ObjectReader> Open(const Value& v, std::string path) {
    if (v.kind != Kind::object) return TypeError(v, path, "object");
    return ObjectReader(v, std::move(path));
  }

  const Value* Get(std::string_view key) const {
    const Value* m = v_.Find(key);
    return m && m->kind != Kind::null ? m : nullptr;
  }
  std::string PathOf(std::string_view key) const { return MemberPath(path_, key); }
  const std::string& path() const { return path_; }

  template <class T>
  Status Field(std::string_view key, T& out) const {
    const Value* m = Get(key);
    return m ? Read(*m, PathOf(key), out) : Ok();
  }
  // With a custom element reader fn(const Value&, const std::string&, T&).
  template <class T, class F>
  Status Field(std::string_view key, T& out, F&& fn) const {
    const Value* m = Get(key);
    return m ? fn(*m, PathOf(key), out) : Ok();
  }
  template <class T>
  Status Required(std::string_view key, T& out) const {
    const Value* m = v_.Find(key);
    if (!m) return PathError(PathOf(key), "missing required property");
    return Read(*m, PathOf(key), out);
  }
  Status Name(std::string_view key, const NameSet& set, std::string& out) const {
    const Value* m = Get(key);
    return m ? ReadName(*m, PathOf(key), set, out) : Ok();
  }
  Status RequiredName(std::string_view key, const NameSet& set, std::string& out) const {
    const Value* m = v_.Find(key);
    if (!m) return PathError(PathOf(key), "missing required property");
    return ReadName(*m, PathOf(key), set, out);
  }
  Status Names(std::string_view key, const NameSet& set, std::vector<std::string>& out) const {
    const Value* m = Get(key);
    return m ? ReadNames(*m, PathOf(key), set, out) : Ok();
  }

 private:
  const Value& v_;
  std::string path_;
};

}  // namespace berth::spec::json
