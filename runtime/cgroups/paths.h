// Where a container's cgroup is: linux.cgroupsPath resolution.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "runtime/cgroups/manager.h"

namespace berth::cgroups {

// Parses /proc/<pid>/cgroup. v1 lines "N:cpu,cpuacct:/p" give one entry per
// controller ("name=systemd" is kept as is); the v2 line "0::/p" gives the
// entry with key "".
std::map<std::string, std::string> ParseProcCgroup(std::string_view content);

// "/a//b/./c/" -> "/a/b/c"; ".." anywhere is rejected rather than resolved,
// so a path can never climb above where it starts.
Result<std::string> CleanCgroupPath(std::string_view path);

// systemd's "slice:prefix:name" to its cgroupfs path, e.g.
// "system.slice:docker:abc" -> "/system.slice/docker-abc.scope" and
// "a-b.slice:p:n" -> "/a.slice/a-b.slice/p-n.scope". An empty slice is
// system.slice (user.slice when rootless); a name ending in ".slice" is a
// slice unit itself.
Result<std::string> SystemdCgroupPath(std::string_view value, bool rootless);

// The same, keeping the parts the systemd driver names units with.
struct SystemdUnitPath {
  std::string slice;  // the parent slice unit: "system.slice"
  std::string unit;   // "docker-abc.scope", or the name itself when it ends in ".slice"
  std::string path;   // "/system.slice/docker-abc.scope"
};
Result<SystemdUnitPath> ParseSystemdCgroupsPath(std::string_view value, bool rootless);

// cgroupsPath as the systemd driver reads it: "system.slice:berth:<id>"
// (user.slice when rootless) when it is empty.
std::string SystemdCgroupsPathValue(const CgroupSpec& spec);

// The container's cgroup in one hierarchy. own_cgroup is the runtime's own
// cgroup in that hierarchy (from /proc/self/cgroup), used for relative paths.
Result<std::string> ResolveCgroupPath(const CgroupSpec& spec, std::string_view own_cgroup);

// True when cgroupsPath is relative (so /proc/self/cgroup must be read).
bool NeedsOwnCgroup(const CgroupSpec& spec);

}  // namespace berth::cgroups
