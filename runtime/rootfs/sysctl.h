// Namespaced sysctls (linux.sysctl), written inside the container.
#pragma once

#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::rootfs {

// Checks that a sysctl key is namespaced and that the config has the
// namespace it belongs to (ipc for kernel.msg*/sem/shm*/fs.mqueue.*, network
// for net.*, uts for kernel.hostname/domainname). The error names the key.
Status ValidateSysctl(std::string_view key, const spec::Linux& linux_config);

// "net.ipv4.ip_forward" -> "net/ipv4/ip_forward"; error for keys that could
// escape /proc/sys ("..", empty components, a "/").
Result<std::string> SysctlRelativePath(std::string_view key);

// After EnterRootfs: validates every linux.sysctl entry, then writes each
// through a procfs handle verified to be procfs (statfs PROC_SUPER_MAGIC),
// resolved beneath it without following symlinks.
Status ApplySysctls(const spec::Config& config);

}  // namespace berth::rootfs
