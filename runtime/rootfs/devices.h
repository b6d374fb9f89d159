// Device nodes and the standard symlinks of the container's /dev.
#pragma once

#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::rootfs {

// The devices every container gets, whether or not its /dev is a fresh mount
// (config-linux.md "Default Devices"): null zero full random urandom tty.
// /dev/ptmx is a symlink made by CreateDevSymlinks.
std::vector<spec::Device> DefaultDevices();

// How a node gets beneath the root.
enum class DeviceSource {
  kMknod,     // mknod: the runtime is root in the initial user namespace
  kBindHost,  // bind the host's node: mknod is not allowed in a user namespace
  // mknod, and a bind of the host's node where the kernel refuses it (EPERM:
  // berth itself runs in a user namespace, as rootless podman runs it, and
  // the config makes none). The container has its own mount namespace.
  kMknodOrBindHost,
  // A user namespace without a mount namespace: neither mknod nor a bind
  // (it would land in the host's mount table) is possible, so the image
  // must already hold the node; anything else is refused.
  kExistingOnly,
};

// What to do with an entry at a device's path that is not that device.
enum class OnConflict {
  kRefuse,   // linux.devices: the image's file is neither trusted nor replaced
  kReplace,  // default devices: the spec requires them, so a regular file,
             // symlink or other node there is removed (never followed) first;
             // the same node with the same mode and owner is kept as it is
};

// st_mode file type of a spec device type ("c"/"u" char, "b" block, "p" fifo).
Result<unsigned> DeviceFileType(const std::string& type);

// Creates each device beneath root_fd (symlinks on the way resolved inside
// it), with mode, uid and gid. A node of the same type and numbers already
// there is made afresh (kMknod, kBindHost) or kept as it is (kExistingOnly).
Status CreateDevices(int root_fd, const std::vector<spec::Device>& devices, DeviceSource source,
                     OnConflict on_conflict);

// /dev/ptmx -> pts/ptmx (config-linux.md "Default Devices"), replacing what
// the image has there; with proc_mounted also /dev/fd -> /proc/self/fd and
// /dev/std{in,out,err} -> /proc/self/fd/{0,1,2} (runtime-linux.md "/dev
// symbolic links": only when their source exists), kept if present.
Status CreateDevSymlinks(int root_fd, bool proc_mounted);

}  // namespace berth::rootfs
