// Pure translation of an OCI mount's option list into what the kernel takes:
// mount attributes (mount_setattr/fsmount), recursive attributes, propagation
// changes, superblock flags and filesystem data (fsconfig). No system calls.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/base/error.h"

namespace berth::rootfs {

// One propagation change, applied in the order given.
struct PropagationChange {
  uint64_t type = 0;  // MS_SHARED, MS_SLAVE, MS_PRIVATE or MS_UNBINDABLE
  bool recursive = false;
  bool operator==(const PropagationChange&) const = default;
};

struct MountOptions {
  // MOUNT_ATTR_* for the mount itself (ro, nosuid, nodev, noexec, atime...).
  uint64_t attr_set = 0;
  uint64_t attr_clr = 0;
  // MOUNT_ATTR_* applied with AT_RECURSIVE (rro, rnosuid, ...).
  uint64_t rec_attr_set = 0;
  uint64_t rec_attr_clr = 0;
  std::vector<PropagationChange> propagation;
  bool bind = false;       // bind or rbind
  bool recursive = false;  // rbind
  bool remount = false;
  bool idmap = false;            // idmap or ridmap
  bool recursive_idmap = false;  // ridmap
  bool tmpcopyup = false;
  // iversion/noiversion: MS_I_VERSION, which fsconfig does not accept as a
  // flag, so it is applied by a mount(2) remount once the mount is attached.
  std::optional<bool> i_version;
  // Superblock flags passed to fsconfig as flags: sync, dirsync, mand, lazytime.
  std::vector<std::string> sb_flags;
  // Filesystem-specific options, "key" or "key=value" (size=, mode=, ...).
  std::vector<std::string> data;
  bool operator==(const MountOptions&) const = default;
};

// Translates the options; later options override earlier ones (ro then rw is
// rw). Unknown options are filesystem data. Errors for empty options.
Result<MountOptions> ParseMountOptions(const std::vector<std::string>& options);

// Splits "key=value" into {key, value}; "key" gives {key, ""} and has_value false.
struct DataOption {
  std::string key;
  std::string value;
  bool has_value = false;
};
DataOption SplitDataOption(std::string_view option);

// True for filesystems that take linux.mountLabel as an SELinux context=
// option (tmpfs, devpts, ...); false for proc, sysfs, cgroup, mqueue, binds,
// whose labels come from the kernel or the source.
bool TakesMountLabel(std::string_view type);

// The data option carrying an SELinux mount label: context="LABEL" (quoted:
// MCS labels contain commas).
std::string MountLabelOption(std::string_view label);

// The propagation flags of a rootfsPropagation value ("shared", "rslave", ...;
// "" gives 0). Error for anything else.
Result<uint64_t> ParseRootPropagation(std::string_view value);

}  // namespace berth::rootfs
