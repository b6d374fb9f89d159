// linux.intelRdt values as text: validation of the config fields and the
// comparison of wanted schema lines with an existing group's schemata file.
//
// A schemata line is "<resource>:<domain>=<value>;<domain>=<value>..."
// (e.g. "L3:0=7f0;1=1f", "MB:0=20;1=70"); the kernel pads lines with spaces
// and may print values with other leading zeros than the config has.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::intelrdt {

// config-linux.md rules a runtime can check before touching resctrl:
// no newline in any schema value, memBwSchema starts with "MB:", closID is
// "/" or a single directory name. Errors name the field.
Status Validate(const spec::IntelRdt& rdt);

// Whether the config asks for any schemata write (l3CacheSchema, memBwSchema
// or schemata set).
bool HasSchemas(const spec::IntelRdt& rdt);

// The lines to write to the schemata file, in the order config-linux.md
// requires: l3CacheSchema, memBwSchema, then each schemata element.
std::vector<std::string> SchemaLines(const spec::IntelRdt& rdt);

// resource -> domain -> normalized value (lower case, no 0x, no leading zeros).
using SchemaMap = std::map<std::string, std::map<std::string, std::string>>;

// Parses lines; a later line's domain value replaces an earlier one's, as
// successive writes to the kernel's file would. Empty lines are skipped.
Result<SchemaMap> ParseSchemata(const std::vector<std::string>& lines);
Result<SchemaMap> ParseSchemataFile(std::string_view text);

// Ok when every domain value `wanted` names is what `existing` holds; the
// error names the first resource/domain that differs. Domains the config
// does not name are not compared (writing the config would leave them).
Status CheckSchemataMatch(const SchemaMap& existing, const SchemaMap& wanted);

}  // namespace berth::intelrdt
