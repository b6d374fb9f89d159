// Child side: Linux Security Module exec labels (AppArmor, SELinux).
#pragma once

#include <string>

#include "spec/config.h"
#include "spec/error.h"

namespace berth::process {

// Where the LSM state is read and the labels are written. The defaults are the
// real kernel paths; tests point them at a fake directory tree.
struct LsmPaths {
  std::string apparmor_enabled = "/sys/module/apparmor/parameters/enabled";
  // Newer kernels have the AppArmor-specific attr directory; older only attr/exec.
  std::string apparmor_exec = "/proc/thread-self/attr/apparmor/exec";
  std::string attr_exec = "/proc/thread-self/attr/exec";
  std::string selinux_enforce = "/sys/fs/selinux/enforce";
};

bool AppArmorEnabled(const LsmPaths& paths = {});
bool SelinuxEnabled(const LsmPaths& paths = {});

// process.apparmorProfile -> "exec <profile>" and process.selinuxLabel -> the
// label, each written to the exec attribute so they apply at execve.
// Requested but not enabled on the host: an error saying so.
Status ApplyLsmLabels(const spec::Process& process, const LsmPaths& paths);
Status ApplyLsmLabels(const spec::Process& process);

}  // namespace berth::process
