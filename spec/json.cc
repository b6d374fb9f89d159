#include "spec/json.h"

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace berth::spec::json {

Value::Value(double d) {
  if (!std::isfinite(d)) return;  // null
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
  (void)ec;  // 32 bytes hold any double's shortest form
  kind = Kind::number;
  text.assign(buf, end);
}

Value Value::Array() { return Array(std::vector<Value>()); }

Value Value::Array(std::vector<Value> items) {
  Value v;
  v.kind = Kind::array;
  v.items = std::move(items);
  return v;
}

Value Value::Object() {
  Value v;
  v.kind = Kind::object;
  return v;
}

Value Value::Strings(const std::vector<std::string>& strings) {
  Value v = Array();
  v.items.reserve(strings.size());
  for (const auto& s : strings) v.items.emplace_back(s);
  return v;
}

bool Value::is_integer() const {
  if (kind != Kind::number) return false;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  return ec == std::errc() && end == text.data() + text.size();
}

int64_t Value::as_int() const {
  if (kind != Kind::number) return 0;
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec == std::errc() && end == text.data() + text.size()) return n;
  // A fraction or an exponent: through double, when int64 holds it.
  double d = as_double();
  if (!(d > -9223372036854775808.0 && d < 9223372036854775808.0)) return 0;
  return static_cast<int64_t>(d);
}

double Value::as_double() const {
  if (kind != Kind::number) return 0;
  double d = 0;
  std::from_chars(text.data(), text.data() + text.size(), d);
  return d;
}

const std::string& Value::as_string() const {
  static const std::string empty;
  return kind == Kind::string ? text : empty;
}

size_t Value::size() const { return kind == Kind::object ? members.size() : items.size(); }

const Value* Value::Find(std::string_view key) const {
  if (kind != Kind::object) return nullptr;
  for (auto it = members.rbegin(); it != members.rend(); ++it)
    if (it->key == key) return &it->value;
  return nullptr;
}

Value* Value::Find(std::string_view key) { return const_cast<Value*>(std::as_const(*this).Find(key)); }

const Value* Value::At(std::string_view dotted_path) const {
  const Value* cur = this;
  while (cur != nullptr && !dotted_path.empty()) {
    size_t dot = dotted_path.find('.');
    cur = cur->Find(dotted_path.substr(0, dot));
    dotted_path = dot == std::string_view::npos ? std::string_view() : dotted_path.substr(dot + 1);
  }
  return cur;
}

Value& Value::operator[](std::string_view key) {
  if (kind != Kind::object) *this = Object();
  if (Value* found = Find(key)) return *found;
  members.push_back(Member{std::string(key), Value()});
  return members.back().value;
}

const Value& Value::operator[](std::string_view key) const {
  static const Value null_value;
  const Value* found = Find(key);
  return found ? *found : null_value;
}

bool Value::Erase(std::string_view key) {
  return std::erase_if(members, [&](const Member& m) { return m.key == key; }) > 0;
}

Value& Value::Push(Value item) {
  if (kind != Kind::array) *this = Array();
  items.push_back(std::move(item));
  return items.back();
}

std::string Value::Dump(bool pretty) const {
  Writer w(pretty);
  w.Write(*this);
  return w.Take();
}

std::string_view KindName(Kind kind) {
  switch (kind) {
    case Kind::null: return "null";
    case Kind::boolean: return "boolean";
    case Kind::number: return "number";
    case Kind::string: return "string";
    case Kind::array: return "array";
    case Kind::object: return "object";
  }
  return "?";
}

