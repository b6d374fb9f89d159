#include "spec/json_read.h"

#include <algorithm>

namespace berth::spec::json {

namespace {
bool IsIdentifier(std::string_view key) {
  if (key.empty()) return false;
  return std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

std::string MemberPath(const std::string& path, std::string_view key) {
  if (IsIdentifier(key)) return path.empty() ? std::string(key) : path + "." + std::string(key);
  return path + "[" + Quote(key) + "]";
}

std::string IndexPath(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Error PathError(const std::string& path, std::string_view message) {
  if (path.empty()) return Error(std::string(message));
  return Error(path + ": " + std::string(message));
}

Error TypeError(const Value& v, const std::string& path, std::string_view what) {
  return PathError(path, "expected " + std::string(what) + ", got " + std::string(KindName(v.kind)));
}

Error RangeError(const Value& v, const std::string& path, std::string_view min, std::string_view max) {
  return PathError(path,
                   "expected integer in [" + std::string(min) + ", " + std::string(max) + "], got " + v.text);
}

Status Read(const Value& v, const std::string& path, std::string& out) {
  if (v.kind != Kind::string) return TypeError(v, path, "string");
  // Every string of the model ends up as a C string (a path, an argv entry,
  // a label): an embedded NUL would silently cut it short there.
  if (v.text.find('\0') != std::string::npos) return PathError(path, "contains a NUL character (\\u0000)");
  out = v.text;
  return Ok();
}

Status Read(const Value& v, const std::string& path, bool& out) {
  if (v.kind != Kind::boolean) return TypeError(v, path, "boolean");
  out = v.boolean;
  return Ok();
}

Status ReadInteger(const Value& v, const std::string& path, uint64_t& magnitude, bool& negative) {
  if (v.kind != Kind::number) return TypeError(v, path, "integer");
  std::string_view digits = v.text;
  negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (digits.empty() ||
      !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return PathError(path, "expected integer, got " + v.text);
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    // Only overflow is possible here: report it as out of range.
    return PathError(path, "integer out of range, got " + v.text);
  }
  if (magnitude == 0) negative = false;
  return Ok();
}

Status ReadName(const Value& v, const std::string& path, const NameSet& set, std::string& out) {
  if (v.kind != Kind::string) return TypeError(v, path, "string");
  if (!set.Contains(v.text)) {
    std::string msg = "unknown " + std::string(set.noun) + " " + Quote(v.text);
    if (set.size <= 12) {
      msg += " (expected one of ";
      for (size_t i = 0; i < set.size; ++i) {
        if (i) msg += ", ";
        msg += set.names[i];
      }
      msg += ")";
    }
    return PathError(path, msg);
  }
  out = v.text;
  return Ok();
}

Status ReadNames(const Value& v, const std::string& path, const NameSet& set, std::vector<std::string>& out) {
  if (v.kind != Kind::array) return TypeError(v, path, "array");
  out.clear();
  out.reserve(v.items.size());
  for (size_t i = 0; i < v.items.size(); ++i) {
    std::string name;
    BERTH_TRY(ReadName(v.items[i], IndexPath(path, i), set, name));
    out.push_back(std::move(name));
  }
  return Ok();
}

}  // namespace berth::spec::json
