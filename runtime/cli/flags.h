// Command-line flags parsed the way runc's (urfave/cli v1) are: "-name" and
// "--name" alike, "--name=value" or "--name value", bool flags take an
// optional "=true|false", flags may follow positional arguments unless the
// command keeps its arguments verbatim (exec), and "--" ends the flags.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/error.h"

namespace berth::cli {

struct FlagSpec {
  FlagSpec(std::vector<std::string> n, bool value, std::string u, std::string d = "")
      : names(std::move(n)), takes_value(value), usage(std::move(u)), default_text(std::move(d)) {}
  std::vector<std::string> names;  // first is the canonical name; others are aliases ("b")
  bool takes_value = false;
  std::string usage;
  std::string default_text;  // shown in help
};

class ParsedFlags {
 public:
  bool Has(std::string_view name) const { return values_.count(std::string(name)) > 0; }
  // The last value given (flags may repeat); `fallback` when absent.
  std::string Get(std::string_view name, std::string fallback = "") const;
  std::vector<std::string> GetAll(std::string_view name) const;
  bool Bool(std::string_view name) const;
  Result<int> Int(std::string_view name, int fallback) const;

  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values_;
};

enum class Positional {
  kInterleaved,  // flags anywhere (urfave's argument reordering)
  kStopAtFirst,  // the first positional argument ends the flags (global flags, exec)
};

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagSpec>& specs, Positional mode);

// "   --bundle value, -b value  usage (default: x)" lines for help output.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace berth::cli
