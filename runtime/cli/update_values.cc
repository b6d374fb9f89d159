#include "runtime/cli/update_values.h"

#include <cctype>
#include <cmath>
#include <cstdlib>

namespace berth::cli {

Result<int64_t> RamInBytes(const std::string& size) {
  auto invalid = [&]() { return Error(EINVAL, "invalid size: '" + size + "'"); };
  size_t i = 0;
  while (i < size.size() && (isdigit(static_cast<unsigned char>(size[i])) || size[i] == '.')) ++i;
  std::string number = size.substr(0, i);
  if (number.empty() || !isdigit(static_cast<unsigned char>(number[0])) || number.back() == '.')
    return invalid();
  std::string unit = size.substr(i);
  if (!unit.empty() && unit[0] == ' ') unit.erase(0, 1);
  for (auto& c : unit) c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  double multiplier = 1;
  size_t u = 0;
  if (u < unit.size()) {
    const std::string prefixes = "kmgtp";
    size_t p = prefixes.find(unit[u]);
    if (p != std::string::npos) {
      multiplier = std::pow(1024.0, static_cast<double>(p + 1));
      ++u;
    }
  }
  if (u < unit.size() && unit[u] == 'i') ++u;
  if (u < unit.size() && unit[u] == 'b') ++u;
  if (u != unit.size()) return invalid();
  char* end = nullptr;
  double value = strtod(number.c_str(), &end);
  if (*end != '\0') return invalid();
  double bytes = value * multiplier;
  if (bytes >= 9.2e18) return invalid();
  return static_cast<int64_t>(bytes);
}

Result<std::chrono::nanoseconds> ParseGoDuration(const std::string& text) {
  auto invalid = [&]() { return Error(EINVAL, "time: invalid duration \"" + text + "\""); };
  std::string s = text;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.erase(0, 1);
  }
  if (s == "0") return std::chrono::nanoseconds(0);
  if (s.empty()) return invalid();
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (i == start) return invalid();
    double value = strtod(s.substr(start, i - start).c_str(), nullptr);
    size_t unit_start = i;
    while (i < s.size() && !isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(unit_start, i - unit_start);
    double scale;
    if (unit == "ns")
      scale = 1;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs")
      scale = 1e3;
    else if (unit == "ms")
      scale = 1e6;
    else if (unit == "s")
      scale = 1e9;
    else if (unit == "m")
      scale = 60e9;
    else if (unit == "h")
      scale = 3600e9;
    else if (unit.empty())
      return Error(EINVAL, "time: missing unit in duration \"" + text + "\"");
    else
      return Error(EINVAL, "time: unknown unit \"" + unit + "\" in duration \"" + text + "\"");
    total += value * scale;
  }
  if (total > 9.2e18) return invalid();
  auto ns = std::chrono::nanoseconds(static_cast<int64_t>(std::llround(total)));
  return negative ? -ns : ns;
}

}  // namespace berth::cli
