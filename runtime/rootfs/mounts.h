// The config's mounts, each built detached and attached beneath the rootfs.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/base/unique_fd.h"
#include "runtime/rootfs/mount_options.h"
#include "spec/config.h"

namespace berth::rootfs {

using base::UniqueFd;

struct MountContext {
  std::string bundle;       // relative bind sources are relative to it
  bool user_ns = false;     // the container has a user namespace
  bool cgroup_ns = false;   // the container has a cgroup namespace
  std::string mount_label;  // linux.mountLabel, only when SELinux is enabled
  int prepared_tree = -1;   // this mount's idmapped tree from the parent, or -1
  // RootfsOptions::await_cgroup, or null.
  const std::function<Status()>* await_cgroup = nullptr;
};

// Performs one entry of config.mounts beneath root_fd (an fd of the rootfs).
Status MountConfigEntry(int root_fd, const spec::Mount& mount, const MountContext& context);

// A mount of type "cgroup": the host's hierarchies (tmpfs with each v1
// hierarchy and the unified one on a v1/hybrid host, cgroup2 on a v2 host).
Status MountCgroups(int root_fd, const std::string& destination, const MountOptions& options,
                    const MountContext& context);

// An O_PATH fd of a directory beneath root_fd reached without any symlink,
// created when missing: /proc and /sys must be real directories.
Result<UniqueFd> OpenRealDirectory(int root_fd, const std::string& path);

// A user namespace fd with the given mappings, for idmapped mounts.
Result<UniqueFd> MakeIdmapUserNamespace(const std::vector<spec::IdMapping>& uid_mappings,
                                        const std::vector<spec::IdMapping>& gid_mappings);

}  // namespace berth::rootfs
