// `berth features`: features.json (features.md). What spec/ recognizes, plus
// what this runtime actually implements; nothing is claimed that is not done.
#include <cstdio>

#include "runtime/cli/commands.h"
#include "spec/features.h"

namespace berth::cli {
namespace {

// Every option runtime/rootfs translates (mount_options.h), as runc lists them.
const std::vector<std::string> kMountOptions = {"async",         "atime",        "bind",
                                                "defaults",      "dev",          "diratime",
                                                "dirsync",       "exec",         "idmap",
                                                "iversion",      "lazytime",     "loud",
                                                "mand",          "noatime",      "nodev",
                                                "nodiratime",    "noexec",       "noiversion",
                                                "nolazytime",    "nomand",       "norelatime",
                                                "nostrictatime", "nosuid",       "nosymfollow",
                                                "private",       "ratime",       "rbind",
                                                "rdev",          "rdiratime",    "relatime",
                                                "remount",       "rexec",        "ridmap",
                                                "rnoatime",      "rnodev",       "rnodiratime",
                                                "rnoexec",       "rnorelatime",  "rnostrictatime",
                                                "rnosuid",       "rnosymfollow", "ro",
                                                "rprivate",      "rrelatime",    "rro",
                                                "rrw",           "rshared",      "rslave",
                                                "rstrictatime",  "rsuid",        "rsymfollow",
                                                "runbindable",   "rw",           "shared",
                                                "silent",        "slave",        "strictatime",
                                                "suid",          "symfollow",    "sync",
                                                "tmpcopyup",     "unbindable"};

spec::Features BerthFeatures() {
  spec::Features features = spec::RecognizedFeatures();
  features.mountOptions = kMountOptions;
  if (!features.linux_) features.linux_.emplace();
  spec::LinuxFeatures& linux_features = *features.linux_;
  // v1, v2 and hybrid hierarchies through cgroupfs; --systemd-cgroup starts a
  // transient scope through the system bus (runtime/cgroups/systemd_manager.h).
  // No systemdUser: rootless containers are not given to the user's systemd.
  linux_features.cgroup = spec::CgroupFeatures{true, true, true, false, false};
  if (!linux_features.seccomp) linux_features.seccomp.emplace();
  linux_features.seccomp->enabled = true;
  // Labels are applied when the LSM is active (runtime/process/lsm.h).
  linux_features.apparmor = spec::EnabledFeature{true};
  linux_features.selinux = spec::EnabledFeature{true};
  // linux.intelRdt incl. schemata and enableMonitoring (runtime/intelrdt), when resctrl is mounted.
  linux_features.intelRdt = spec::IntelRdtFeatures{true, true, true};
  linux_features.mountExtensions = spec::MountExtensionsFeatures{spec::EnabledFeature{true}};
  linux_features.netDevices = spec::EnabledFeature{false};
  features.annotations["org.opencontainers.runtime-spec.features.berth.version"] = "0.1.0";
  return features;
}

Result<int> RunFeatures(const GlobalOptions&, const ParsedFlags&) {
  std::string out = spec::SerializeFeatures(BerthFeatures(), /*pretty=*/true) + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

Command FeaturesCommand() { return {"features", "show the enabled features", "", {}, RunFeatures, 0, 0}; }

}  // namespace berth::cli
