// Reading the probe's JSON report: mountinfo lines, capability masks and
// action results, so that cases state their checks in a line.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spec/json.h"

namespace berth::conformance {

namespace json = spec::json;

// The report is the first line of the probe's stdout that is a JSON object.
Result<json::Value> ParseProbeOutput(std::string_view stdout_text);

// One line of /proc/self/mountinfo.
struct MountInfo {
  int id = 0;
  int parent = 0;
  std::string major_minor;
  std::string root;
  std::string mount_point;
  std::vector<std::string> mount_options;    // per-mount: rw, nosuid, ...
  std::vector<std::string> optional_fields;  // shared:N, master:N, unbindable
  std::string fs_type;
  std::string source;
  std::vector<std::string> super_options;

  bool HasOption(std::string_view option) const;       // per-mount options
  bool HasSuperOption(std::string_view option) const;  // superblock options
  // "unbindable", "shared" (also when it is a slave too), "slave" or
  // "private", from the optional fields.
  std::string Propagation() const;
};

std::optional<MountInfo> ParseMountInfoLine(std::string_view line);
std::vector<MountInfo> MountsOf(const json::Value& report);
// The top-most (last listed) mount at exactly this mount point.
std::optional<MountInfo> FindMount(const json::Value& report, std::string_view mount_point);

// Bit number of "CAP_SYS_ADMIN" etc.; nullopt for an unknown name.
std::optional<int> CapabilityBit(std::string_view name);
uint64_t CapabilityMask(const std::vector<std::string>& names);
// The hex mask the probe read for "CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb".
std::optional<uint64_t> CapabilitySet(const json::Value& report, std::string_view set);

// The first action result with this op and argument.
const json::Value* ActionResult(const json::Value& report, std::string_view op, std::string_view arg);

// The namespace inode the probe saw for kind ("pid", "net", "mnt", ...).
int64_t NamespaceInode(const json::Value& report, std::string_view kind);

// Strings of a JSON string array ("env", "cgroup", "net").
std::vector<std::string> StringList(const json::Value* array);
bool Contains(const std::vector<std::string>& list, std::string_view value);

}  // namespace berth::conformance
