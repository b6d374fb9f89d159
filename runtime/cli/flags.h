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

#include "runtime/base/error.h"

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

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs,
                               Positional mode);

// What the default --root depends on, injectable for tests.
struct RootEnvironment {
  unsigned euid = 0;
  std::optional<std::string> xdg_runtime_dir;  // $XDG_RUNTIME_DIR
  std::optional<std::string> user;             // $USER
  // /proc/self/uid_map: read only when it decides (euid 0 with XDG set).
  std::string (*read_uid_map)() = nullptr;
};
RootEnvironment CurrentRootEnvironment();

// runc's rule with berth's name: /run/berth, except $XDG_RUNTIME_DIR/berth
// when XDG_RUNTIME_DIR is set and non-empty and the caller is not the host's
// root: euid != 0, or euid 0 inside a user namespace (uid_map other than the
// identity "0 0 4294967295") unless $USER is "root".
std::string DefaultRoot(const RootEnvironment& env);

// "   --bundle value, -b value  usage (default: x)" lines for help output.
std::string FlagHelp(const std::vector<FlagSpec>& specs);

}  // namespace berth::cli
