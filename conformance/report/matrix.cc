#include "conformance/report/writers.h"

#include <cstdio>

namespace berth::conformance {
namespace {

std::string MdCell(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  std::string out;
  for (char ch : s) {
    if (ch == '|')
      out += "\\|";
    else
      out += ch;
  }
  if (out.size() > 240) out = out.substr(0, 240) + "…";
  return out;
}

std::string Percent(int part, int whole) {
  if (whole == 0) return "0%";
  return std::to_string(part * 100 / whole) + "%";
}

struct RuntimeSummary {
  int pass = 0, fail = 0, skip = 0;
};

std::vector<std::map<std::string, Cell>> AllCells(const MatrixInput& in) {
  std::vector<std::map<std::string, Cell>> cells;
  for (const auto& run : *in.runs) cells.push_back(AggregateByRequirement(run));
  return cells;
}

RuntimeSummary Summarize(const std::map<std::string, Cell>& cells) {
  RuntimeSummary s;
  for (const auto& [id, cell] : cells) {
    if (cell.outcome == Outcome::pass)
      ++s.pass;
    else if (cell.outcome == Outcome::fail)
      ++s.fail;
    else
      ++s.skip;
  }
  return s;
}

// Ids checked by cases but not in the registry (the security regression
// tests), in order of first appearance.
std::vector<std::string> ExtraIds(const MatrixInput& in) {
  std::map<std::string, bool> known;
  for (const auto& r : *in.registry) known[r.id] = true;
  std::vector<std::string> extra;
  for (const auto& run : *in.runs)
    for (const auto& c : run.cases)
      for (const auto& check : c.checks)
        if (!known[check.requirement]) {
          known[check.requirement] = true;
          extra.push_back(check.requirement);
        }
  return extra;
}

}  // namespace

Coverage ComputeCoverage(const MatrixInput& in) {
  Coverage cov;
  auto cells = AllCells(in);
  for (const auto& r : *in.registry) {
    ++cov.total;
    bool checked = false;
    for (const auto& m : cells) checked |= m.count(r.id) > 0;
    if (checked)
      ++cov.checked;
    else if (in.not_checkable->count(r.id))
      ++cov.not_checkable;
    else
      ++cov.unchecked;
  }
  return cov;
}

std::string WriteMarkdown(const MatrixInput& in) {
  auto cells = AllCells(in);
  Coverage cov = ComputeCoverage(in);
  std::string out = "## Conformance matrix\n\n";
  if (!in.generated.empty()) out += in.generated + "\n\n";
  out += "Requirements in the registry: **" + std::to_string(cov.total) +
         "**; checked by at least one case: **" + std::to_string(cov.checked) + "** (" +
         Percent(cov.checked, cov.total) +
         "); not checkable on this host: " + std::to_string(cov.not_checkable) +
         "; not yet covered: " + std::to_string(cov.unchecked) + ".\n\n";
  int only_skipped = 0;
  for (const auto& r : *in.registry) {
    bool judged = false, any = false;
    for (const auto& m : cells) {
      auto it = m.find(r.id);
      if (it == m.end()) continue;
      any = true;
      judged |= it->second.outcome != Outcome::skip;
    }
    if (any && !judged) ++only_skipped;
  }
  if (only_skipped > 0)
    out += "Of the checked requirements, " + std::to_string(only_skipped) +
           " were skipped by every runtime on this host (their cases need what it lacks, e.g. resctrl).\n\n";
  out +=
      "| runtime | version | cases pass / fail / skip | requirements pass / fail / skip | time (s) |\n"
      "|---|---|---|---|---|\n";
  for (size_t i = 0; i < in.runs->size(); ++i) {
    const auto& run = (*in.runs)[i];
    Totals t = CaseTotals(run);
    RuntimeSummary s = Summarize(cells[i]);
    double seconds = 0;
    for (const auto& c : run.cases) seconds += c.seconds;
    char secs[32];
    snprintf(secs, sizeof secs, "%.0f", seconds);
    out += "| " + MdCell(run.label) + " | " + MdCell(run.version) + " | " + std::to_string(t.passed) + " / " +
           std::to_string(t.failed) + " / " + std::to_string(t.skipped) + " | " + std::to_string(s.pass) +
           " / " + std::to_string(s.fail) + " / " + std::to_string(s.skip) + " | " + secs + " |\n";
  }
  out += "\n| requirement | level |";
  for (const auto& run : *in.runs) out += " " + MdCell(run.label) + " |";
  out += " statement |\n|---|---|";
  for (size_t i = 0; i < in.runs->size(); ++i) out += "---|";
  out += "---|\n";
  for (const auto& r : *in.registry) {
    out += "| `" + r.id + "` | " + r.level + " |";
    bool any = false;
    for (const auto& m : cells) {
      auto it = m.find(r.id);
      if (it == m.end()) {
        out += " — |";
        continue;
      }
      any = true;
      const Cell& cell = it->second;
      if (cell.outcome == Outcome::pass)
        out += " pass |";
      else if (cell.outcome == Outcome::fail)
        out += " **fail**: " + MdCell(cell.detail) + " |";
      else
        out += " skip: " + MdCell(cell.detail) + " |";
    }
    std::string text = MdCell(r.text);
    if (!any) {
      auto nc = in.not_checkable->find(r.id);
      text += nc != in.not_checkable->end() ? " *(not checkable here: " + MdCell(nc->second) + ")*"
                                            : " *(not covered)*";
    }
    out += " " + text + " |\n";
  }
  // Cases made from configs written elsewhere: one row per case.
  std::vector<std::string> corpus;
  std::map<std::string, bool> listed;
  for (const auto& run : *in.runs)
    for (const auto& c : run.cases)
      if ((c.name.rfind("corpus_", 0) == 0 || c.name.rfind("seccomp_", 0) == 0 ||
           c.name.rfind("config_authors", 0) == 0) &&
          !listed[c.name]) {
        listed[c.name] = true;
        corpus.push_back(c.name);
      }
  if (!corpus.empty()) {
    out += "\n### Corpus, seccomp and config-author cases (one row per case)\n\n| case |";
    for (const auto& run : *in.runs) out += " " + MdCell(run.label) + " |";
    out += "\n|---|";
    for (size_t i = 0; i < in.runs->size(); ++i) out += "---|";
    out += "\n";
    for (const auto& name : corpus) {
      out += "| `" + name + "` |";
      for (const auto& run : *in.runs) {
        const CaseResult* found = nullptr;
        for (const auto& c : run.cases)
          if (c.name == name) found = &c;
        if (!found) {
          out += " — |";
          continue;
        }
        Outcome o = found->Overall();
        if (o == Outcome::pass)
          out += " pass |";
        else if (o == Outcome::fail)
          out += " **fail**: " + MdCell(found->Reason()) + " |";
        else
          out += " skip: " + MdCell(found->Reason()) + " |";
      }
      out += "\n";
    }
  }
  auto extra = ExtraIds(in);
  if (!extra.empty()) {
    out +=
        "\n### Checks outside the registry (security regressions of ../shared/notes/security.md; exec into corpus "
        "containers; rootless.md: the runtime run by an unprivileged user)\n\n| test |";
    for (const auto& run : *in.runs) out += " " + MdCell(run.label) + " |";
    out += "\n|---|";
    for (size_t i = 0; i < in.runs->size(); ++i) out += "---|";
    out += "\n";
    for (const auto& id : extra) {
      out += "| `" + id + "` |";
      for (const auto& m : cells) {
        auto it = m.find(id);
        if (it == m.end())
          out += " — |";
        else if (it->second.outcome == Outcome::pass)
          out += " pass |";
        else if (it->second.outcome == Outcome::fail)
          out += " **fail**: " + MdCell(it->second.detail) + " |";
        else
          out += " skip: " + MdCell(it->second.detail) + " |";
      }
      out += "\n";
    }
  }
  return out;
}

std::string WriteHtml(const MatrixInput& in) {
  auto cells = AllCells(in);
  Coverage cov = ComputeCoverage(in);
  std::string out =
      "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>OCI runtime conformance</title>\n<style>"
      "body{font-family:sans-serif;margin:1em}table{border-collapse:collapse;font-size:13px}"
      "td,th{border:1px solid #ccc;padding:3px 6px;vertical-align:top}th{background:#eee;position:sticky;top:0}"
      ".pass{background:#d4f7d4}.fail{background:#f7d4d4}.skip{background:#f3f3c8}.none{color:#999}"
      "code{font-size:12px}</style></head><body>\n<h1>OCI runtime-spec conformance</h1>\n";
  if (!in.generated.empty()) out += "<p>" + XmlEscape(in.generated) + "</p>\n";
  out += "<p>Requirements: " + std::to_string(cov.total) + "; checked: " + std::to_string(cov.checked) +
         " (" + Percent(cov.checked, cov.total) +
         "); not checkable here: " + std::to_string(cov.not_checkable) +
         "; not covered: " + std::to_string(cov.unchecked) +
         ".</p>\n<table><tr><th>runtime</th><th>version</th>"
         "<th>cases pass/fail/skip</th><th>requirements pass/fail/skip</th></tr>\n";
  for (size_t i = 0; i < in.runs->size(); ++i) {
    const auto& run = (*in.runs)[i];
    Totals t = CaseTotals(run);
    RuntimeSummary s = Summarize(cells[i]);
    out += "<tr><td>" + XmlEscape(run.label) + "</td><td>" + XmlEscape(run.version) + "</td><td>" +
           std::to_string(t.passed) + "/" + std::to_string(t.failed) + "/" + std::to_string(t.skipped) +
           "</td><td>" + std::to_string(s.pass) + "/" + std::to_string(s.fail) + "/" +
           std::to_string(s.skip) + "</td></tr>\n";
  }
  out += "</table>\n<h2>Matrix</h2>\n<table><tr><th>requirement</th><th>level</th>";
  for (const auto& run : *in.runs) out += "<th>" + XmlEscape(run.label) + "</th>";
  out += "<th>statement</th></tr>\n";
  for (const auto& r : *in.registry) {
    out += "<tr><td><code>" + XmlEscape(r.id) + "</code></td><td>" + r.level + "</td>";
    bool any = false;
    for (const auto& m : cells) {
      auto it = m.find(r.id);
      if (it == m.end()) {
        out += "<td class=\"none\">—</td>";
        continue;
      }
      any = true;
      const Cell& cell = it->second;
      std::string cls(OutcomeName(cell.outcome));
      out += "<td class=\"" + cls + "\">" + cls;
      if (!cell.detail.empty() && cell.outcome != Outcome::pass) out += ": " + XmlEscape(cell.detail);
      out += "</td>";
    }
    std::string note;
    if (!any) {
      auto nc = in.not_checkable->find(r.id);
      note = nc != in.not_checkable->end() ? " <em>(not checkable here: " + XmlEscape(nc->second) + ")</em>"
                                           : " <em>(not covered)</em>";
    }
    out += "<td>" + XmlEscape(r.text) + note + "</td></tr>\n";
  }
  for (const auto& id : ExtraIds(in)) {
    out += "<tr><td><code>" + XmlEscape(id) + "</code></td><td>regression</td>";
    for (const auto& m : cells) {
      auto it = m.find(id);
      if (it == m.end()) {
        out += "<td class=\"none\">—</td>";
        continue;
      }
      std::string cls(OutcomeName(it->second.outcome));
      out += "<td class=\"" + cls + "\">" + cls;
      if (it->second.outcome != Outcome::pass && !it->second.detail.empty())
        out += ": " + XmlEscape(it->second.detail);
      out += "</td>";
    }
    out += "<td>security regression test (../shared/notes/security.md)</td></tr>\n";
  }
  return out + "</table>\n</body></html>\n";
}

}  // namespace berth::conformance
