// A JSON Schema (draft-04) checker for the subset the OCI schemas use on the
// documents a runtime emits (state, features): type, enum, minimum, required,
// properties, additionalProperties, patternProperties (any key), items,
// $ref to "#/definitions/x" or "other.json#/definitions/x" next to the schema.
#pragma once

#include <string>
#include <vector>

#include "spec/json.h"

namespace berth::conformance {

namespace json = spec::json;

class SchemaChecker {
 public:
  // schema_dir holds the schema files ("state-schema.json", "defs.json", ...).
  explicit SchemaChecker(std::string schema_dir) : dir_(std::move(schema_dir)) {}
  // Every violation as "path: problem"; an unreadable schema is one violation.
  std::vector<std::string> Check(const json::Value& doc, const std::string& schema_file);

 private:
  const json::Value* Load(const std::string& file);
  void CheckValue(const json::Value& value, const json::Value& schema, const std::string& file,
                  const std::string& path, std::vector<std::string>* errors, int depth);
  std::string dir_;
  std::vector<std::pair<std::string, json::Value>> loaded_;
};

}  // namespace berth::conformance
