// features.json (features.md, features-linux.md): what a runtime recognizes.
// Lists are optional: absent means "unknown", empty means "none".
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"

namespace berth::spec {

struct EnabledFeature {
  std::optional<bool> enabled;
  bool operator==(const EnabledFeature&) const = default;
};

struct CgroupFeatures {
  std::optional<bool> v1;
  std::optional<bool> v2;
  std::optional<bool> systemd;
  std::optional<bool> systemdUser;
  std::optional<bool> rdma;
  bool operator==(const CgroupFeatures&) const = default;
};

struct SeccompFeatures {
  std::optional<bool> enabled;
  std::optional<std::vector<std::string>> actions;    // SCMP_ACT_*
  std::optional<std::vector<std::string>> operators;  // SCMP_CMP_*
  std::optional<std::vector<std::string>> archs;      // SCMP_ARCH_*
  std::optional<std::vector<std::string>> knownFlags;
  std::optional<std::vector<std::string>> supportedFlags;
  bool operator==(const SeccompFeatures&) const = default;
};

struct IntelRdtFeatures {
  std::optional<bool> enabled;
  std::optional<bool> schemata;
  std::optional<bool> monitoring;
  bool operator==(const IntelRdtFeatures&) const = default;
};

struct MemoryPolicyFeatures {
  std::optional<std::vector<std::string>> modes;  // MPOL_*
  std::optional<std::vector<std::string>> flags;  // MPOL_F_*
  bool operator==(const MemoryPolicyFeatures&) const = default;
};

struct MountExtensionsFeatures {
  std::optional<EnabledFeature> idmap;
  bool operator==(const MountExtensionsFeatures&) const = default;
};

struct LinuxFeatures {
  std::optional<std::vector<std::string>> namespaces;    // "pid", "network", ...
  std::optional<std::vector<std::string>> capabilities;  // CAP_*
  std::optional<CgroupFeatures> cgroup;
  std::optional<SeccompFeatures> seccomp;
  std::optional<EnabledFeature> apparmor;
  std::optional<EnabledFeature> selinux;
  std::optional<IntelRdtFeatures> intelRdt;
  std::optional<MemoryPolicyFeatures> memoryPolicy;
  std::optional<MountExtensionsFeatures> mountExtensions;
  std::optional<EnabledFeature> netDevices;
  bool operator==(const LinuxFeatures&) const = default;
};

struct Features {
  std::string ociVersionMin;  // required
  std::string ociVersionMax;  // required
  std::optional<std::vector<std::string>> hooks;
  std::optional<std::vector<std::string>> mountOptions;
  std::map<std::string, std::string> annotations;
  std::optional<std::vector<std::string>> potentiallyUnsafeConfigAnnotations;
  std::optional<LinuxFeatures> linux_;  // JSON "linux"
  bool operator==(const Features&) const = default;
};

Result<Features> ParseFeatures(std::string_view text);
// Indented with tabs when pretty (as `runc features` prints).
std::string SerializeFeatures(const Features& features, bool pretty = false);

// What spec/'s reader recognizes: ociVersion range, hook names, namespaces,
// capabilities, seccomp actions/operators/architectures/flags and memory
// policy modes/flags. The CLI adds what the runtime and host support
// (mount options, cgroup, seccomp enabled, ...).
Features RecognizedFeatures();

}  // namespace berth::spec
