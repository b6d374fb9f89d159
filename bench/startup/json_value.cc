#include "bench/startup/json_value.h"

#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include <memory>

namespace berth::bench {

JsonValue JsonValue::String(std::string s) {
  JsonValue v;
  v.kind = Kind::kString;
  v.text = std::move(s);
  return v;
}

JsonValue JsonValue::Bool(bool b) {
  JsonValue v;
  v.kind = Kind::kBool;
  v.boolean = b;
  return v;
}

JsonValue JsonValue::Number(long long n) {
  JsonValue v;
  v.kind = Kind::kNumber;
  v.text = std::to_string(n);
  return v;
}

JsonValue JsonValue::Array(std::vector<JsonValue> items) {
  JsonValue v;
  v.kind = Kind::kArray;
  v.items = std::move(items);
  return v;
}

JsonValue JsonValue::Object() {
  JsonValue v;
  v.kind = Kind::kObject;
  return v;
}

JsonValue JsonValue::StringArray(const std::vector<std::string>& strings) {
  std::vector<JsonValue> items;
  for (const auto& s : strings) items.push_back(String(s));
  return Array(std::move(items));
}

JsonValue* JsonValue::Find(std::string_view key) {
  if (kind != Kind::kObject) return nullptr;
  for (auto& [k, v] : members)
    if (k == key) return &v;
  return nullptr;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  return const_cast<JsonValue*>(this)->Find(key);
}

JsonValue& JsonValue::Set(const std::string& key, JsonValue value) {
  if (kind != Kind::kObject) *this = Object();
  if (JsonValue* existing = Find(key)) {
    *existing = std::move(value);
    return *existing;
  }
  members.emplace_back(key, std::move(value));
  return members.back().second;
}

bool JsonValue::Erase(std::string_view key) {
  for (auto it = members.begin(); it != members.end(); ++it) {
    if (it->first == key) {
      members.erase(it);
      return true;
    }
  }
  return false;
}

namespace {

// Builds the tree from yajl's events. `stack` holds the open containers;
// `pending_key` is the key of the next member of the innermost object.
// The stack's pointers into the tree stay valid while a container is open because only
// the innermost open container grows, and it is never an element of a
// vector that grows after the pointer was taken (its parent is not appended
// to until it closes).
struct Builder {
  JsonValue root;
  bool have_root = false;
  std::vector<JsonValue*> stack;
  std::string pending_key;

  // Places v in the innermost container (or as the root); returns where it went.
  JsonValue* Add(JsonValue v) {
    if (stack.empty()) {
      root = std::move(v);
      have_root = true;
      return &root;
    }
    JsonValue* parent = stack.back();
    if (parent->kind == JsonValue::Kind::kArray) {
      parent->items.push_back(std::move(v));
      return &parent->items.back();
    }
    parent->members.emplace_back(std::move(pending_key), std::move(v));
    pending_key.clear();
    return &parent->members.back().second;
  }
};

Builder* B(void* ctx) { return static_cast<Builder*>(ctx); }

int OnNull(void* ctx) {
  B(ctx)->Add(JsonValue());
  return 1;
}
int OnBool(void* ctx, int b) {
  B(ctx)->Add(JsonValue::Bool(b != 0));
  return 1;
}
int OnNumber(void* ctx, const char* s, size_t n) {
  JsonValue v;
  v.kind = JsonValue::Kind::kNumber;
  v.text.assign(s, n);
  B(ctx)->Add(std::move(v));
  return 1;
}
int OnString(void* ctx, const unsigned char* s, size_t n) {
  B(ctx)->Add(JsonValue::String(std::string(reinterpret_cast<const char*>(s), n)));
  return 1;
}
int OnStartMap(void* ctx) {
  B(ctx)->stack.push_back(B(ctx)->Add(JsonValue::Object()));
  return 1;
}
int OnMapKey(void* ctx, const unsigned char* s, size_t n) {
  B(ctx)->pending_key.assign(reinterpret_cast<const char*>(s), n);
  return 1;
}
int OnEnd(void* ctx) {
  B(ctx)->stack.pop_back();
  return 1;
}
int OnStartArray(void* ctx) {
  B(ctx)->stack.push_back(B(ctx)->Add(JsonValue::Array({})));
  return 1;
}

const yajl_callbacks kCallbacks = {
    OnNull, OnBool, nullptr, nullptr, OnNumber, OnString,
    OnStartMap, OnMapKey, OnEnd, OnStartArray, OnEnd,
};

void Generate(yajl_gen g, const JsonValue& v) {
  switch (v.kind) {
    case JsonValue::Kind::kNull:
      yajl_gen_null(g);
      break;
    case JsonValue::Kind::kBool:
      yajl_gen_bool(g, v.boolean ? 1 : 0);
      break;
    case JsonValue::Kind::kNumber:
      yajl_gen_number(g, v.text.data(), v.text.size());
      break;
    case JsonValue::Kind::kString:
      yajl_gen_string(g, reinterpret_cast<const unsigned char*>(v.text.data()), v.text.size());
      break;
    case JsonValue::Kind::kArray:
      yajl_gen_array_open(g);
      for (const auto& item : v.items) Generate(g, item);
      yajl_gen_array_close(g);
      break;
    case JsonValue::Kind::kObject:
      yajl_gen_map_open(g);
      for (const auto& [key, value] : v.members) {
        yajl_gen_string(g, reinterpret_cast<const unsigned char*>(key.data()), key.size());
        Generate(g, value);
      }
      yajl_gen_map_close(g);
      break;
  }
}

}  // namespace

Result<JsonValue> ParseJson(std::string_view text) {
  Builder builder;
  std::unique_ptr<yajl_handle_t, void (*)(yajl_handle)> h(
      yajl_alloc(&kCallbacks, nullptr, &builder), yajl_free);
  if (!h) return Error("json: out of memory");
  const auto* data = reinterpret_cast<const unsigned char*>(text.data());
  yajl_status st = yajl_parse(h.get(), data, text.size());
  if (st == yajl_status_ok) st = yajl_complete_parse(h.get());
  if (st != yajl_status_ok) {
    unsigned char* msg = yajl_get_error(h.get(), 0, data, text.size());
    std::string message = "json: " + std::string(reinterpret_cast<char*>(msg));
    yajl_free_error(h.get(), msg);
    return Error(message);
  }
  if (!builder.have_root) return Error("json: empty document");
  return std::move(builder.root);
}

std::string SerializeJson(const JsonValue& value, bool pretty) {
  yajl_gen g = yajl_gen_alloc(nullptr);
  yajl_gen_config(g, yajl_gen_beautify, pretty ? 1 : 0);
  yajl_gen_config(g, yajl_gen_indent_string, "\t");
  Generate(g, value);
  const unsigned char* buf = nullptr;
  size_t len = 0;
  yajl_gen_get_buf(g, &buf, &len);
  std::string out(reinterpret_cast<const char*>(buf), len);
  yajl_gen_free(g);
  return out;
}

}  // namespace berth::bench
