// Sample statistics and the comparison table the start-up benchmark prints
// at the end (and writes as Markdown for docs/benchmarks.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace berth::bench {

// Median of the samples (mean of the middle two for an even count);
// nullopt when there are none.
std::optional<double> Median(std::vector<double> samples);

// The p-th percentile (0..100), linear interpolation between closest ranks;
// nullopt when there are no samples or p is out of range.
std::optional<double> Percentile(std::vector<double> samples, double p);

// value / base; nullopt when either is missing or base is not positive.
std::optional<double> Ratio(std::optional<double> value, std::optional<double> base);

// One runtime's samples for one benchmark family ("run", "exec", ...).
struct SummaryRow {
  std::string family;   // e.g. "run"
  std::string runtime;  // e.g. "berth", "runc", "crun", "floor"
  std::string unit;     // "ms" or "containers/s"
  std::vector<double> samples;
  std::optional<double> peak_rss_kib;  // max over the samples, if measured
  std::string error;                   // why the benchmark stopped, if it did
};

// Markdown tables, one per family in first-seen order: runtime, samples,
// median, p90, and the median's ratio to each of `references` (e.g. berth,
// crun, floor) that has a row in that family. Rows with an error are listed
// under their table with the message.
std::string FormatSummary(const std::vector<SummaryRow>& rows, const std::vector<std::string>& references);

}  // namespace berth::bench
