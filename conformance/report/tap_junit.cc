#include <cstdio>

#include "conformance/report/writers.h"

namespace berth::conformance {
namespace {

// A YAML block scalar line cannot hold a raw newline.
std::string OneLine(std::string s) {
  for (char& ch : s)
    if (ch == '\n' || ch == '\r') ch = ' ';
  return s;
}

std::string YamlQuote(const std::string& s) {
  std::string out = "'";
  for (char ch : OneLine(s)) {
    if (ch == '\'')
      out += "''";
    else
      out += ch;
  }
  return out + "'";
}

}  // namespace

std::string XmlEscape(std::string_view s) {
  std::string out;
  for (char ch : s) {
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20 && ch != '\n' && ch != '\t')
          out += ' ';
        else
          out += ch;
    }
  }
  return out;
}

std::string WriteTap(const std::vector<RuntimeResults>& runs) {
  size_t total = 0;
  for (const auto& r : runs) total += r.cases.size();
  std::string out = "TAP version 13\n1.." + std::to_string(total) + "\n";
  int n = 0;
  for (const auto& run : runs) {
    for (const auto& c : run.cases) {
      Outcome o = c.Overall();
      out +=
          (o == Outcome::fail ? "not ok " : "ok ") + std::to_string(++n) + " - " + run.label + ": " + c.name;
      if (o == Outcome::skip) out += " # SKIP " + OneLine(c.Reason());
      out += "\n  ---\n  runtime: " + YamlQuote(run.path) + "\n  checks:\n";
      for (const auto& check : c.checks) {
        out += "    - requirement: " + YamlQuote(check.requirement) + "\n";
        out += "      outcome: " + std::string(OutcomeName(check.outcome)) + "\n";
        if (!check.detail.empty()) out += "      detail: " + YamlQuote(check.detail) + "\n";
      }
      char secs[32];
      std::snprintf(secs, sizeof secs, "%.3f", c.seconds);
      out += "  duration_s: " + std::string(secs) + "\n  ...\n";
    }
  }
  return out;
}

std::string WriteJunit(const std::vector<RuntimeResults>& runs) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"oci-conformance\">\n";
  for (const auto& run : runs) {
    Totals t = CaseTotals(run);
    double secs = 0;
    for (const auto& c : run.cases) secs += c.seconds;
    char time[32];
    std::snprintf(time, sizeof time, "%.3f", secs);
    out += "  <testsuite name=\"" + XmlEscape(run.label) + "\" tests=\"" + std::to_string(run.cases.size()) +
           "\" failures=\"" + std::to_string(t.failed) + "\" skipped=\"" + std::to_string(t.skipped) +
           "\" errors=\"0\" time=\"" + time + "\">\n";
    out += "    <properties><property name=\"runtime\" value=\"" + XmlEscape(run.path) +
           "\"/><property name=\"version\" value=\"" + XmlEscape(run.version) + "\"/></properties>\n";
    for (const auto& c : run.cases) {
      std::snprintf(time, sizeof time, "%.3f", c.seconds);
      out += "    <testcase classname=\"" + XmlEscape(run.label) + "\" name=\"" + XmlEscape(c.name) +
             "\" time=\"" + time + "\"";
      Outcome o = c.Overall();
      std::string checks;
      for (const auto& check : c.checks)
        checks += check.requirement + ": " + std::string(OutcomeName(check.outcome)) +
                  (check.detail.empty() ? "" : " (" + check.detail + ")") + "\n";
      if (o == Outcome::pass) {
        out += "><system-out>" + XmlEscape(checks) + "</system-out></testcase>\n";
      } else if (o == Outcome::skip) {
        out += "><skipped message=\"" + XmlEscape(c.Reason()) + "\"/><system-out>" + XmlEscape(checks) +
               "</system-out></testcase>\n";
      } else {
        out += "><failure message=\"" + XmlEscape(c.Reason()) + "\">" + XmlEscape(checks) +
               "</failure></testcase>\n";
      }
    }
    out += "  </testsuite>\n";
  }
  return out + "</testsuites>\n";
}

}  // namespace berth::conformance
