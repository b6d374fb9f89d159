#include "runtime/cli/flags.h"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <sstream>

#include "runtime/base/files.h"

namespace berth::cli {
namespace {

const FlagSpec* Find(const std::vector<FlagSpec>& specs, std::string_view name) {
  for (const auto& spec : specs)
    for (const auto& n : spec.names)
      if (n == name) return &spec;
  return nullptr;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "1" || s == "t" || s == "T" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False") return false;
  return std::nullopt;
}

}  // namespace

std::string ParsedFlags::Get(std::string_view name, std::string fallback) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end() || it->second.empty()) return fallback;
  return it->second.back();
}

std::vector<std::string> ParsedFlags::GetAll(std::string_view name) const {
  auto it = values_.find(std::string(name));
  if (it == values_.end()) return {};
  return it->second;
}

bool ParsedFlags::Bool(std::string_view name) const { return Get(name, "false") == "true"; }

Result<int> ParsedFlags::Int(std::string_view name, int fallback) const {
  if (!Has(name)) return fallback;
  std::string s = Get(name);
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return Error(EINVAL, "invalid value \"" + s + "\" for flag -" + std::string(name));
  return v;
}

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args, const std::vector<FlagSpec>& specs,
                               Positional mode) {
  ParsedFlags out;
  bool flags_done = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_done || arg.size() < 2 || arg[0] != '-') {
      out.positional.push_back(arg);
      if (mode == Positional::kStopAtFirst) flags_done = true;
      continue;
    }
    if (arg == "--") {
      flags_done = true;
      continue;
    }
    std::string_view body = arg;
    body.remove_prefix(body.starts_with("--") ? 2 : 1);
    std::optional<std::string> inline_value;
    if (size_t eq = body.find('='); eq != std::string_view::npos) {
      inline_value = std::string(body.substr(eq + 1));
      body = body.substr(0, eq);
    }
    const FlagSpec* spec = Find(specs, body);
    if (!spec) return Error(EINVAL, "flag provided but not defined: -" + std::string(body));
    const std::string& canonical = spec->names.front();
    if (!spec->takes_value) {
      bool value = true;
      if (inline_value) {
        auto b = ParseBool(*inline_value);
        if (!b)
          return Error(EINVAL, "invalid boolean value \"" + *inline_value + "\" for -" + std::string(body));
        value = *b;
      }
      out.values_[canonical].push_back(value ? "true" : "false");
      continue;
    }
    if (inline_value) {
      out.values_[canonical].push_back(*inline_value);
    } else if (i + 1 < args.size()) {
      out.values_[canonical].push_back(args[++i]);
    } else {
      return Error(EINVAL, "flag needs an argument: -" + std::string(body));
    }
  }
  return out;
}

namespace {

std::optional<std::string> Env(const char* name) {
  const char* v = getenv(name);
  return v ? std::optional<std::string>(v) : std::nullopt;
}

std::string ReadSelfUidMap() {
  auto text = base::ReadFileText("/proc/self/uid_map");
  return text.ok() ? *text : std::string();
}

// The initial user namespace maps every id to itself: "0 0 4294967295".
bool InInitialUserNamespace(const std::string& uid_map) {
  std::istringstream in(uid_map);
  unsigned long long inside = 1, outside = 1, count = 0;
  if (!(in >> inside >> outside >> count)) return true;  // unreadable: assume host
  std::string more;
  return inside == 0 && outside == 0 && count == 4294967295ULL && !(in >> more);
}

}  // namespace

RootEnvironment CurrentRootEnvironment() {
  return {static_cast<unsigned>(geteuid()), Env("XDG_RUNTIME_DIR"), Env("USER"), ReadSelfUidMap};
}

std::string DefaultRoot(const RootEnvironment& env) {
  std::string host_root = "/run/berth";
  if (!env.xdg_runtime_dir || env.xdg_runtime_dir->empty()) return host_root;
  std::string xdg_root = *env.xdg_runtime_dir + "/berth";
  if (env.euid != 0) return xdg_root;
  // Root of the initial namespace keeps /run/berth even with
  // XDG_RUNTIME_DIR=/run/user/0, as runc keeps /run/runc.
  if (!env.read_uid_map || InInitialUserNamespace(env.read_uid_map())) return host_root;
  return env.user && *env.user == "root" ? host_root : xdg_root;
}

std::string FlagHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const auto& spec : specs) {
    std::string left = "   ";
    for (size_t i = 0; i < spec.names.size(); ++i) {
      if (i) left += ", ";
      left += (spec.names[i].size() == 1 ? "-" : "--") + spec.names[i];
      if (spec.takes_value) left += " value";
    }
    if (left.size() < 34)
      left.resize(34, ' ');
    else
      left += "  ";
    out += left + spec.usage;
    if (!spec.default_text.empty()) out += " (default: " + spec.default_text + ")";
    out += "\n";
  }
  return out;
}

}  // namespace berth::cli
