#include "runtime/intelrdt/schemata.h"

#include <cctype>

namespace berth::intelrdt {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// CBMs are hex and MB values decimal; the kernel accepts and prints either
// with varying case and leading zeros, so those are not differences.
std::string NormalizeValue(std::string_view v) {
  std::string out;
  for (char c : v) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (out.rfind("0x", 0) == 0) out.erase(0, 2);
  size_t first = out.find_first_not_of('0');
  if (first == std::string::npos) return out.empty() ? out : "0";
  return out.substr(first);
}

Status ParseLine(std::string_view line, SchemaMap& out) {
  std::string_view text = Trim(line);
  if (text.empty()) return Ok();
  size_t colon = text.find(':');
  if (colon == std::string_view::npos || Trim(text.substr(0, colon)).empty())
    return Error(EINVAL,
                 "schemata line \"" + std::string(text) + "\": expected <resource>:<domain>=<value>;...");
  std::string resource(Trim(text.substr(0, colon)));
  auto& domains = out[resource];
  std::string_view rest = text.substr(colon + 1);
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view token = Trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    if (token.empty()) continue;
    size_t eq = token.find('=');
    std::string_view domain = eq == std::string_view::npos ? std::string_view() : Trim(token.substr(0, eq));
    std::string_view value = eq == std::string_view::npos ? std::string_view() : Trim(token.substr(eq + 1));
    if (domain.empty() || value.empty())
      return Error(EINVAL, "schemata line \"" + std::string(text) + "\": \"" + std::string(token) +
                               "\" is not <domain>=<value>");
    domains[std::string(domain)] = NormalizeValue(value);
  }
  return Ok();
}

Status NoNewline(std::string_view field, std::string_view value) {
  if (value.find('\n') != std::string_view::npos)
    return Error(EINVAL, "linux.intelRdt." + std::string(field) + ": must not contain newlines");
  return Ok();
}

}  // namespace

Status Validate(const spec::IntelRdt& rdt) {
  BERTH_TRY(NoNewline("closID", rdt.closID));
  BERTH_TRY(NoNewline("l3CacheSchema", rdt.l3CacheSchema));
  BERTH_TRY(NoNewline("memBwSchema", rdt.memBwSchema));
  for (size_t i = 0; i < rdt.schemata.size(); ++i)
    BERTH_TRY(NoNewline("schemata[" + std::to_string(i) + "]", rdt.schemata[i]));
  if (!rdt.memBwSchema.empty() && rdt.memBwSchema.rfind("MB:", 0) != 0)
    return Error(EINVAL, "linux.intelRdt.memBwSchema: must start with \"MB:\"");
  const std::string& clos = rdt.closID;
  if (clos != "/" && (clos.find('/') != std::string::npos || clos == "." || clos == ".."))
    return Error(EINVAL,
                 "linux.intelRdt.closID: must be \"/\" or a single directory name, not \"" + clos + "\"");
  return Ok();
}

bool HasSchemas(const spec::IntelRdt& rdt) {
  return !rdt.l3CacheSchema.empty() || !rdt.memBwSchema.empty() || !rdt.schemata.empty();
}

std::vector<std::string> SchemaLines(const spec::IntelRdt& rdt) {
  std::vector<std::string> lines;
  if (!rdt.l3CacheSchema.empty()) lines.push_back(rdt.l3CacheSchema);
  if (!rdt.memBwSchema.empty()) lines.push_back(rdt.memBwSchema);
  for (const std::string& line : rdt.schemata)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

Result<SchemaMap> ParseSchemata(const std::vector<std::string>& lines) {
  SchemaMap out;
  for (const std::string& line : lines) BERTH_TRY(ParseLine(line, out));
  return out;
}

Result<SchemaMap> ParseSchemataFile(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.emplace_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  }
  return ParseSchemata(lines);
}

Status CheckSchemataMatch(const SchemaMap& existing, const SchemaMap& wanted) {
  for (const auto& [resource, domains] : wanted) {
    auto have = existing.find(resource);
    if (have == existing.end()) return Error(EINVAL, "the existing schemata has no " + resource + " line");
    for (const auto& [domain, value] : domains) {
      auto v = have->second.find(domain);
      if (v == have->second.end())
        return Error(EINVAL, "the existing schemata has no " + resource + " domain " + domain);
      if (v->second != value)
        return Error(EINVAL,
                     resource + " domain " + domain + " is " + v->second + ", the config wants " + value);
    }
  }
  return Ok();
}

}  // namespace berth::intelrdt
