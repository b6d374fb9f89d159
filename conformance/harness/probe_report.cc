#include "conformance/harness/probe_report.h"

#include <cstdlib>
#include <sstream>

#include "spec/names.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t pos = s.find(sep, start);
    if (pos == std::string_view::npos) pos = s.size();
    if (pos > start) out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      std::string oct(s.substr(i + 1, 3));
      bool digits = oct.size() == 3 && oct.find_first_not_of("01234567") == std::string::npos;
      if (digits) {
        out += static_cast<char>(std::strtol(oct.c_str(), nullptr, 8));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

Result<json::Value> ParseProbeOutput(std::string_view stdout_text) {
  size_t start = 0;
  while (start < stdout_text.size()) {
    size_t nl = stdout_text.find('\n', start);
    if (nl == std::string_view::npos) nl = stdout_text.size();
    std::string_view line = stdout_text.substr(start, nl - start);
    start = nl + 1;
    if (line.empty() || line[0] != '{') continue;
    auto json = json::Parse(line);
    if (json && json->Find("pid") != nullptr) return json;
  }
  std::string head(stdout_text.substr(0, 200));
  return Error("no probe report in the container's output" +
               (head.empty() ? std::string(" (empty)") : ": " + head));
}

bool MountInfo::HasOption(std::string_view option) const {
  for (const auto& o : mount_options)
    if (o == option) return true;
  return false;
}

bool MountInfo::HasSuperOption(std::string_view option) const {
  for (const auto& o : super_options)
    if (o == option || o.rfind(std::string(option) + "=", 0) == 0) return true;
  return false;
}

std::string MountInfo::Propagation() const {
  bool shared = false, slave = false;
  for (const auto& f : optional_fields) {
    if (f.rfind("shared:", 0) == 0) shared = true;
    if (f.rfind("master:", 0) == 0) slave = true;
    if (f == "unbindable") return "unbindable";
  }
  if (shared) return "shared";  // possibly also a slave ("shared and slave")
  if (slave) return "slave";
  return "private";
}

std::optional<MountInfo> ParseMountInfoLine(std::string_view line) {
  std::vector<std::string> f = Split(line, ' ');
  // id parent maj:min root mountpoint options [optional...] - fstype source superopts
  size_t dash = 0;
  for (size_t i = 6; i < f.size(); ++i) {
    if (f[i] == "-") {
      dash = i;
      break;
    }
  }
  if (f.size() < 7 || dash == 0 || dash + 1 >= f.size()) return std::nullopt;
  MountInfo m;
  m.id = std::atoi(f[0].c_str());
  m.parent = std::atoi(f[1].c_str());
  m.major_minor = f[2];
  m.root = Unescape(f[3]);
  m.mount_point = Unescape(f[4]);
  m.mount_options = Split(f[5], ',');
  for (size_t i = 6; i < dash; ++i) m.optional_fields.push_back(f[i]);
  m.fs_type = f[dash + 1];
  if (dash + 2 < f.size()) m.source = Unescape(f[dash + 2]);
  if (dash + 3 < f.size()) m.super_options = Split(f[dash + 3], ',');
  return m;
}

std::vector<MountInfo> MountsOf(const json::Value& report) {
  std::vector<MountInfo> out;
  for (const auto& line : StringList(report.Find("mountinfo")))
    if (auto m = ParseMountInfoLine(line)) out.push_back(*m);
  return out;
}

std::optional<MountInfo> FindMount(const json::Value& report, std::string_view mount_point) {
  std::optional<MountInfo> found;
  for (auto& m : MountsOf(report))
    if (m.mount_point == mount_point) found = m;
  return found;
}

std::optional<int> CapabilityBit(std::string_view name) {
  const auto& all = spec::names::kCapabilities;
  for (size_t i = 0; i < all.size(); ++i)
    if (name == all[i]) return static_cast<int>(i);
  return std::nullopt;
}

uint64_t CapabilityMask(const std::vector<std::string>& names) {
  uint64_t mask = 0;
  for (const auto& n : names)
    if (auto bit = CapabilityBit(n)) mask |= uint64_t{1} << *bit;
  return mask;
}

std::optional<uint64_t> CapabilitySet(const json::Value& report, std::string_view set) {
  const json::Value* status = report.Find("status");
  const json::Value* value = status ? status->Find(set) : nullptr;
  if (!value || !value->is_string()) return std::nullopt;
  char* end = nullptr;
  uint64_t mask = std::strtoull(value->as_string().c_str(), &end, 16);
  if (!end || *end != '\0') return std::nullopt;
  return mask;
}

const json::Value* ActionResult(const json::Value& report, std::string_view op, std::string_view arg) {
  const json::Value* actions = report.Find("actions");
  if (!actions) return nullptr;
  for (const auto& a : actions->items) {
    const json::Value* o = a.Find("op");
    const json::Value* g = a.Find("arg");
    if (o && g && o->as_string() == op && g->as_string() == arg) return &a;
  }
  return nullptr;
}

int64_t NamespaceInode(const json::Value& report, std::string_view kind) {
  const json::Value* ns = report.Find("ns");
  const json::Value* v = ns ? ns->Find(kind) : nullptr;
  return v ? v->as_int() : 0;
}

std::vector<std::string> StringList(const json::Value* array) {
  std::vector<std::string> out;
  if (!array) return out;
  for (const auto& item : array->items)
    if (item.is_string()) out.push_back(item.as_string());
  return out;
}

bool Contains(const std::vector<std::string>& list, std::string_view value) {
  for (const auto& s : list)
    if (s == value) return true;
  return false;
}

}  // namespace berth::conformance
