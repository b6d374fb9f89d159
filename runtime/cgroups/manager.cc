#include "runtime/cgroups/manager.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "runtime/base/files.h"
#include "runtime/cgroups/hybrid_manager.h"
#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/paths.h"
#include "runtime/cgroups/rootless_manager.h"
#include "runtime/cgroups/systemd_manager.h"

namespace berth::cgroups {
namespace {

constexpr const char kSysFsCgroup[] = "/sys/fs/cgroup";

std::string OwnKeyFor(const std::string& controller) {
  return controller == "systemd" ? "name=systemd" : controller;
}

Result<V1Manager> BuildV1(std::shared_ptr<const CgroupFs> fs, const CgroupSpec& spec,
                          const std::map<std::string, std::string>& own) {
  std::map<std::string, std::string> paths;
  for (const auto& controller : KnownV1Controllers()) {
    // By filesystem, not by name: a placeholder directory is no hierarchy.
    if (!fs->IsV1Hierarchy(controller)) continue;
    auto it = own.find(OwnKeyFor(controller));
    std::string own_path = it == own.end() ? "/" : it->second;
    paths[controller] = BERTH_TRY(ResolveCgroupPath(spec, own_path));
  }
  if (paths.empty()) return Error(ENOENT, "no cgroup v1 hierarchy mounted under " + fs->root());
  return V1Manager(std::move(fs), std::move(paths));
}

Result<V2Manager> BuildV2(std::shared_ptr<const CgroupFs> fs, const CgroupSpec& spec,
                          const std::map<std::string, std::string>& own) {
  auto it = own.find("");
  std::string path = BERTH_TRY(ResolveCgroupPath(spec, it == own.end() ? "/" : it->second));
  return V2Manager(std::move(fs), std::move(path));
}

}  // namespace

Manager::~Manager() = default;

std::string_view LayoutName(Layout layout) {
  switch (layout) {
    case Layout::kV1: return "v1";
    case Layout::kV2: return "v2";
    case Layout::kHybrid: return "hybrid";
  }
  return "?";
}

Result<Layout> DetectLayout(const std::string& root) {
  struct statfs st;
  if (statfs(root.c_str(), &st) != 0) return Error::Sys("statfs " + root);
  if (st.f_type == CGROUP2_SUPER_MAGIC) return Layout::kV2;
  if (st.f_type != TMPFS_MAGIC)
    return Error(ENOTSUP, root + " is neither a cgroup2 mount nor a tmpfs holding cgroup v1 hierarchies");
  std::string unified = root + "/unified";
  if (statfs(unified.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC) return Layout::kHybrid;
  return Layout::kV1;
}

Result<std::unique_ptr<Manager>> NewManagerOn(const Host& host, const CgroupSpec& spec,
                                              std::string_view proc_self_cgroup) {
  std::map<std::string, std::string> own = ParseProcCgroup(proc_self_cgroup);
  switch (host.layout) {
    case Layout::kV1: return std::unique_ptr<Manager>(new V1Manager(BERTH_TRY(BuildV1(host.v1, spec, own))));
    case Layout::kV2: return std::unique_ptr<Manager>(new V2Manager(BERTH_TRY(BuildV2(host.v2, spec, own))));
    case Layout::kHybrid: {
      V1Manager v1 = BERTH_TRY(BuildV1(host.v1, spec, own));
      V2Manager v2 = BERTH_TRY(BuildV2(host.v2, spec, own));
      return std::unique_ptr<Manager>(new HybridManager(std::move(v1), std::move(v2)));
    }
  }
  return Error(EINVAL, "unknown cgroup layout");
}

Result<std::unique_ptr<Manager>> NewManager(const CgroupSpec& spec) {
  if (spec.systemd) {
    BERTH_TRY(CheckSystemdRunning());
    // runc drives the user's systemd instance over the session bus then.
    if (spec.rootless)
      return Error(ENOTSUP,
                   "rootless --systemd-cgroup needs the user's systemd instance, which berth does not drive");
  }
  Host host;
  host.layout = BERTH_TRY_CTX(DetectLayout(kSysFsCgroup), "detect cgroup layout");
  const std::string root = kSysFsCgroup;
  if (host.layout == Layout::kV2) host.v2 = std::make_shared<CgroupFs>(root);
  if (host.layout != Layout::kV2) host.v1 = std::make_shared<CgroupFs>(root);
  if (host.layout == Layout::kHybrid) host.v2 = std::make_shared<CgroupFs>(root + "/unified");
  std::string self;
  if (NeedsOwnCgroup(spec)) self = BERTH_TRY(base::ReadFileText("/proc/self/cgroup"));
  if (spec.systemd) return NewSystemdManagerOn(host, spec, SystemdOptions());
  std::unique_ptr<Manager> manager = BERTH_TRY(NewManagerOn(host, spec, self));
  if (spec.rootless) return std::unique_ptr<Manager>(new RootlessManager(std::move(manager)));
  return manager;
}

namespace {

Result<std::unique_ptr<Manager>> LoadCgroupfsManager(std::string_view serialized,
                                                     const CgroupFsFactory& make_fs,
                                                     Layout* layout = nullptr) {
  std::string v1_root, v2_root, v2_path;
  std::map<std::string, std::string> v1_paths;
  bool have_v2 = false;
  size_t i = 0;
  while (i < serialized.size()) {
    size_t j = serialized.find('\n', i);
    if (j == std::string_view::npos) j = serialized.size();
    std::string line(serialized.substr(i, j - i));
    i = j + 1;
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    std::string key = line.substr(0, sp), rest = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (key == "v1-root") {
      v1_root = rest;
    } else if (key == "v2-root") {
      v2_root = rest;
    } else if (key == "v2") {
      v2_path = rest;
      have_v2 = true;
    } else if (key == "v1") {
      size_t sp2 = rest.find(' ');
      if (sp2 == std::string::npos) return Error(EINVAL, "bad cgroup state line \"" + line + "\"");
      v1_paths[rest.substr(0, sp2)] = rest.substr(sp2 + 1);
    } else {
      return Error(EINVAL, "bad cgroup state line \"" + line + "\"");
    }
  }
  // Paths come from our own state file, but are checked like config input.
  for (auto& [controller, path] : v1_paths) path = BERTH_TRY(CleanCgroupPath(path));
  if (have_v2) v2_path = BERTH_TRY(CleanCgroupPath(v2_path));
  const bool have_v1 = !v1_paths.empty() && !v1_root.empty();
  if (have_v2 && (v2_root.empty() || v2_path.empty()))
    return Error(EINVAL, "cgroup state: incomplete v2 entry");
  if (layout) *layout = have_v1 && have_v2 ? Layout::kHybrid : have_v2 ? Layout::kV2 : Layout::kV1;
  if (have_v1 && have_v2)
    return std::unique_ptr<Manager>(new HybridManager(V1Manager(make_fs(v1_root), std::move(v1_paths)),
                                                      V2Manager(make_fs(v2_root), v2_path)));
  if (have_v1) return std::unique_ptr<Manager>(new V1Manager(make_fs(v1_root), std::move(v1_paths)));
  if (have_v2) return std::unique_ptr<Manager>(new V2Manager(make_fs(v2_root), v2_path));
  return Error(EINVAL, "cgroup state names no cgroup");
}

}  // namespace

Result<std::unique_ptr<Manager>> LoadManagerOn(std::string_view serialized, const CgroupFsFactory& make_fs,
                                               const SystemdOptions& systemd) {
  // "systemd-unit <name>" first (systemd driver), then the cgroupfs lines.
  if (serialized == kNoCgroupState) return std::unique_ptr<Manager>(new NoCgroupManager());
  constexpr std::string_view kUnitKey = "systemd-unit ";
  if (serialized.substr(0, kUnitKey.size()) != kUnitKey) return LoadCgroupfsManager(serialized, make_fs);
  size_t end = serialized.find('\n');
  if (end == std::string_view::npos) return Error(EINVAL, "cgroup state: systemd unit without cgroup paths");
  std::string unit(serialized.substr(kUnitKey.size(), end - kUnitKey.size()));
  if (unit.empty() || unit.find_first_of(" /") != std::string::npos)
    return Error(EINVAL, "bad cgroup state line \"" + std::string(serialized.substr(0, end)) + "\"");
  Layout layout = Layout::kV1;
  std::unique_ptr<Manager> inner =
      BERTH_TRY(LoadCgroupfsManager(serialized.substr(end + 1), make_fs, &layout));
  // The unit's property set (v2 or v1) follows the host's layout, which
  // the cgroupfs lines show: a v2 path and no v1 ones is a pure v2 host.
  return std::unique_ptr<Manager>(
      SystemdManager::Started(std::move(inner), std::move(unit), systemd, layout == Layout::kV2));
}

Result<std::unique_ptr<Manager>> LoadManager(std::string_view serialized) {
  return LoadManagerOn(serialized,
                       [](const std::string& root) { return std::make_shared<const CgroupFs>(root); });
}

spec::Resources ResourcesWithConfiguredDevices(const spec::Linux& linux_config) {
  spec::Resources out = linux_config.resources.value_or(spec::Resources());
  // The config's rules apply in order, last match wins: the configured
  // devices' allow rules go right after the config's last deny-everything
  // rule, so that rule does not revoke them but a later rule about the same
  // device (e.g. "deny b 7:0 w") still takes effect.
  size_t insert_at = 0;
  for (size_t i = 0; i < out.devices.size(); ++i) {
    const spec::DeviceCgroupRule& rule = out.devices[i];
    if (!rule.allow && (rule.type.empty() || rule.type == "a")) insert_at = i + 1;
  }
  std::vector<spec::DeviceCgroupRule> configured;
  for (const auto& device : linux_config.devices) {
    if (device.type != "c" && device.type != "b" && device.type != "u") continue;  // pipes need no rule
    spec::DeviceCgroupRule rule;
    rule.allow = true;
    rule.type = device.type == "b" ? "b" : "c";
    rule.major = device.major;
    rule.minor = device.minor;
    rule.access = "rwm";
    configured.push_back(rule);
  }
  out.devices.insert(out.devices.begin() + static_cast<std::ptrdiff_t>(insert_at), configured.begin(),
                     configured.end());
  return out;
}

}  // namespace berth::cgroups
