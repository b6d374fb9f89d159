// The floors a runtime cannot go below, for run/floor_rootfs and
// run/floor_cgroups: the template's namespaces, rootfs mounts, device
// nodes, pivot_root and execve (what any OCI runtime must do for the
// template's config), optionally with the container's cgroup created,
// joined and removed in every hierarchy mounted under /sys/fs/cgroup (each
// one berth uses). Written straight to the kernel, without parsing or
// checks, so it is the kernel's share of `run`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/startup/command.h"
#include "runtime/base/error.h"

namespace berth::bench {

// Every cgroup hierarchy mounted directly under `root` (v1 and cgroup2),
// symlinks (cpu -> cpu,cpuacct) skipped.
Result<std::vector<std::string>> CgroupHierarchies(const std::string& root = "/sys/fs/cgroup");

// clone(clone_flags) a child that sets up `rootfs` (rslave /, rootfs bind,
// proc, /dev tmpfs + null zero full random urandom tty, devpts, shm, mqueue,
// sysfs), pivot_roots into it and execs `exec_path` (a path inside it).
// With `hierarchies`, a cgroup `name` is made in each first (cpuset
// initialised), the child is attached while it prepares its rootfs (the
// best a runtime can do; it execs only once attached) and it is removed
// after the child is reaped, all inside the measured time.
Result<CommandResult> RunFloorRootfs(uint64_t clone_flags, const std::string& rootfs,
                                     const std::string& exec_path,
                                     const std::vector<std::string>& hierarchies, const std::string& name);

}  // namespace berth::bench
