// linux.netDevices (config-linux.md "Network Devices"): parent side, moves
// host interfaces into the container's new network namespace.
#pragma once

#include <sys/types.h>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::ns {

// Moves each host interface named in linux.netDevices into the network
// namespace of `child` (via rtnetlink), renaming it when `name` is set and
// bringing it up. No-op when netDevices is empty. Errors name the device; it
// is an error when the config does not create a new network namespace.
Status MoveNetDevices(pid_t child, const spec::Linux& linux_config);

}  // namespace berth::ns
