// The results model shared by the harness and the report writers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "conformance/registry/extract.h"

namespace berth::conformance {

enum class Outcome { pass, fail, skip };
std::string_view OutcomeName(Outcome outcome);

// One verdict on one requirement by one case.
struct Check {
  std::string requirement;  // registry id
  Outcome outcome = Outcome::fail;
  std::string detail;  // fail: expected vs observed; skip: why; pass: what was seen
};

struct CaseResult {
  std::string name;
  std::vector<std::string> requirements;  // as declared by the case
  std::vector<Check> checks;
  double seconds = 0;

  // fail if any check failed, pass if any passed, else skip.
  Outcome Overall() const;
  // The first failing (or, when skipped, skipping) check's detail.
  std::string Reason() const;
};

struct RuntimeResults {
  std::string label;  // column heading, e.g. "runc" or "berth"
  std::string path;
  std::string version;  // first line of `--version`
  std::vector<CaseResult> cases;
};

// A requirement's verdict for one runtime, aggregated over every case that
// checked it: fail if any case failed it, pass if any passed, skip otherwise.
struct Cell {
  Outcome outcome = Outcome::skip;
  std::string detail;
  std::vector<std::string> cases;  // the cases that checked the requirement
};
std::map<std::string, Cell> AggregateByRequirement(const RuntimeResults& results);

struct Totals {
  int passed = 0, failed = 0, skipped = 0;
};
Totals CaseTotals(const RuntimeResults& results);

// Requirements that no case on this host can check, with the reason (other
// platforms, statements about config authors, hardware this host lacks).
std::map<std::string, std::string> NotCheckableReasons(const std::vector<Requirement>& registry,
                                                       std::string_view not_checkable_tsv);

}  // namespace berth::conformance
