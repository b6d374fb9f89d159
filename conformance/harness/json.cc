#include "conformance/harness/json.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace berth::conformance {

Json Json::Array(std::vector<Json> items) {
  Json j;
  j.type_ = Type::array;
  j.items_ = std::move(items);
  return j;
}

Json Json::Object() {
  Json j;
  j.type_ = Type::object;
  return j;
}

Json Json::Strings(const std::vector<std::string>& items) {
  Json j = Array();
  for (const auto& s : items) j.items_.emplace_back(s);
  return j;
}

const std::string& Json::as_string() const {
  static const std::string empty;
  return type_ == Type::string ? string_ : empty;
}

Json& Json::Push(Json value) {
  if (type_ != Type::array) *this = Array();
  items_.push_back(std::move(value));
  return items_.back();
}

Json& Json::operator[](std::string_view key) {
  if (type_ != Type::object) *this = Object();
  for (auto& [k, v] : members_)
    if (k == key) return v;
  members_.emplace_back(std::string(key), Json());
  return members_.back().second;
}

const Json& Json::operator[](std::string_view key) const {
  static const Json null_value;
  const Json* found = Find(key);
  return found ? *found : null_value;
}

const Json* Json::Find(std::string_view key) const {
  if (type_ != Type::object) return nullptr;
  for (const auto& [k, v] : members_)
    if (k == key) return &v;
  return nullptr;
}

Json* Json::Find(std::string_view key) {
  return const_cast<Json*>(static_cast<const Json*>(this)->Find(key));
}

const Json* Json::At(std::string_view dotted_path) const {
  const Json* cur = this;
  while (cur != nullptr && !dotted_path.empty()) {
    size_t dot = dotted_path.find('.');
    cur = cur->Find(dotted_path.substr(0, dot));
    dotted_path = dot == std::string_view::npos ? std::string_view() : dotted_path.substr(dot + 1);
  }
  return cur;
}

bool Json::Erase(std::string_view key) {
  for (auto it = members_.begin(); it != members_.end(); ++it) {
    if (it->first == key) {
      members_.erase(it);
      return true;
    }
  }
  return false;
}

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", u);
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string Json::Dump(bool pretty) const {
  std::string out;
  DumpTo(&out, pretty, 0);
  return out;
}

