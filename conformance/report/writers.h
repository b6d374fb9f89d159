// Report writers: TAP 13 and JUnit XML (one test per case and runtime), and
// the requirement matrix (one row per requirement, one column per runtime)
// as Markdown and as a self-contained HTML page.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "conformance/registry/extract.h"
#include "conformance/report/results.h"

namespace berth::conformance {

std::string WriteTap(const std::vector<RuntimeResults>& runs);
std::string WriteJunit(const std::vector<RuntimeResults>& runs);

struct MatrixInput {
  const std::vector<Requirement>* registry = nullptr;
  const std::vector<RuntimeResults>* runs = nullptr;
  const std::map<std::string, std::string>* not_checkable = nullptr;  // id -> reason
  std::string generated;                                              // e.g. the date and host
};

// Coverage counts for the summary: requirements checked by at least one
// case, and how many of them each runtime passed.
struct Coverage {
  int total = 0;          // requirements in the registry
  int checked = 0;        // with at least one case that can fail
  int not_checkable = 0;  // with a reason they cannot be checked here
  int unchecked = 0;      // neither
};
Coverage ComputeCoverage(const MatrixInput& in);

std::string WriteMarkdown(const MatrixInput& in);
std::string WriteHtml(const MatrixInput& in);

std::string XmlEscape(std::string_view s);

}  // namespace berth::conformance
