// The closed sets of names the runtime-spec defines (config-linux.md,
// defs-linux.json), shared by the reader, the validator and features.json.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace berth::spec {

// A closed set of names, e.g. the seccomp actions; `noun` names it in errors.
struct NameSet {
  std::string_view noun;
  const std::string_view* names;
  size_t size;
  bool Contains(std::string_view name) const { return std::find(names, names + size, name) != names + size; }
  const std::string_view* begin() const { return names; }
  const std::string_view* end() const { return names + size; }
};

namespace names {

// Index i is capability number i (linux/capability.h, up to CAP_LAST_CAP 40).
inline constexpr std::array<std::string_view, 41> kCapabilities = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};

// config.md: a capability name the runtime cannot map is a warning, not an
// error, so the reader accepts any well-formed name: "CAP_" then [A-Z0-9_]+.
constexpr bool IsWellFormedCapabilityName(std::string_view name) {
  if (name.size() <= 4 || name.substr(0, 4) != "CAP_") return false;
  for (char c : name.substr(4))
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

inline constexpr std::array<std::string_view, 8> kNamespaceTypes = {"pid", "network", "mount",  "ipc",
                                                                    "uts", "user",    "cgroup", "time"};

inline constexpr std::array<std::string_view, 16> kRlimitTypes = {
    "RLIMIT_AS",      "RLIMIT_CORE",     "RLIMIT_CPU",        "RLIMIT_DATA",   "RLIMIT_FSIZE", "RLIMIT_LOCKS",
    "RLIMIT_MEMLOCK", "RLIMIT_MSGQUEUE", "RLIMIT_NICE",       "RLIMIT_NOFILE", "RLIMIT_NPROC", "RLIMIT_RSS",
    "RLIMIT_RTPRIO",  "RLIMIT_RTTIME",   "RLIMIT_SIGPENDING", "RLIMIT_STACK"};

inline constexpr std::array<std::string_view, 9> kSeccompActions = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",
    "SCMP_ACT_TRACE", "SCMP_ACT_ALLOW",        "SCMP_ACT_LOG",         "SCMP_ACT_NOTIFY"};

inline constexpr std::array<std::string_view, 7> kSeccompOperators = {
    "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
    "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};

inline constexpr std::array<std::string_view, 23> kSeccompArchitectures = {
    "SCMP_ARCH_X86",         "SCMP_ARCH_X86_64",      "SCMP_ARCH_X32",    "SCMP_ARCH_ARM",
    "SCMP_ARCH_AARCH64",     "SCMP_ARCH_LOONGARCH64", "SCMP_ARCH_M68K",   "SCMP_ARCH_MIPS",
    "SCMP_ARCH_MIPS64",      "SCMP_ARCH_MIPS64N32",   "SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64",
    "SCMP_ARCH_MIPSEL64N32", "SCMP_ARCH_PPC",         "SCMP_ARCH_PPC64",  "SCMP_ARCH_PPC64LE",
    "SCMP_ARCH_S390",        "SCMP_ARCH_S390X",       "SCMP_ARCH_SH",     "SCMP_ARCH_SHEB",
    "SCMP_ARCH_PARISC",      "SCMP_ARCH_PARISC64",    "SCMP_ARCH_RISCV64"};

inline constexpr std::array<std::string_view, 4> kSeccompFlags = {
    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
    "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

// Device node types for linux.devices ("u" is an unbuffered char device).
inline constexpr std::array<std::string_view, 4> kDeviceTypes = {"c", "b", "u", "p"};
// Device cgroup rule types.
inline constexpr std::array<std::string_view, 3> kDeviceCgroupTypes = {"a", "c", "b"};

// The spec's four values, plus the recursive spellings runc also accepts.
inline constexpr std::array<std::string_view, 8> kRootfsPropagations = {
    "shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"};

inline constexpr std::array<std::string_view, 3> kIoPriorityClasses = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
                                                                       "IOPRIO_CLASS_IDLE"};

inline constexpr std::array<std::string_view, 7> kSchedulerPolicies = {
    "SCHED_OTHER", "SCHED_FIFO", "SCHED_RR", "SCHED_BATCH", "SCHED_ISO", "SCHED_IDLE", "SCHED_DEADLINE"};

inline constexpr std::array<std::string_view, 7> kSchedulerFlags = {
    "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",     "SCHED_FLAG_DL_OVERRUN",
    "SCHED_FLAG_KEEP_POLICY",   "SCHED_FLAG_KEEP_PARAMS", "SCHED_FLAG_UTIL_CLAMP_MIN",
    "SCHED_FLAG_UTIL_CLAMP_MAX"};

inline constexpr std::array<std::string_view, 2> kPersonalityDomains = {"LINUX", "LINUX32"};

inline constexpr std::array<std::string_view, 7> kMemoryPolicyModes = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"};

inline constexpr std::array<std::string_view, 3> kMemoryPolicyFlags = {
    "MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES", "MPOL_F_STATIC_NODES"};

inline constexpr std::array<std::string_view, 5> kContainerStatuses = {"creating", "created", "running",
                                                                       "stopped", "paused"};

}  // namespace names

template <size_t N>
constexpr NameSet MakeNameSet(std::string_view noun, const std::array<std::string_view, N>& a) {
  return NameSet{noun, a.data(), N};
}

inline constexpr NameSet kCapabilitySet = MakeNameSet("capability", names::kCapabilities);
inline constexpr NameSet kNamespaceTypeSet = MakeNameSet("namespace type", names::kNamespaceTypes);
inline constexpr NameSet kRlimitTypeSet = MakeNameSet("rlimit type", names::kRlimitTypes);
inline constexpr NameSet kSeccompActionSet = MakeNameSet("seccomp action", names::kSeccompActions);
inline constexpr NameSet kSeccompOperatorSet = MakeNameSet("seccomp operator", names::kSeccompOperators);
inline constexpr NameSet kSeccompArchSet = MakeNameSet("seccomp architecture", names::kSeccompArchitectures);
inline constexpr NameSet kSeccompFlagSet = MakeNameSet("seccomp flag", names::kSeccompFlags);
inline constexpr NameSet kDeviceTypeSet = MakeNameSet("device type", names::kDeviceTypes);
inline constexpr NameSet kDeviceCgroupTypeSet = MakeNameSet("device cgroup type", names::kDeviceCgroupTypes);
inline constexpr NameSet kRootfsPropagationSet =
    MakeNameSet("rootfs propagation", names::kRootfsPropagations);
inline constexpr NameSet kIoPriorityClassSet = MakeNameSet("I/O priority class", names::kIoPriorityClasses);
inline constexpr NameSet kSchedulerPolicySet = MakeNameSet("scheduler policy", names::kSchedulerPolicies);
inline constexpr NameSet kSchedulerFlagSet = MakeNameSet("scheduler flag", names::kSchedulerFlags);
inline constexpr NameSet kPersonalityDomainSet =
    MakeNameSet("personality domain", names::kPersonalityDomains);
inline constexpr NameSet kMemoryPolicyModeSet = MakeNameSet("memory policy mode", names::kMemoryPolicyModes);
inline constexpr NameSet kMemoryPolicyFlagSet = MakeNameSet("memory policy flag", names::kMemoryPolicyFlags);
inline constexpr NameSet kContainerStatusSet = MakeNameSet("container status", names::kContainerStatuses);

}  // namespace berth::spec
