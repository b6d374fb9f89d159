#include "spec/validate.h"

#include <gtest/gtest.h>

#include <functional>

#include "spec/default_config.h"

namespace berth::spec {
namespace {

using Strings = std::vector<std::string>;

struct Case {
  const char* name;
  std::function<void(Config&)> mutate;
  Strings violations;
};

Config Base() { return DefaultConfig(false); }

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      {"valid_default", [](Config&) {}, {}},
      {"bad_semver",
       [](Config& c) { c.ociVersion = "1.0"; },
       {"ociVersion: must be a SemVer 2.0.0 version, got \"1.0\""}},
      {"no_root", [](Config& c) { c.root.reset(); }, {"root: required"}},
      {"empty_root_path", [](Config& c) { c.root->path.clear(); }, {"root.path: must not be empty"}},
      {"no_process", [](Config& c) { c.process.reset(); }, {"process: required"}},
      {"empty_args", [](Config& c) { c.process->args.clear(); }, {"process.args: must not be empty"}},
      {"relative_cwd", [](Config& c) { c.process->cwd = "work"; }, {"process.cwd: must be an absolute path"}},
      {"env_without_equals",
       [](Config& c) { c.process->env.push_back("NOEQUALS"); },
       {"process.env[2]: must be KEY=VALUE (missing '=')"}},
      {"duplicate_rlimit",
       [](Config& c) {
         c.process->rlimits.push_back({"RLIMIT_NOFILE", 2, 3});
       },
       {"process.rlimits[1].type: duplicate rlimit RLIMIT_NOFILE",
        "process.rlimits[1]: soft limit exceeds hard limit"}},
      {"malformed_capability_in_model",
       [](Config& c) { c.process->capabilities->effective.push_back("CAP_nope"); },
       {"process.capabilities.effective[3]: malformed capability name \"CAP_nope\""}},
      // config.md: an unmappable capability is a runtime warning, not invalid.
      {"unknown_but_well_formed_capability_is_valid",
       [](Config& c) { c.process->capabilities->effective.push_back("CAP_NOT_A_CAPABILITY"); },
       {}},
      {"oom_score_range",
       [](Config& c) { c.process->oomScoreAdj = 1001; },
       {"process.oomScoreAdj: must be in [-1000, 1000]"}},
      {"fifo_priority",
       [](Config& c) { c.process->scheduler = Scheduler{"SCHED_FIFO", {}, 0, {}, {}, {}, {}}; },
       {"process.scheduler.priority: must be in [1, 99] for SCHED_FIFO"}},
      {"ioprio_range",
       [](Config& c) {
         c.process->ioPriority = IoPriority{"IOPRIO_CLASS_BE", 8};
       },
       {"process.ioPriority.priority: must be in [0, 7]"}},
      {"empty_mount_destination",
       [](Config& c) { c.mounts[0].destination.clear(); },
       {"mounts[0].destination: must not be empty"}},
      {"relative_mount_destination_is_deprecated_but_valid",
       [](Config& c) { c.mounts[0].destination = "proc"; },
       {}},
      {"mount_idmap_half",
       [](Config& c) {
         c.mounts[1].uidMappings = {{0, 1000, 1}};
       },
       {"mounts[1]: uidMappings and gidMappings must be given together"}},
      {"hook_relative_and_zero_timeout",
       [](Config& c) {
         c.hooks.emplace().poststop = {Hook{"hook.sh", {}, {}, 0}};
       },
       {"hooks.poststop[0].path: must be an absolute path",
        "hooks.poststop[0].timeout: must be greater than 0"}},
      {"umask_range",
       [](Config& c) { c.process->user.umask = 01000; },
       {"process.user.umask: must be <= 0777"}},
      {"tmpfs_over_proc",
       [](Config& c) {
         c.mounts.push_back(Mount{"//proc/", "tmpfs", "tmpfs", {}, {}, {}});
         c.mounts.push_back(Mount{"/proc/sys", "tmpfs", "tmpfs", {}, {}, {}});
       },
       {"mounts[7]: only a proc filesystem may be mounted on /proc"}},
      {"hook_env",
       [](Config& c) {
         c.hooks.emplace().prestart = {Hook{"/h", {}, {"=x"}, {}}};
       },
       {"hooks.prestart[0].env[0]: must be KEY=VALUE (empty KEY)"}},
      {"hostname_without_uts",
       [](Config& c) {
         std::erase_if(c.linux_->namespaces, [](auto& n) { return n.type == NamespaceType::uts; });
       },
       {"hostname: requires a uts namespace"}},
      {"duplicate_namespace",
       [](Config& c) {
         c.linux_->namespaces.push_back({NamespaceType::pid, ""});
       },
       {"linux.namespaces[5].type: duplicate namespace type \"pid\""}},
      {"relative_namespace_path",
       [](Config& c) { c.linux_->namespaces[1].path = "proc/1/ns/net"; },
       {"linux.namespaces[1].path: must be an absolute path"}},
      {"mappings_without_userns",
       [](Config& c) {
         c.linux_->uidMappings = {{0, 1000, 1}};
       },
       {"linux.uidMappings: id mappings require a user namespace"}},
      {"userns_without_mappings",
       [](Config& c) {
         c.linux_->namespaces.push_back({NamespaceType::user, ""});
       },
       {"linux.uidMappings: a new user namespace requires uid mappings",
        "linux.gidMappings: a new user namespace requires gid mappings"}},
      {"mapping_ranges",
       [](Config& c) {
         c.linux_->namespaces.push_back({NamespaceType::user, ""});
         c.linux_->uidMappings = {{0, 1000, 10}, {5, 5000, 1}, {10, 4294967295u, 2}, {20, 0, 0}};
         c.linux_->gidMappings = {{0, 1000, 10}, {10, 1005, 1}};
       },
       {"linux.uidMappings[1]: containerID range overlaps linux.uidMappings[0]",
        "linux.uidMappings[2]: hostID + size overflows the 32-bit id space",
        "linux.uidMappings[3].size: must be greater than 0",
        "linux.gidMappings[1]: hostID range overlaps linux.gidMappings[0]"}},
      {"time_offsets_without_timens",
       [](Config& c) {
         c.linux_->timeOffsets = {{"realtime", {1, 1000000000}}};
       },
       {"linux.timeOffsets: requires a time namespace",
        "linux.timeOffsets: unknown clock \"realtime\" (expected monotonic or boottime)",
        "linux.timeOffsets.realtime.nanosecs: must be less than 1000000000"}},
      {"time_offsets_valid",
       [](Config& c) {
         c.linux_->namespaces.push_back({NamespaceType::time, ""});
         c.linux_->timeOffsets = {{"monotonic", {-10, 5}}, {"boottime", {10, 0}}};
       },
       {}},
      {"devices",
       [](Config& c) {
         c.linux_->devices = {{"c", "dev/null", 1, 3, 0666, {}, {}},
                              {"b", "/dev/sda", -1, 0, 010666, {}, {}},
                              {"z", "/dev/sda", 8, 0, {}, {}, {}}};
       },
       {"linux.devices[0].path: must be an absolute path",
        "linux.devices[1]: major and minor must not be negative",
        "linux.devices[1].fileMode: file type bits of 010666 do not match type \"b\"",
        "linux.devices[2].type: unknown device type \"z\"",
        "linux.devices[2].path: duplicate device /dev/sda"}},
      // podman sends the file type bits with the permissions (issue 10).
      {"device_file_mode_with_matching_type_bits",
       [](Config& c) {
         c.linux_->devices = {{"c", "/dev/fuse", 10, 229, 020600, {}, {}},
                              {"u", "/dev/u", 10, 230, 020600, {}, {}},
                              {"b", "/dev/loop9", 7, 9, 060660, {}, {}},
                              {"p", "/dev/pipe", 0, 0, 010644, {}, {}}};
       },
       {}},
      {"device_file_mode_with_wrong_or_unknown_bits",
       [](Config& c) {
         c.linux_->devices = {{"c", "/dev/a", 10, 229, 060600, {}, {}},
                              {"b", "/dev/b", 7, 9, 020660, {}, {}},
                              {"c", "/dev/c", 1, 3, 0100644, {}, {}},
                              {"c", "/dev/d", 1, 3, 01000000, {}, {}}};
       },
       {"linux.devices[0].fileMode: file type bits of 060600 do not match type \"c\"",
        "linux.devices[1].fileMode: file type bits of 020660 do not match type \"b\"",
        "linux.devices[2].fileMode: file type bits of 0100644 do not match type \"c\"",
        "linux.devices[3].fileMode: must hold permission bits (<= 07777) and at most the file type bits"}},
      {"sysctl_empty_key",
       [](Config& c) {
         c.linux_->sysctl = {{"", "1"}, {"net..x", "1"}};
       },
       {"linux.sysctl: empty key", "linux.sysctl[\"net..x\"]: invalid sysctl name"}},
      {"net_devices_without_netns",
       [](Config& c) {
         std::erase_if(c.linux_->namespaces, [](auto& n) { return n.type == NamespaceType::network; });
         c.linux_->netDevices = {{"eth0", {"a/b"}}, {"eth1", {}}, {"eth2", {"eth1"}}};
       },
       {"linux.netDevices: requires a network namespace",
        "linux.netDevices.eth0.name: invalid interface name",
        "linux.netDevices.eth2: duplicate interface name \"eth1\" in the container"}},
      {"cgroups_path_escape",
       [](Config& c) { c.linux_->cgroupsPath = "/a/../../b"; },
       {"linux.cgroupsPath: must not contain \"..\""}},
      {"masked_and_readonly_relative",
       [](Config& c) {
         c.linux_->maskedPaths.push_back("proc/x");
         c.linux_->readonlyPaths.push_back("");
       },
       {"linux.maskedPaths[10]: must be an absolute path",
        "linux.readonlyPaths[5]: must be an absolute path"}},
      {"seccomp",
       [](Config& c) {
         Seccomp& s = c.linux_->seccomp.emplace();
         s.defaultAction = "SCMP_ACT_ALLOW";
         s.defaultErrnoRet = 1;
         s.listenerMetadata = "m";
         s.syscalls = {{{"read", ""}, "SCMP_ACT_KILL", 5, {{6, 0, 0, "SCMP_CMP_EQ"}}},
                       {{"ioctl"}, "SCMP_ACT_NOTIFY", {}, {}}};
       },
       {"linux.seccomp.defaultErrnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE",
        "linux.seccomp.listenerMetadata: must not be set without listenerPath",
        "linux.seccomp.syscalls[0].names[1]: must not be empty",
        "linux.seccomp.syscalls[0].errnoRet: only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE",
        "linux.seccomp.syscalls[0].args[0].index: must be less than 6",
        "linux.seccomp.listenerPath: required when SCMP_ACT_NOTIFY is used"}},
      {"personality_flags",
       [](Config& c) {
         c.linux_->personality = Personality{"LINUX", {"X"}};
       },
       {"linux.personality.flags: no personality flags are supported"}},
      {"device_rule_wildcards",
       [](Config& c) {
         c.linux_->resources->devices.push_back({true, "c", -1, -1, "rwm"});
         c.linux_->resources->devices.push_back({true, "b", -2, {}, "x"});
       },
       {"linux.resources.devices[2].access: must be a subset of \"rwm\"",
        "linux.resources.devices[2]: major and minor must be >= 0, or -1 or absent for \"*\""}},
      {"memory_policy",
       [](Config& c) {
         c.linux_->memoryPolicy = MemoryPolicy{"MPOL_BIND", "", {}};
       },
       {"linux.memoryPolicy.nodes: required for MPOL_BIND"}},
      {"memory_policy_local_nodes",
       [](Config& c) {
         c.linux_->memoryPolicy = MemoryPolicy{"MPOL_LOCAL", "3-1", {}};
       },
       {"linux.memoryPolicy.nodes: must be empty for MPOL_LOCAL",
        "linux.memoryPolicy.nodes: must be a node list like \"0-3,7\""}},
      {"resources",
       [](Config& c) {
         Resources& r = *c.linux_->resources;
         r.memory = MemoryResources{100, -2, 50, {}, {}, 101, {}, {}, {}};
         r.cpu = CpuResources{{}, 500, {}, 100, {}, {}, "0-", "x", 2};
         r.blockIO = BlockIoResources{5, {}, {{8, 0, {}, {}}}, {}, {}, {}, {}};
         r.hugepageLimits = {{"2mb", 1}};
         r.rdma = {{"mlx", {}}};
         r.unified = {{"../x", "1"}};
       },
       {"linux.resources.memory.reservation: must be -1 (unlimited) or >= 0",
        "linux.resources.memory.swappiness: must be in [0, 100]",
        "linux.resources.memory.swap: must not be less than memory.limit (it limits memory+swap)",
        "linux.resources.cpu.quota: must be -1 (unlimited) or at least 1000 microseconds",
        "linux.resources.cpu.period: must be in [1000, 1000000] microseconds",
        "linux.resources.cpu.idle: must be 0 or 1",
        "linux.resources.cpu.cpus: must be a CPU list like \"0-3,7\"",
        "linux.resources.cpu.mems: must be a node list like \"0-1\"",
        "linux.resources.blockIO.weight: must be in [10, 1000]",
        "linux.resources.blockIO.weightDevice[0]: needs weight or leafWeight",
        "linux.resources.hugepageLimits[0].pageSize: must be like \"2MB\" (KB, MB or GB)",
        "linux.resources.rdma.mlx: needs hcaHandles or hcaObjects",
        "linux.resources.unified[\"../x\"]: must be a cgroup file name"}},
      {"intelrdt_root_closid_is_valid", [](Config& c) { c.linux_->intelRdt.emplace().closID = "/"; }, {}},
      {"intelrdt_closid_path",
       [](Config& c) { c.linux_->intelRdt.emplace().closID = "a/b"; },
       {"linux.intelRdt.closID: must be \"/\" or a single directory name"}},
  };
  return cases;
}

