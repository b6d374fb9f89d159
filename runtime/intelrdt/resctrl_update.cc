// ResctrlGroup::UpdateSchemas: `berth update`'s Intel RDT flags.
#include <sys/stat.h>

#include <cerrno>
#include <sstream>

#include "runtime/base/files.h"
#include "runtime/intelrdt/resctrl.h"

namespace berth::intelrdt {
namespace {

bool IsDirectory(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// The lines of `schemata` whose resource (before ':', spaces trimmed) is one of `resources`.
std::string LinesOf(const std::string& schemata, const std::vector<std::string>& resources) {
  std::istringstream in(schemata);
  std::string line, out;
  while (std::getline(in, line)) {
    std::string resource = line.substr(0, line.find(':'));
    while (!resource.empty() && resource.front() == ' ') resource.erase(resource.begin());
    while (!resource.empty() && resource.back() == ' ') resource.pop_back();
    for (const auto& r : resources)
      if (resource == r) out += line + "\n";
  }
  return out;
}

}  // namespace

Status CheckSchemaSupport(const std::string& root, const std::string& l3, const std::string& mb) {
  if (!l3.empty() && !IsDirectory(root + "/info/L3"))
    return Error(ENOTSUP, "Intel RDT/CAT: l3 cache schema is not enabled");
  if (!mb.empty() && !IsDirectory(root + "/info/MB"))
    return Error(ENOTSUP, "Intel RDT/MBA: memory bandwidth schema is not enabled");
  return Ok();
}

Result<std::string> ResctrlGroup::UpdateSchemas(const std::string& l3, const std::string& mb) const {
  BERTH_TRY(CheckSchemaSupport(root_, l3, mb));
  if (l3.empty() && mb.empty()) return std::string();
  if (group_.empty())
    return Error(EPERM,
                 "the container's resctrl group is the root group (closID \"/\"), shared by every process: "
                 "its schemata are not updated");
  for (const std::string* v : {&l3, &mb})
    if (v->find('\n') != std::string::npos) return Error(EINVAL, "a schema must be one line: \"" + *v + "\"");
  if (!mb.empty() && mb.rfind("MB:", 0) != 0)
    return Error(EINVAL, "mem-bw-schema must start with \"MB:\": " + mb);
  if (!l3.empty() && l3.rfind("L3", 0) != 0)
    return Error(EINVAL, "l3-cache-schema must start with \"L3\": " + l3);
  const std::string path = GroupPath() + "/schemata";
  std::string old = BERTH_TRY(base::ReadFileText(path));
  std::string text;
  if (!l3.empty()) text += l3 + "\n";
  if (!mb.empty()) text += mb + "\n";
  // The kernel replaces the lines of the resources written and keeps the others.
  BERTH_TRY_CTX(WriteFile(path, text), "update schemata of " + GroupPath());
  std::vector<std::string> resources;
  if (!l3.empty()) resources = {"L3", "L3CODE", "L3DATA"};
  if (!mb.empty()) resources.push_back("MB");
  return LinesOf(old, resources);
}

Status ResctrlGroup::RestoreSchemata(const std::string& old_lines) const {
  if (old_lines.empty()) return Ok();
  const std::string path = GroupPath() + "/schemata";
  return WriteFile(path, old_lines);
}

}  // namespace berth::intelrdt
