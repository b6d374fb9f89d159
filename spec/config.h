// The typed model of an OCI bundle's config.json (runtime-spec v1.3,
// config.md and config-linux.md).
//
// Member names are the JSON property names, so that a reader can map a field
// to the spec without a table. Optional JSON values are std::optional (or an
// empty string/container where the spec gives "absent" and "empty" the same
// meaning). Values of closed sets (namespace type) are enums; values that are
// closed but large or host-dependent (capability names, seccomp actions,
// rlimit types) stay strings and are checked by the reader.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::spec {

// The version of the runtime-spec this model implements.
inline constexpr std::string_view kOciVersion = "1.3.0";

// ---------------------------------------------------------------- process

struct ConsoleSize {
  uint32_t height = 0;
  uint32_t width = 0;
  bool operator==(const ConsoleSize&) const = default;
};

struct User {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::optional<uint32_t> umask;
  std::vector<uint32_t> additionalGids;
  std::string username;  // Windows only; carried, never used on Linux.
  bool operator==(const User&) const = default;
};

// Capability names are "CAP_" + the kernel name, upper case, e.g. "CAP_KILL".
struct Capabilities {
  std::vector<std::string> bounding;
  std::vector<std::string> effective;
  std::vector<std::string> inheritable;
  std::vector<std::string> permitted;
  std::vector<std::string> ambient;
  bool operator==(const Capabilities&) const = default;
};

// type is "RLIMIT_" + the kernel name, e.g. "RLIMIT_NOFILE".
struct Rlimit {
  std::string type;
  uint64_t hard = 0;
  uint64_t soft = 0;
  bool operator==(const Rlimit&) const = default;
};

struct Scheduler {
  std::string
      policy;  // SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE
  std::optional<int32_t> nice;
  std::optional<int32_t> priority;
  std::vector<std::string> flags;  // SCHED_FLAG_*
  std::optional<uint64_t> runtime;
  std::optional<uint64_t> deadline;
  std::optional<uint64_t> period;
  bool operator==(const Scheduler&) const = default;
};

struct IoPriority {
  std::string class_;  // JSON "class": IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE
  int32_t priority = 0;
  bool operator==(const IoPriority&) const = default;
};

// CPU lists in cpuset syntax ("0-3,7").
struct ExecCpuAffinity {
  std::string initial;
  std::string final;
  bool operator==(const ExecCpuAffinity&) const = default;
};

struct Process {
  bool terminal = false;
  std::optional<ConsoleSize> consoleSize;
  User user;
  std::vector<std::string> args;
  std::string commandLine;  // Windows only.
  std::vector<std::string> env;
  std::string cwd;
  std::optional<Capabilities> capabilities;
  std::vector<Rlimit> rlimits;
  bool noNewPrivileges = false;
  std::string apparmorProfile;
  std::optional<int32_t> oomScoreAdj;
  std::string selinuxLabel;
  std::optional<Scheduler> scheduler;
  std::optional<IoPriority> ioPriority;
  std::optional<ExecCpuAffinity> execCPUAffinity;
  bool operator==(const Process&) const = default;
};

// ---------------------------------------------------------------- root, mounts, hooks

struct Root {
  std::string path;
  bool readonly = false;
  bool operator==(const Root&) const = default;
};

struct IdMapping {
  uint32_t containerID = 0;
  uint32_t hostID = 0;
  uint32_t size = 0;
  bool operator==(const IdMapping&) const = default;
};

struct Mount {
  std::string destination;
  std::string type;
  std::string source;
  std::vector<std::string> options;
  std::vector<IdMapping> uidMappings;
  std::vector<IdMapping> gidMappings;
  bool operator==(const Mount&) const = default;
};

struct Hook {
  std::string path;
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::optional<int32_t> timeout;  // seconds, > 0
  bool operator==(const Hook&) const = default;
};

