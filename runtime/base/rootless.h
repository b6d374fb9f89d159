// Is berth running rootless? As runc decides it for `--rootless auto`:
// an unprivileged caller (euid != 0), or uid 0 inside a user namespace,
// which is how rootless podman (and buildah, rootlesskit) runs the runtime:
// root there is not root of the host, so the host's cgroups, /run and
// device numbers are not ours to use.
#pragma once

#include <sys/types.h>
#include <string>
#include <string_view>

namespace berth::base {

// True when uid_map (the text of /proc/self/uid_map) is not the initial
// user namespace's identity map "0 0 4294967295" (runc's RunningInUserNS).
// An unreadable map (no /proc) counts as the initial namespace.
bool UidMapIsUserNamespace(std::string_view uid_map);

// Whether some line of uid_map maps the host's uid 0 (outside id range
// covers 0): such a namespace's root is the host's root, with the same
// access to root-owned files (not the same capabilities).
bool UidMapMapsHostRoot(std::string_view uid_map);

struct RootlessFacts {
  uid_t euid = 0;
  std::string uid_map;  // /proc/self/uid_map; empty when unreadable
};

// The facts of the calling process.
RootlessFacts CurrentRootlessFacts();

// runc's shouldUseRootlessCgroupManager for "auto" with the cgroupfs
// driver: euid != 0, or euid 0 in a user namespace (runc cannot tell from
// there whether the cgroup path is delegated, so it tolerates permission
// errors; the rootless cgroup manager still uses a writable cgroup).
bool RootlessByDefault(const RootlessFacts& facts);

}  // namespace berth::base
