#include "conformance/report/results.h"

#include <sstream>

namespace berth::conformance {

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::pass: return "pass";
    case Outcome::fail: return "fail";
    case Outcome::skip: return "skip";
  }
  return "?";
}

Outcome CaseResult::Overall() const {
  bool any_pass = false;
  for (const auto& c : checks) {
    if (c.outcome == Outcome::fail) return Outcome::fail;
    if (c.outcome == Outcome::pass) any_pass = true;
  }
  return any_pass ? Outcome::pass : Outcome::skip;
}

std::string CaseResult::Reason() const {
  Outcome overall = Overall();
  for (const auto& c : checks)
    if (c.outcome == overall && overall != Outcome::pass) return c.requirement + ": " + c.detail;
  return "";
}

std::map<std::string, Cell> AggregateByRequirement(const RuntimeResults& results) {
  std::map<std::string, Cell> cells;
  std::map<std::string, bool> seen_pass;
  for (const auto& cr : results.cases) {
    for (const auto& check : cr.checks) {
      Cell& cell = cells[check.requirement];
      if (cell.cases.empty() || cell.cases.back() != cr.name) cell.cases.push_back(cr.name);
      if (cell.outcome == Outcome::fail) continue;
      if (check.outcome == Outcome::fail) {
        cell.outcome = Outcome::fail;
        cell.detail = cr.name + ": " + check.detail;
      } else if (check.outcome == Outcome::pass) {
        if (cell.outcome == Outcome::skip) cell.detail.clear();
        cell.outcome = Outcome::pass;
      } else if (cell.outcome == Outcome::skip && cell.detail.empty()) {
        cell.detail = check.detail;
      }
    }
  }
  return cells;
}

Totals CaseTotals(const RuntimeResults& results) {
  Totals t;
  for (const auto& c : results.cases) {
    switch (c.Overall()) {
      case Outcome::pass: ++t.passed; break;
      case Outcome::fail: ++t.failed; break;
      case Outcome::skip: ++t.skipped; break;
    }
  }
  return t;
}

std::map<std::string, std::string> NotCheckableReasons(const std::vector<Requirement>& registry,
                                                       std::string_view not_checkable_tsv) {
  std::map<std::string, std::string> reasons;
  for (const auto& r : registry)
    if (r.platform != "linux") reasons[r.id] = "applies to " + r.platform + " only";
  std::istringstream in{std::string(not_checkable_tsv)};
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    reasons[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return reasons;
}

}  // namespace berth::conformance
