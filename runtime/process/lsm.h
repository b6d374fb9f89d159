// Child side: Linux Security Module exec labels (AppArmor, SELinux).
#pragma once

#include <string>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::process {

// Where the LSM state is read and the labels are written. The defaults are the
// real kernel paths; tests point them at a fake directory tree.
struct LsmPaths {
  std::string apparmor_enabled = "/sys/module/apparmor/parameters/enabled";
  // Newer kernels have the AppArmor-specific attr directory; older only attr/exec.
  std::string apparmor_exec = "/proc/thread-self/attr/apparmor/exec";
  std::string attr_exec = "/proc/thread-self/attr/exec";
  std::string selinux_enforce = "/sys/fs/selinux/enforce";
  // The procfs mount the exec attributes belong to (see verify_filesystems).
  std::string proc_root = "/proc";
  // Labels are only written to files on a real procfs that are not
  // overmounted (same mount as proc_root), and SELinux counts as enabled
  // only with a real selinuxfs: a fake /proc or /sys planted in a rootfs, or
  // another proc file bound over the attribute, must not swallow the label
  // (CVE-2019-16884, CVE-2023-28642, CVE-2025-52881).
  bool verify_filesystems = true;
};

// /sys/module/apparmor/parameters/enabled reads "Y".
bool AppArmorEnabled(const LsmPaths& paths = {});
// selinuxfs is mounted and its enforce file is readable (permissive counts).
bool SelinuxEnabled(const LsmPaths& paths = {});

// process.apparmorProfile -> "exec <profile>" and process.selinuxLabel -> the
// label, each written to the exec attribute so they apply at execve.
// Requested but not enabled on the host: an error saying so.
Status ApplyLsmLabels(const spec::Process& process, const LsmPaths& paths);
Status ApplyLsmLabels(const spec::Process& process);

}  // namespace berth::process