struct Hooks {
  std::vector<Hook> prestart;  // deprecated, still run
  std::vector<Hook> createRuntime;
  std::vector<Hook> createContainer;
  std::vector<Hook> startContainer;
  std::vector<Hook> poststart;
  std::vector<Hook> poststop;
  bool operator==(const Hooks&) const = default;
};

// ---------------------------------------------------------------- linux

enum class NamespaceType { pid, network, mount, ipc, uts, user, cgroup, time };

// "pid", "network", ...; nullopt for a name outside the spec's set.
std::optional<NamespaceType> NamespaceTypeFromName(std::string_view name);
std::string_view NamespaceTypeName(NamespaceType type);

struct Namespace {
  NamespaceType type = NamespaceType::mount;
  std::string path;  // empty: create a new namespace
  bool operator==(const Namespace&) const = default;
};

struct TimeOffset {
  int64_t secs = 0;
  uint32_t nanosecs = 0;
  bool operator==(const TimeOffset&) const = default;
};

struct Device {
  std::string type;  // "c", "b", "u" or "p"
  std::string path;
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint32_t> fileMode;
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  bool operator==(const Device&) const = default;
};

struct NetDevice {
  std::string name;
  bool operator==(const NetDevice&) const = default;
};

struct DeviceCgroupRule {
  bool allow = false;
  std::string type;              // "a", "c" or "b"; empty means "a"
  std::optional<int64_t> major;  // absent means "*"
  std::optional<int64_t> minor;
  std::string access;  // subset of "rwm"
  bool operator==(const DeviceCgroupRule&) const = default;
};

struct MemoryResources {
  std::optional<int64_t> limit;
  std::optional<int64_t> reservation;
  std::optional<int64_t> swap;
  std::optional<int64_t> kernel;
  std::optional<int64_t> kernelTCP;
  std::optional<uint64_t> swappiness;
  std::optional<bool> disableOOMKiller;
  std::optional<bool> useHierarchy;
  std::optional<bool> checkBeforeUpdate;
  bool operator==(const MemoryResources&) const = default;
};

struct CpuResources {
  std::optional<uint64_t> shares;
  std::optional<int64_t> quota;
  std::optional<uint64_t> burst;
  std::optional<uint64_t> period;
  std::optional<int64_t> realtimeRuntime;
  std::optional<uint64_t> realtimePeriod;
  std::string cpus;
  std::string mems;
  std::optional<int64_t> idle;
  bool operator==(const CpuResources&) const = default;
};

struct WeightDevice {
  int64_t major = 0;
  int64_t minor = 0;
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leafWeight;
  bool operator==(const WeightDevice&) const = default;
};

struct ThrottleDevice {
  int64_t major = 0;
  int64_t minor = 0;
  uint64_t rate = 0;
  bool operator==(const ThrottleDevice&) const = default;
};

struct BlockIoResources {
  std::optional<uint16_t> weight;
  std::optional<uint16_t> leafWeight;
  std::vector<WeightDevice> weightDevice;
  std::vector<ThrottleDevice> throttleReadBpsDevice;
  std::vector<ThrottleDevice> throttleWriteBpsDevice;
  std::vector<ThrottleDevice> throttleReadIOPSDevice;
  std::vector<ThrottleDevice> throttleWriteIOPSDevice;
  bool operator==(const BlockIoResources&) const = default;
};

struct HugepageLimit {
  std::string pageSize;  // e.g. "2MB"
  uint64_t limit = 0;
  bool operator==(const HugepageLimit&) const = default;
};

struct NetworkPriority {
  std::string name;
  uint32_t priority = 0;
  bool operator==(const NetworkPriority&) const = default;
};

struct NetworkResources {
  std::optional<uint32_t> classID;
  std::vector<NetworkPriority> priorities;
  bool operator==(const NetworkResources&) const = default;
};

struct PidsResources {
  std::optional<int64_t> limit;  // 0 is a limit (no new tasks); negative means unlimited
  bool operator==(const PidsResources&) const = default;
};

