// Device nodes and the standard symlinks of the container's /dev.
#pragma once

#include <string>
#include <vector>

#include "spec/config.h"
#include "spec/error.h"

namespace berth::rootfs {

// The devices every container gets when its /dev is a fresh mount
// (config-linux.md "Default Devices"): null zero full random urandom tty.
std::vector<spec::Device> DefaultDevices();

// st_mode file type of a spec device type ("c"/"u" char, "b" block, "p" fifo).
Result<unsigned> DeviceFileType(const std::string& type);

// Creates each device beneath root_fd (mknod, or a bind of the host's node
// when mknod is not allowed in a user namespace), with mode, uid and gid.
Status CreateDevices(int root_fd, const std::vector<spec::Device>& devices, bool user_ns);

// /dev/fd -> /proc/self/fd, /dev/std{in,out,err} -> /proc/self/fd/{0,1,2},
// and /dev/ptmx -> pts/ptmx (runtime-linux.md "/dev symbolic links").
Status CreateDevSymlinks(int root_fd);

}  // namespace berth::rootfs
