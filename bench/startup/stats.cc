#include "bench/startup/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace berth::bench {

std::optional<double> Median(std::vector<double> samples) { return Percentile(std::move(samples), 50); }

std::optional<double> Percentile(std::vector<double> samples, double p) {
  if (samples.empty() || !(p >= 0 && p <= 100)) return std::nullopt;
  std::sort(samples.begin(), samples.end());
  double rank = p / 100 * static_cast<double>(samples.size() - 1);
  size_t lo = static_cast<size_t>(std::floor(rank));
  size_t hi = static_cast<size_t>(std::ceil(rank));
  double frac = rank - static_cast<double>(lo);
  return samples[lo] + (samples[hi] - samples[lo]) * frac;
}

std::optional<double> Ratio(std::optional<double> value, std::optional<double> base) {
  if (!value || !base || !(*base > 0)) return std::nullopt;
  return *value / *base;
}

namespace {

std::string Fixed(std::optional<double> v, int digits) {
  if (!v) return "–";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, *v);
  return buf;
}

}  // namespace

std::string FormatSummary(const std::vector<SummaryRow>& rows, const std::vector<std::string>& references) {
  std::vector<std::string> families;
  for (const auto& row : rows)
    if (std::find(families.begin(), families.end(), row.family) == families.end())
      families.push_back(row.family);

  std::string out;
  for (const auto& family : families) {
    std::vector<const SummaryRow*> members;
    std::map<std::string, std::optional<double>> medians;
    for (const auto& row : rows) {
      if (row.family != family) continue;
      members.push_back(&row);
      medians[row.runtime] = Median(row.samples);
    }
    std::vector<std::string> refs;
    for (const auto& r : references)
      if (medians.count(r) && medians[r]) refs.push_back(r);
    bool any_rss = false;
    for (const auto* row : members) any_rss = any_rss || row->peak_rss_kib.has_value();

    const std::string& unit = members.front()->unit;
    out += "### " + family + " (" + unit + ")\n\n";
    out += "| runtime | n | median | p90 |";
    for (const auto& r : refs) out += " × " + r + " |";
    if (any_rss) out += " peak RSS MiB |";
    out += "\n|---|---:|---:|---:|";
    for (size_t i = 0; i < refs.size(); ++i) out += "---:|";
    if (any_rss) out += "---:|";
    out += "\n";
    std::string errors;
    for (const auto* row : members) {
      if (!row->error.empty())
        errors += "- " + row->runtime + ": " + (row->samples.empty() ? "skipped" : "stopped") + " — " +
                  row->error + "\n";
      if (row->samples.empty()) continue;
      auto median = medians[row->runtime];
      out += "| " + row->runtime + " | " + std::to_string(row->samples.size()) + " | " + Fixed(median, 2) +
             " | " + Fixed(Percentile(row->samples, 90), 2) + " |";
      for (const auto& r : refs) out += " " + Fixed(Ratio(median, medians[r]), 2) + " |";
      if (any_rss) {
        std::optional<double> mib;
        if (row->peak_rss_kib) mib = *row->peak_rss_kib / 1024;
        out += " " + Fixed(mib, 1) + " |";
      }
      out += "\n";
    }
    if (!errors.empty()) out += "\n" + errors;
    out += "\n";
  }
  return out;
}

}  // namespace berth::bench
