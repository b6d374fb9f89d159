#include "runtime/cgroups/paths.h"

#include <vector>

namespace berth::cgroups {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t i = 0;
  for (;;) {
    size_t j = s.find(sep, i);
    if (j == std::string_view::npos) {
      out.push_back(s.substr(i));
      return out;
    }
    out.push_back(s.substr(i, j - i));
    i = j + 1;
  }
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// "a-b-c.slice" -> "/a.slice/a-b.slice/a-b-c.slice"; "-.slice" -> "".
Result<std::string> ExpandSlice(std::string_view slice) {
  if (slice == "-.slice") return std::string();
  if (!EndsWith(slice, ".slice") || slice.find('/') != std::string_view::npos)
    return Error(EINVAL, "invalid systemd slice \"" + std::string(slice) + "\"");
  std::string_view base = slice.substr(0, slice.size() - 6);
  if (base.empty() || base.front() == '-' || base.back() == '-' || base.find("--") != std::string_view::npos)
    return Error(EINVAL, "invalid systemd slice \"" + std::string(slice) + "\"");
  std::string path, prefix;
  for (std::string_view part : Split(base, '-')) {
    prefix += prefix.empty() ? std::string(part) : "-" + std::string(part);
    path += "/" + prefix + ".slice";
  }
  return path;
}

}  // namespace

std::map<std::string, std::string> ParseProcCgroup(std::string_view content) {
  std::map<std::string, std::string> out;
  for (std::string_view line : Split(content, '\n')) {
    if (line.empty()) continue;
    size_t a = line.find(':');
    if (a == std::string_view::npos) continue;
    size_t b = line.find(':', a + 1);
    if (b == std::string_view::npos) continue;
    std::string_view controllers = line.substr(a + 1, b - a - 1);
    std::string path(line.substr(b + 1));
    if (controllers.empty()) {
      out[""] = path;
      continue;
    }
    for (std::string_view c : Split(controllers, ',')) out[std::string(c)] = path;
  }
  return out;
}

Result<std::string> CleanCgroupPath(std::string_view path) {
  std::string out;
  for (std::string_view part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") return Error(EINVAL, "cgroup path \"" + std::string(path) + "\" contains \"..\"");
    out += "/" + std::string(part);
  }
  return out;
}

Result<SystemdUnitPath> ParseSystemdCgroupsPath(std::string_view value, bool rootless) {
  std::vector<std::string_view> parts = Split(value, ':');
  if (parts.size() != 3)
    return Error(EINVAL,
                 "systemd cgroupsPath \"" + std::string(value) + "\" is not of the form slice:prefix:name");
  std::string_view slice = parts[0], prefix = parts[1], name = parts[2];
  if (name.empty() || name.find('/') != std::string_view::npos || prefix.find('/') != std::string_view::npos)
    return Error(EINVAL, "systemd cgroupsPath \"" + std::string(value) + "\": invalid unit name");
  if (slice.empty()) slice = rootless ? "user.slice" : "system.slice";
  SystemdUnitPath out;
  out.slice = std::string(slice);
  std::string path = BERTH_TRY(ExpandSlice(slice));
  if (EndsWith(name, ".slice"))
    out.unit = std::string(name);
  else if (prefix.empty())
    out.unit = std::string(name) + ".scope";
  else
    out.unit = std::string(prefix) + "-" + std::string(name) + ".scope";
  out.path = path + "/" + out.unit;
  return out;
}

Result<std::string> SystemdCgroupPath(std::string_view value, bool rootless) {
  return BERTH_TRY(ParseSystemdCgroupsPath(value, rootless)).path;
}

std::string SystemdCgroupsPathValue(const CgroupSpec& spec) {
  if (!spec.cgroups_path.empty()) return spec.cgroups_path;
  return (spec.rootless ? "user.slice:berth:" : "system.slice:berth:") + spec.container_id;
}

bool NeedsOwnCgroup(const CgroupSpec& spec) {
  return !spec.systemd && !spec.cgroups_path.empty() && spec.cgroups_path.front() != '/';
}

Result<std::string> ResolveCgroupPath(const CgroupSpec& spec, std::string_view own_cgroup) {
  std::string raw;
  if (spec.systemd) {
    raw = BERTH_TRY(SystemdCgroupPath(SystemdCgroupsPathValue(spec), spec.rootless));
  } else if (spec.cgroups_path.empty()) {
    if (spec.container_id.empty()) return Error(EINVAL, "no cgroupsPath and no container id");
    raw = "/berth/" + spec.container_id;
  } else if (spec.cgroups_path.front() == '/') {
    raw = spec.cgroups_path;
  } else {
    raw = std::string(own_cgroup) + "/" + spec.cgroups_path;
  }
  std::string clean = BERTH_TRY(CleanCgroupPath(raw));
  if (clean.empty()) return Error(EINVAL, "cgroupsPath \"" + spec.cgroups_path + "\" names the root cgroup");
  return clean;
}

}  // namespace berth::cgroups
