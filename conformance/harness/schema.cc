#include "conformance/harness/schema.h"

#include "conformance/harness/process.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

bool HasType(const json::Value& v, const std::string& type) {
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "null") return v.is_null();
  return false;
}

}  // namespace

const json::Value* SchemaChecker::Load(const std::string& file) {
  for (const auto& [name, json] : loaded_)
    if (name == file) return &json;
  auto text = ReadFileText(dir_ + "/" + file);
  if (!text) return nullptr;
  auto json = json::Parse(*text);
  if (!json) return nullptr;
  loaded_.emplace_back(file, std::move(*json));
  return &loaded_.back().second;
}

std::vector<std::string> SchemaChecker::Check(const json::Value& doc, const std::string& schema_file) {
  std::vector<std::string> errors;
  const json::Value* schema = Load(schema_file);
  if (!schema) return {"cannot read schema " + dir_ + "/" + schema_file};
  json::Value copy = *schema;  // Load may grow loaded_ and move it
  CheckValue(doc, copy, schema_file, "$", &errors, 0);
  return errors;
}

void SchemaChecker::CheckValue(const json::Value& value, const json::Value& schema, const std::string& file,
                               const std::string& path, std::vector<std::string>* errors, int depth) {
  if (depth > 32) return;
  if (const json::Value* ref = schema.Find("$ref")) {
    std::string target = ref->as_string();
    size_t hash = target.find('#');
    std::string ref_file = hash == 0 ? file : target.substr(0, hash);
    std::string pointer = hash == std::string::npos ? "" : target.substr(hash + 1);
    const json::Value* doc = Load(ref_file);
    if (!doc) {
      errors->push_back(path + ": cannot load " + ref_file);
      return;
    }
    json::Value node = *doc;
    // "/definitions/name"
    size_t start = 1;
    while (start < pointer.size() + 1 && !pointer.empty()) {
      size_t slash = pointer.find('/', start);
      std::string part =
          pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
      const json::Value* next = node.Find(part);
      if (!next) {
        errors->push_back(path + ": unresolvable $ref " + target);
        return;
      }
      json::Value tmp = *next;
      node = std::move(tmp);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    CheckValue(value, node, ref_file, path, errors, depth + 1);
    return;
  }
  if (const json::Value* type = schema.Find("type")) {
    bool ok = false;
    std::string names;
    if (type->is_string()) {
      ok = HasType(value, type->as_string());
      names = type->as_string();
    } else {
      for (const auto& t : type->items) {
        ok |= HasType(value, t.as_string());
        names += (names.empty() ? "" : "|") + t.as_string();
      }
    }
    if (!ok) {
      errors->push_back(path + ": expected " + names + ", got " + value.Dump());
      return;
    }
  }
  if (const json::Value* allowed = schema.Find("enum")) {
    bool found = false;
    for (const auto& a : allowed->items) found |= a.Dump() == value.Dump();
    if (!found) errors->push_back(path + ": " + value.Dump() + " is not one of " + allowed->Dump());
  }
  if (const json::Value* minimum = schema.Find("minimum");
      minimum && value.is_number() && value.as_double() < minimum->as_double())
    errors->push_back(path + ": " + value.Dump() + " is below the minimum " + minimum->Dump());
  if (value.is_object()) {
    if (const json::Value* required = schema.Find("required"))
      for (const auto& r : required->items)
        if (!value.Find(r.as_string()))
          errors->push_back(path + ": required property \"" + r.as_string() + "\" missing");
    const json::Value* props = schema.Find("properties");
    const json::Value* patterns = schema.Find("patternProperties");
    const json::Value* additional = schema.Find("additionalProperties");
    for (const auto& [key, member] : value.members) {
      const json::Value* sub = props ? props->Find(key) : nullptr;
      if (sub) {
        CheckValue(member, *sub, file, path + "." + key, errors, depth + 1);
      } else if (patterns && patterns->size() > 0) {
        CheckValue(member, patterns->members.front().value, file, path + "." + key, errors, depth + 1);
      } else if (additional && additional->is_object()) {
        CheckValue(member, *additional, file, path + "." + key, errors, depth + 1);
      } else if (additional && additional->is_bool() && !additional->as_bool()) {
        errors->push_back(path + ": property \"" + key + "\" is not allowed");
      }
    }
  }
  if (value.is_array()) {
    if (const json::Value* items = schema.Find("items"); items && items->is_object())
      for (size_t i = 0; i < value.items.size(); ++i)
        CheckValue(value.items[i], *items, file, path + "[" + std::to_string(i) + "]", errors, depth + 1);
  }
}

}  // namespace berth::conformance