struct RdmaLimit {
  std::optional<uint32_t> hcaHandles;
  std::optional<uint32_t> hcaObjects;
  bool operator==(const RdmaLimit&) const = default;
};

struct Resources {
  std::vector<DeviceCgroupRule> devices;
  std::optional<MemoryResources> memory;
  std::optional<CpuResources> cpu;
  std::optional<BlockIoResources> blockIO;
  std::vector<HugepageLimit> hugepageLimits;
  std::optional<NetworkResources> network;
  std::optional<PidsResources> pids;
  std::map<std::string, RdmaLimit> rdma;
  std::map<std::string, std::string> unified;  // cgroup v2 file -> value
  bool operator==(const Resources&) const = default;
};

struct IntelRdt {
  std::string closID;
  std::string l3CacheSchema;
  std::string memBwSchema;
  std::vector<std::string> schemata;
  std::optional<bool> enableMonitoring;
  bool operator==(const IntelRdt&) const = default;
};

struct SeccompArg {
  uint32_t index = 0;
  uint64_t value = 0;
  uint64_t valueTwo = 0;
  std::string op;  // SCMP_CMP_NE, SCMP_CMP_LT, ...
  bool operator==(const SeccompArg&) const = default;
};

struct SeccompSyscall {
  std::vector<std::string> names;
  std::string action;  // SCMP_ACT_*
  std::optional<uint32_t> errnoRet;
  std::vector<SeccompArg> args;
  bool operator==(const SeccompSyscall&) const = default;
};

struct Seccomp {
  std::string defaultAction;
  std::optional<uint32_t> defaultErrnoRet;
  std::vector<std::string> architectures;  // SCMP_ARCH_*
  std::vector<std::string> flags;          // SECCOMP_FILTER_FLAG_*
  std::string listenerPath;
  std::string listenerMetadata;
  std::vector<SeccompSyscall> syscalls;
  bool operator==(const Seccomp&) const = default;
};

struct Personality {
  std::string domain;  // LINUX or LINUX32
  std::vector<std::string> flags;
  bool operator==(const Personality&) const = default;
};

struct MemoryPolicy {
  std::string mode;   // MPOL_*
  std::string nodes;  // "0-3,7"
  std::vector<std::string> flags;
  bool operator==(const MemoryPolicy&) const = default;
};

// `linux` is a predefined macro in GNU dialects; the member is linux_.
struct Linux {
  std::vector<Namespace> namespaces;
  std::vector<IdMapping> uidMappings;
  std::vector<IdMapping> gidMappings;
  std::map<std::string, TimeOffset> timeOffsets;  // "monotonic", "boottime"
  std::vector<Device> devices;
  std::map<std::string, NetDevice> netDevices;  // host name -> in-container settings
  std::string cgroupsPath;
  std::optional<Resources> resources;
  std::optional<IntelRdt> intelRdt;
  std::map<std::string, std::string> sysctl;
  std::optional<Seccomp> seccomp;
  std::string rootfsPropagation;  // shared, slave, private, unbindable
  std::vector<std::string> maskedPaths;
  std::vector<std::string> readonlyPaths;
  std::string mountLabel;
  std::optional<Personality> personality;
  std::optional<MemoryPolicy> memoryPolicy;
  bool operator==(const Linux&) const = default;

  bool HasNamespace(NamespaceType type) const {
    for (const auto& ns : namespaces)
      if (ns.type == type) return true;
    return false;
  }
  const Namespace* FindNamespace(NamespaceType type) const {
    for (const auto& ns : namespaces)
      if (ns.type == type) return &ns;
    return nullptr;
  }
};

// ---------------------------------------------------------------- the document

struct Config {
  std::string ociVersion;
  std::optional<Root> root;
  std::optional<Process> process;
  std::string hostname;
  std::string domainname;
  std::vector<Mount> mounts;
  std::optional<Hooks> hooks;
  std::map<std::string, std::string> annotations;
  std::optional<Linux> linux_;  // JSON "linux"
  bool operator==(const Config&) const = default;
};

}  // namespace berth::spec
