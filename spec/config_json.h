// Reading and writing config.json (runtime-spec v1.3) with yajl.
//
// Errors name the JSON path and what was expected, e.g.
//   "linux.resources.memory.limit: expected integer, got string".
// Unknown properties are ignored; null is read as "not set"; values outside a
// closed set of the spec (namespace type, seccomp action, capability, ...) and
// integers outside their field's range are errors.
#pragma once

#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::spec {

Result<Config> ParseConfig(std::string_view text);

// Reads and parses a config.json file; errors name the file.
Result<Config> ReadConfigFile(const std::string& path);

// A linux.resources object alone (what `update --resources` reads); errors
// name fields from the object's root ("memory.limit: ...").
Result<Resources> ParseResources(std::string_view text);

// Compact JSON; ParseConfig(SerializeConfig(c)) == c.
std::string SerializeConfig(const Config& config);
// The same, indented with tabs as `runc spec` writes it.
std::string SerializeConfigPretty(const Config& config);

// Parts of config.json given as documents of their own. Errors name fields
// from the part's root ("args[0]: expected string, got number").
// The process.json of `exec --process`: a "process" object.
Result<Process> ParseProcess(std::string_view text);
// A "linux.seccomp" object (a seccomp profile).
Result<Seccomp> ParseSeccomp(std::string_view text);

}  // namespace berth::spec