void Json::DumpTo(std::string* out, bool pretty, int indent) const {
  auto newline = [&](int level) {
    if (!pretty) return;
    *out += '\n';
    out->append(static_cast<size_t>(level) * 2, ' ');
  };
  switch (type_) {
    case Type::null: *out += "null"; break;
    case Type::boolean: *out += bool_ ? "true" : "false"; break;
    case Type::number:
      if (integral_) {
        *out += std::to_string(int_);
      } else {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%.17g", double_);
        *out += buf;
      }
      break;
    case Type::string: *out += JsonQuote(string_); break;
    case Type::array:
      *out += '[';
      for (size_t i = 0; i < items_.size(); ++i) {
        if (i) *out += ',';
        newline(indent + 1);
        items_[i].DumpTo(out, pretty, indent + 1);
      }
      if (!items_.empty()) newline(indent);
      *out += ']';
      break;
    case Type::object:
      *out += '{';
      for (size_t i = 0; i < members_.size(); ++i) {
        if (i) *out += ',';
        newline(indent + 1);
        *out += JsonQuote(members_[i].first);
        *out += pretty ? ": " : ":";
        members_[i].second.DumpTo(out, pretty, indent + 1);
      }
      if (!members_.empty()) newline(indent);
      *out += '}';
      break;
  }
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  Result<Json> Document() {
    auto value = Value(0);
    if (!value) return value;
    SkipSpace();
    if (pos_ != s_.size()) return Fail("trailing characters");
    return value;
  }

 private:
  Error Fail(const std::string& what) const {
    return Error("json: " + what + " at offset " + std::to_string(pos_));
  }

  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r'))
      ++pos_;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Result<Json> Value(int depth) {
    if (depth > 200) return Fail("nesting too deep");
    SkipSpace();
    if (pos_ >= s_.size()) return Fail("unexpected end");
    char c = s_[pos_];
    if (c == '{') return ObjectValue(depth);
    if (c == '[') return ArrayValue(depth);
    if (c == '"') {
      auto str = String();
      if (!str) return std::move(str).error();
      return Json(std::move(*str));
    }
    if (Literal("true")) return Json(true);
    if (Literal("false")) return Json(false);
    if (Literal("null")) return Json();
    if (c == '-' || (c >= '0' && c <= '9')) return Number();
    return Fail(std::string("unexpected character '") + c + "'");
  }

  Result<Json> Number() {
    size_t start = pos_;
    bool integral = true;
    if (s_[pos_] == '-') ++pos_;
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c >= '0' && c <= '9') {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        integral = false;
        ++pos_;
      } else {
        break;
      }
    }
    std::string text(s_.substr(start, pos_ - start));
    if (text == "-") return Fail("bad number");
    char* end = nullptr;
    errno = 0;
    if (integral) {
      long long v = std::strtoll(text.c_str(), &end, 10);
      if (errno == 0 && end && *end == '\0') return Json(static_cast<int64_t>(v));
    }
    errno = 0;
    double d = std::strtod(text.c_str(), &end);
    if (!end || *end != '\0' || !std::isfinite(d)) return Fail("bad number " + text);
    return Json(d);
  }

  Result<std::string> String() {
    ++pos_;  // opening quote
    std::string out;
    while (pos_ < s_.size()) {
      char c = s_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) return Fail("control character in string");
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= s_.size()) break;
      char e = s_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          if (pos_ + 4 > s_.size()) return Fail("short \\u escape");
          unsigned cp = static_cast<unsigned>(std::strtoul(std::string(s_.substr(pos_, 4)).c_str(), nullptr, 16));
          pos_ += 4;
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u" && pos_ + 6 <= s_.size()) {
            unsigned lo = static_cast<unsigned>(std::strtoul(std::string(s_.substr(pos_ + 2, 4)).c_str(), nullptr, 16));
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              pos_ += 6;
            }
          }
          AppendUtf8(cp, &out);
          break;
        }
        default: return Fail("bad escape");
      }
    }
    return Fail("unterminated string");
  }

  static void AppendUtf8(unsigned cp, std::string* out) {
    if (cp < 0x80) {
      *out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      *out += static_cast<char>(0xC0 | (cp >> 6));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      *out += static_cast<char>(0xE0 | (cp >> 12));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      *out += static_cast<char>(0xF0 | (cp >> 18));
      *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      *out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  Result<Json> ArrayValue(int depth) {
    ++pos_;
    Json arr = Json::Array();
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ']') {
      ++pos_;
      return arr;
    }
    while (true) {
      auto item = Value(depth + 1);
      if (!item) return item;
      arr.Push(std::move(*item));
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unterminated array");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == ']') {
        ++pos_;
        return arr;
      }
      return Fail("expected ',' or ']'");
    }
  }

  Result<Json> ObjectValue(int depth) {
    ++pos_;
    Json obj = Json::Object();
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '}') {
      ++pos_;
      return obj;
    }
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '"') return Fail("expected object key");
      auto key = String();
      if (!key) return std::move(key).error();
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ':') return Fail("expected ':'");
      ++pos_;
      auto value = Value(depth + 1);
      if (!value) return value;
      obj[*key] = std::move(*value);
      SkipSpace();
      if (pos_ >= s_.size()) return Fail("unterminated object");
      if (s_[pos_] == ',') {
        ++pos_;
        continue;
      }
      if (s_[pos_] == '}') {
        ++pos_;
        return obj;
      }
      return Fail("expected ',' or '}'");
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

Result<Json> ParseJson(std::string_view text) { return Parser(text).Document(); }

}  // namespace berth::conformance
