// The one builder of test root filesystems from the host's static busybox,
// shared by the runtime's integration tests (runtime/tests, runtime/rootfs),
// the conformance harness and the start-up benchmark.
//
// tools/rootfs (shell) stays beside it for the README, tools/demo and
// tools/engines, which run without Bazel; it makes the same layout with
// `busybox --install -s` inside a chroot, which C++ callers avoid (it needs
// a chroot per build and makes absolute links).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtime/base/error.h"

namespace berth::testing {

struct RootfsLayout {
  // Directories made (with parents), relative to the rootfs. tmp and var/tmp
  // get mode 1777, the others 0755.
  std::vector<std::string> dirs = {"bin", "sbin", "usr/bin", "usr/sbin", "proc", "sys",    "dev",
                                   "tmp", "etc",  "root",    "run",      "mnt",  "var/tmp"};
  // Host path of a static busybox, copied to bin/busybox; empty: no busybox
  // (the benchmark's rootfs holds only its own static payloads).
  std::string busybox = "/bin/busybox";
  // With busybox: one relative symlink in bin/ per applet (`busybox --list`),
  // so they resolve inside the container; false: bin/sh only.
  bool applets = true;
  // Host files copied in, mode 0755: {path in the rootfs, host path}.
  std::vector<std::pair<std::string, std::string>> files;
  // Writes etc/passwd (root, nobody), etc/group (root, tty, nogroup) and
  // etc/hosts, so `id`, `ps` and user lookups work inside.
  bool etc_files = true;
};

// /bin/busybox or /usr/bin/busybox when executable, else "".
std::string HostBusybox();

// Makes `dir` (created if missing) a root filesystem as `layout` says.
// Re-running on the same dir replaces the copied files.
Status BuildRootfs(const std::string& dir, const RootfsLayout& layout = {});

}  // namespace berth::testing