namespace {

// True when s is well-formed UTF-8 (RFC 3629). With `fixed`, also writes s
// with each ill-formed byte replaced by U+FFFD (the writer's use: its output
// is valid JSON even for a model built from arbitrary bytes).
bool IsValidUtf8(std::string_view s, std::string* fixed) {
  bool valid = true;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = s[i];
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = n != 0 && i + n <= s.size();
    for (size_t k = 1; ok && k < n; ++k) ok = (static_cast<unsigned char>(s[i + k]) >> 6) == 2;
    if (ok && n > 1) {
      // Reject overlong forms, surrogates and values above U+10FFFF.
      uint32_t cp = c & (0x7F >> n);
      for (size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
      static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
      ok = cp >= kMin[n] && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF);
    }
    if (ok) {
      if (fixed) fixed->append(s.substr(i, n));
      i += n;
    } else {
      valid = false;
      if (!fixed) return false;
      fixed->append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return valid;
}

// Builds a Value tree from yajl's events. Open containers are kept as
// pointers: only the innermost one is appended to, so its ancestors' element
// vectors never reallocate while a pointer into them is live.
struct Builder {
  Value root;
  bool have_root = false;
  std::vector<Value*> open;
  std::string key;
  bool too_deep = false;
  // yajl checks UTF-8 only loosely (it lets overlong forms, encoded
  // surrogates and code points above U+10FFFF through); strings and keys are
  // checked again so that what is read is what the writer writes back.
  bool bad_utf8 = false;

  Value* Add(Value v) {
    if (open.empty()) {
      root = std::move(v);
      have_root = true;
      return &root;
    }
    Value* top = open.back();
    if (top->kind == Kind::array) {
      top->items.push_back(std::move(v));
      return &top->items.back();
    }
    top->members.push_back(Member{std::move(key), std::move(v)});
    key.clear();
    return &top->members.back().value;
  }
  int Open(Kind kind) {
    if (open.size() >= static_cast<size_t>(kMaxDepth)) {
      too_deep = true;
      return 0;
    }
    Value v;
    v.kind = kind;
    open.push_back(Add(std::move(v)));
    return 1;
  }
};

Builder* B(void* ctx) { return static_cast<Builder*>(ctx); }

int OnNull(void* ctx) {
  B(ctx)->Add(Value{});
  return 1;
}
int OnBoolean(void* ctx, int b) {
  Value v;
  v.kind = Kind::boolean;
  v.boolean = b != 0;
  B(ctx)->Add(std::move(v));
  return 1;
}
int OnNumber(void* ctx, const char* s, size_t len) {
  Value v;
  v.kind = Kind::number;
  v.text.assign(s, len);
  B(ctx)->Add(std::move(v));
  return 1;
}
int OnString(void* ctx, const unsigned char* s, size_t len) {
  if (!IsValidUtf8({reinterpret_cast<const char*>(s), len}, nullptr)) {
    B(ctx)->bad_utf8 = true;
    return 0;
  }
  Value v;
  v.kind = Kind::string;
  v.text.assign(reinterpret_cast<const char*>(s), len);
  B(ctx)->Add(std::move(v));
  return 1;
}
int OnStartMap(void* ctx) { return B(ctx)->Open(Kind::object); }
int OnMapKey(void* ctx, const unsigned char* s, size_t len) {
  if (!IsValidUtf8({reinterpret_cast<const char*>(s), len}, nullptr)) {
    B(ctx)->bad_utf8 = true;
    return 0;
  }
  B(ctx)->key.assign(reinterpret_cast<const char*>(s), len);
  return 1;
}
int OnEnd(void* ctx) {
  B(ctx)->open.pop_back();
  return 1;
}
int OnStartArray(void* ctx) { return B(ctx)->Open(Kind::array); }

constexpr yajl_callbacks kCallbacks = {
    OnNull, OnBoolean, nullptr, nullptr, OnNumber, OnString, OnStartMap, OnMapKey, OnEnd, OnStartArray, OnEnd,
};

std::string ParseErrorText(yajl_handle h, std::string_view text) {
  unsigned char* raw = yajl_get_error(h, 0, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  std::string msg = raw ? reinterpret_cast<const char*>(raw) : "parse error";
  if (raw) yajl_free_error(h, raw);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ' || msg.back() == '.')) msg.pop_back();
  return msg;
}

}  // namespace

Result<Value> Parse(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return Error("invalid JSON: empty document");
  Builder builder;
  yajl_handle h = yajl_alloc(&kCallbacks, nullptr, &builder);
  if (h == nullptr) return Error("invalid JSON: out of memory");
  size_t at = 0;
  yajl_status st = yajl_parse(h, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  if (st != yajl_status_ok) {
    at = yajl_get_bytes_consumed(h);
  } else {
    st = yajl_complete_parse(h);
    at = text.size();  // the document ended too early
  }
  if (st != yajl_status_ok) {
    std::string msg;
    if (builder.too_deep)
      msg = "nested deeper than " + std::to_string(kMaxDepth) + " levels";
    else if (builder.bad_utf8)
      msg = "ill-formed UTF-8 in a string";
    else
      msg = ParseErrorText(h, text);
    yajl_free(h);
    return Error("invalid JSON: " + msg + " at byte " + std::to_string(at));
  }
  yajl_free(h);
  if (!builder.have_root) return Error("invalid JSON: empty document");
  return std::move(builder.root);
}

// ---------------------------------------------------------------- writer

struct Writer::Impl {
  yajl_gen g = nullptr;
};

namespace {
void Check(yajl_gen_status st) {
  if (st != yajl_gen_status_ok) std::abort();  // misuse of Writer: a bug
}

}  // namespace

Writer::Writer(bool pretty, const char* indent) : impl_(std::make_unique<Impl>()) {
  impl_->g = yajl_gen_alloc(nullptr);
  if (impl_->g == nullptr) std::abort();
  if (pretty) {
    yajl_gen_config(impl_->g, yajl_gen_beautify, 1);
    yajl_gen_config(impl_->g, yajl_gen_indent_string, indent);
  }
}

Writer::~Writer() { yajl_gen_free(impl_->g); }

void Writer::BeginObject() { Check(yajl_gen_map_open(impl_->g)); }
void Writer::EndObject() { Check(yajl_gen_map_close(impl_->g)); }
void Writer::BeginArray() { Check(yajl_gen_array_open(impl_->g)); }
void Writer::EndArray() { Check(yajl_gen_array_close(impl_->g)); }
void Writer::Bool(bool v) { Check(yajl_gen_bool(impl_->g, v)); }
void Writer::Null() { Check(yajl_gen_null(impl_->g)); }
void Writer::Int(int64_t v) { Check(yajl_gen_integer(impl_->g, v)); }

void Writer::Uint(uint64_t v) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  (void)ec;
  Check(yajl_gen_number(impl_->g, buf, static_cast<size_t>(end - buf)));
}

void Writer::String(std::string_view s) {
  if (IsValidUtf8(s, nullptr)) {
    Check(yajl_gen_string(impl_->g, reinterpret_cast<const unsigned char*>(s.data()), s.size()));
    return;
  }
  std::string fixed;
  IsValidUtf8(s, &fixed);
  Check(yajl_gen_string(impl_->g, reinterpret_cast<const unsigned char*>(fixed.data()), fixed.size()));
}

void Writer::Number(std::string_view literal) {
  Check(yajl_gen_number(impl_->g, literal.data(), literal.size()));
}

void Writer::Write(const Value& v) {
  switch (v.kind) {
    case Kind::null: Null(); break;
    case Kind::boolean: Bool(v.boolean); break;
    case Kind::number: Number(v.text); break;
    case Kind::string: String(v.text); break;
    case Kind::array:
      BeginArray();
      for (const Value& item : v.items) Write(item);
      EndArray();
      break;
    case Kind::object:
      BeginObject();
      for (const Member& m : v.members) {
        Key(m.key);
        Write(m.value);
      }
      EndObject();
      break;
  }
}

std::string Quote(std::string_view s) {
  Writer w;
  w.String(s);
  return w.Take();
}

std::string Writer::Take() {
  const unsigned char* buf = nullptr;
  size_t len = 0;
  yajl_gen_get_buf(impl_->g, &buf, &len);
  std::string out(reinterpret_cast<const char*>(buf), len);
  yajl_gen_clear(impl_->g);
  return out;
}

}  // namespace berth::spec::json
