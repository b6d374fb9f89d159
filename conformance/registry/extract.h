// Extraction of the spec's normative statements (MUST, MUST NOT, SHOULD,
// SHOULD NOT) into a registry of requirement ids.
//
// An id is "<document>#<section-slug>-<ordinal>", e.g. "runtime.md#start-3":
// the slug of the nearest heading (GitHub style, anchors stripped) and the
// 1-based position of the statement among that section's statements. Prose
// is split into sentences; a table row is one statement. Fenced code blocks
// are skipped.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"

namespace berth::conformance {

struct Requirement {
  std::string id;        // "runtime.md#start-3"
  std::string level;     // "MUST", "MUST NOT", "SHOULD", "SHOULD NOT"
  std::string platform;  // "linux" (applies here) or the other platform it is about
  std::string text;      // the sentence, whitespace collapsed, no tabs
  bool operator==(const Requirement&) const = default;
};

// "## <a name=\"runtimeStart\" />Start" -> "start"; "Cgroups Path" -> "cgroups-path".
std::string SlugifyHeading(std::string_view heading_line);

// The strongest keyword in a sentence, or "" when it has none.
std::string RequirementLevel(std::string_view sentence);

// "windows", "solaris", "zos", "vm" when the sentence or its section is about
// another platform; "linux" otherwise.
std::string PlatformOf(std::string_view sentence, const std::vector<std::string>& headings);

std::vector<Requirement> ExtractRequirements(std::string_view document_name, std::string_view markdown);

// Registry file format: one requirement per line, tab separated
// "id level platform text"; lines starting with '#' are comments.
std::string RegistryToTsv(const std::vector<Requirement>& requirements);
Result<std::vector<Requirement>> RegistryFromTsv(std::string_view tsv);

}  // namespace berth::conformance