class ValidateTable : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateTable, ReportsEveryViolation) {
  Config c = Base();
  GetParam().mutate(c);
  EXPECT_EQ(Validate(c), GetParam().violations);
}

INSTANTIATE_TEST_SUITE_P(Table, ValidateTable, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

TEST(ValidateForCreate, JoinsAllViolations) {
  Config c = Base();
  EXPECT_TRUE(ValidateForCreate(c).ok());
  c.process->cwd = "x";
  c.root.reset();
  Status s = ValidateForCreate(c);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().ToString(), "invalid config: root: required; process.cwd: must be an absolute path");
}

TEST(SemVer, AcceptsAndRejects) {
  for (const char* v :
       {"1.0.0", "0.5.0-dev", "1.0.2-dev", "1.3.0+dev", "10.20.30", "1.0.0-alpha.1", "1.0.0-0.3.7",
        "1.0.0-x.7.z.92", "1.0.0+20130313144700", "1.0.0-beta+exp.sha.5114f85", "1.0.0-rc.1+build.1"})
    EXPECT_TRUE(IsSemVer(v)) << v;
  for (const char* v : {"", "1", "1.0", "1.0.0.0", "01.0.0", "1.00.0", "1.0.00", "v1.0.0", "1.0.0-", "1.0.0+",
                        "1.0.0-01", "1.0.0-a..b", "1.0.0-a_b", "1.0.0 ", "-1.0.0", "1.0.0+a+b"})
    EXPECT_FALSE(IsSemVer(v)) << v;
}

TEST(AbsoluteMountDestination, RelativeIsUnderRoot) {
  EXPECT_EQ(AbsoluteMountDestination(Mount{"/proc", "", "", {}, {}, {}}), "/proc");
  EXPECT_EQ(AbsoluteMountDestination(Mount{"data/x", "", "", {}, {}, {}}), "/data/x");
}

}  // namespace
}  // namespace berth::spec
