#include "runtime/cli/flags.h"

#include <charconv>

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
  if (s == "0" || s == "f" || s == "F" || s == "false" || s == "FALSE" || s == "False")
    return false;
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

Result<ParsedFlags> ParseFlags(const std::vector<std::string>& args,
                               const std::vector<FlagSpec>& specs, Positional mode) {
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
          return Error(EINVAL, "invalid boolean value \"" + *inline_value + "\" for -" +
                                   std::string(body));
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

std::string FlagHelp(const std::vector<FlagSpec>& specs) {
  std::string out;
  for (const auto& spec : specs) {
    std::string left = "   ";
    for (size_t i = 0; i < spec.names.size(); ++i) {
      if (i) left += ", ";
      left += (spec.names[i].size() == 1 ? "-" : "--") + spec.names[i];
      if (spec.takes_value) left += " value";
    }
    if (left.size() < 34) left.resize(34, ' ');
    else left += "  ";
    out += left + spec.usage;
    if (!spec.default_text.empty()) out += " (default: " + spec.default_text + ")";
    out += "\n";
  }
  return out;
}

}  // namespace berth::cli
