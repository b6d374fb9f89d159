// Table-driven: malformed config.json documents and the exact error each
// must produce (JSON path + what was expected).
#include <gtest/gtest.h>

#include <set>

#include "spec/config_json.h"

namespace berth::spec {
namespace {

struct Case {
  const char* name;
  std::string json;
  std::string error;
};

// Wraps a "process" body into a minimal document.
std::string WithProcess(const std::string& body) {
  return R"({"ociVersion":"1.0.0","process":{"cwd":"/",)" + body + "}}";
}
std::string WithLinux(const std::string& body) { return R"({"ociVersion":"1.0.0","linux":{)" + body + "}}"; }
std::string WithResources(const std::string& body) { return WithLinux(R"("resources":{)" + body + "}"); }
std::string WithSeccomp(const std::string& body) {
  return WithLinux(R"("seccomp":{"defaultAction":"SCMP_ACT_ALLOW",)" + body + "}");
}

const std::vector<Case>& Cases() {
  static const std::vector<Case> cases = {
      // Not JSON, or not an object.
      {"empty", "", "invalid JSON: empty document"},
      {"truncated", R"({"ociVersion":"1.0.0")", "invalid JSON: parse error: premature EOF at byte 21"},
      {"trailing_garbage", R"({"ociVersion":"1.0.0"} x)",
       "invalid JSON: parse error: trailing garbage at byte 24"},
      {"comment", "{/* c */}",
       "invalid JSON: lexical error: probable comment found in input text, comments are not "
       "enabled at byte 1"},
      {"bad_utf8", "{\"ociVersion\":\"\xff\"}",
       "invalid JSON: lexical error: invalid bytes in UTF8 string at byte 16"},
      {"too_deep", R"({"ociVersion":"1.0.0","x":)" + std::string(70, '[') + std::string(70, ']') + "}",
       "invalid JSON: nested deeper than 64 levels at byte 90"},
      {"top_level_array", "[]", "expected object, got array"},
      {"top_level_string", R"("config")", "expected object, got string"},
      // The document.
      {"missing_oci_version", "{}", "ociVersion: missing required property"},
      {"oci_version_number", R"({"ociVersion":1})", "ociVersion: expected string, got number"},
      {"root_not_object", R"({"ociVersion":"1.0.0","root":"rootfs"})", "root: expected object, got string"},
      {"root_path_missing", R"({"ociVersion":"1.0.0","root":{}})", "root.path: missing required property"},
      {"root_readonly_string", R"({"ociVersion":"1.0.0","root":{"path":"r","readonly":"yes"}})",
       "root.readonly: expected boolean, got string"},
      {"hostname_number", R"({"ociVersion":"1.0.0","hostname":7})", "hostname: expected string, got number"},
      {"annotation_value_number", R"({"ociVersion":"1.0.0","annotations":{"a.b":1}})",
       "annotations[\"a.b\"]: expected string, got number"},
      // An embedded NUL (JSON \u0000) would cut the C string short where
      // it is used (a mount target, an argv entry): refused, with its path.
      {"nul_in_arg", WithProcess(R"("args":["tr\u0000ue"])"),
       "process.args[0]: contains a NUL character (\\u0000)"},
      {"nul_in_mount_destination",
       R"({"ociVersion":"1.0.0","mounts":[{"destination":"/tmp\u0000/../../etc","type":"tmpfs"}]})",
       "mounts[0].destination: contains a NUL character (\\u0000)"},
      {"nul_in_annotation_key", R"({"ociVersion":"1.0.0","annotations":{"a\u0000b":"c"}})",
       "annotations[\"a\\u0000b\"]: key contains a NUL character (\\u0000)"},
      {"mounts_object", R"({"ociVersion":"1.0.0","mounts":{}})", "mounts: expected array, got object"},
      {"mount_destination_missing",
       R"({"ociVersion":"1.0.0","mounts":[{"destination":"/a"},{"type":"tmpfs"}]})",
       "mounts[1].destination: missing required property"},
      {"mount_option_number", R"({"ociVersion":"1.0.0","mounts":[{"destination":"/a","options":["ro",1]}]})",
       "mounts[0].options[1]: expected string, got number"},
      {"mount_idmap_negative",
       R"({"ociVersion":"1.0.0","mounts":[{"destination":"/a","uidMappings":[{"containerID":0,"hostID":-1,"size":1}]}]})",
       "mounts[0].uidMappings[0].hostID: expected integer in [0, 4294967295], got -1"},
      {"hook_path_missing", R"({"ociVersion":"1.0.0","hooks":{"poststop":[{"args":[]}]}})",
       "hooks.poststop[0].path: missing required property"},
      {"hook_timeout_fraction",
       R"({"ociVersion":"1.0.0","hooks":{"prestart":[{"path":"/h","timeout":1.5}]}})",
       "hooks.prestart[0].timeout: expected integer, got 1.5"},
      // process
      {"process_cwd_missing", R"({"ociVersion":"1.0.0","process":{"args":["sh"]}})",
       "process.cwd: missing required property"},
      {"args_number", WithProcess(R"("args":["sh","-c",3])"), "process.args[2]: expected string, got number"},
      {"args_string", WithProcess(R"("args":"sh")"), "process.args: expected array, got string"},
      {"terminal_number", WithProcess(R"("terminal":1)"), "process.terminal: expected boolean, got number"},
      {"console_size_missing_width", WithProcess(R"("consoleSize":{"height":1})"),
       "process.consoleSize.width: missing required property"},
      {"uid_negative", WithProcess(R"("user":{"uid":-1,"gid":0})"),
       "process.user.uid: expected integer in [0, 4294967295], got -1"},
      {"gid_too_big", WithProcess(R"("user":{"uid":0,"gid":4294967296})"),
       "process.user.gid: expected integer in [0, 4294967295], got 4294967296"},
      {"uid_exponent", WithProcess(R"("user":{"uid":1e3,"gid":0})"),
       "process.user.uid: expected integer, got 1e3"},
      {"additional_gid_string", WithProcess(R"("user":{"additionalGids":[1,"2"]})"),
       "process.user.additionalGids[1]: expected integer, got string"},
      {"env_null_item", WithProcess(R"("env":["A=1",null])"), "process.env[1]: expected string, got null"},
      {"capability_bad_characters", WithProcess(R"("capabilities":{"bounding":["CAP_KILL","CAP_fly"]})"),
       "process.capabilities.bounding[1]: expected a capability name like \"CAP_KILL\", got \"CAP_fly\""},
      {"capability_lower_case", WithProcess(R"("capabilities":{"ambient":["kill"]})"),
       "process.capabilities.ambient[0]: expected a capability name like \"CAP_KILL\", got \"kill\""},
      {"capability_prefix_only", WithProcess(R"("capabilities":{"effective":["CAP_"]})"),
       "process.capabilities.effective[0]: expected a capability name like \"CAP_KILL\", got \"CAP_\""},
      {"unknown_rlimit", WithProcess(R"("rlimits":[{"type":"RLIMIT_FOO","hard":1,"soft":1}])"),
       "process.rlimits[0].type: unknown rlimit type \"RLIMIT_FOO\""},
      {"rlimit_soft_missing", WithProcess(R"("rlimits":[{"type":"RLIMIT_CORE","hard":1}])"),
       "process.rlimits[0].soft: missing required property"},
      {"rlimit_hard_negative", WithProcess(R"("rlimits":[{"type":"RLIMIT_CORE","hard":-1,"soft":0}])"),
       "process.rlimits[0].hard: expected integer in [0, 18446744073709551615], got -1"},
      {"rlimit_hard_overflow",
       WithProcess(R"("rlimits":[{"type":"RLIMIT_CORE","hard":18446744073709551616,"soft":0}])"),
       "process.rlimits[0].hard: integer out of range, got 18446744073709551616"},
      {"oom_score_adj_too_big", WithProcess(R"("oomScoreAdj":2147483648)"),
       "process.oomScoreAdj: expected integer in [-2147483648, 2147483647], got 2147483648"},
      {"unknown_scheduler_policy", WithProcess(R"("scheduler":{"policy":"SCHED_FAST"})"),
       "process.scheduler.policy: unknown scheduler policy \"SCHED_FAST\" (expected one of "
       "SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_ISO, SCHED_IDLE, SCHED_DEADLINE)"},
      {"scheduler_policy_missing", WithProcess(R"("scheduler":{"nice":1})"),
       "process.scheduler.policy: missing required property"},
      {"unknown_ioprio_class", WithProcess(R"("ioPriority":{"class":"IOPRIO_CLASS_NONE"})"),
       "process.ioPriority.class: unknown I/O priority class \"IOPRIO_CLASS_NONE\" (expected one "
       "of IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE)"},
      {"cpu_affinity_letters", WithProcess(R"("execCPUAffinity":{"initial":"all"})"),
       "process.execCPUAffinity.initial: expected a CPU list like \"0-3,7\", got \"all\""},
      // linux
      {"linux_array", R"({"ociVersion":"1.0.0","linux":[]})", "linux: expected object, got array"},
      {"unknown_namespace", WithLinux(R"("namespaces":[{"type":"pid"},{"type":"net"}])"),
       "linux.namespaces[1].type: unknown namespace type \"net\" (expected one of pid, network, "
       "mount, ipc, uts, user, cgroup, time)"},
      {"namespace_type_missing", WithLinux(R"("namespaces":[{"path":"/proc/1/ns/pid"}])"),
       "linux.namespaces[0].type: missing required property"},
      {"mapping_size_missing", WithLinux(R"("uidMappings":[{"containerID":0,"hostID":0}])"),
       "linux.uidMappings[0].size: missing required property"},
      {"time_offset_secs_string", WithLinux(R"("timeOffsets":{"monotonic":{"secs":"1"}})"),
       "linux.timeOffsets.monotonic.secs: expected integer, got string"},
      {"unknown_device_type", WithLinux(R"("devices":[{"type":"x","path":"/dev/x"}])"),
       "linux.devices[0].type: unknown device type \"x\" (expected one of c, b, u, p)"},
      {"device_path_missing", WithLinux(R"("devices":[{"type":"c","major":1,"minor":3}])"),
       "linux.devices[0].path: missing required property"},
      {"device_uid_negative", WithLinux(R"("devices":[{"type":"c","path":"/dev/x","uid":-5}])"),
       "linux.devices[0].uid: expected integer in [0, 4294967295], got -5"},
      {"unknown_propagation", WithLinux(R"("rootfsPropagation":"recursive")"),
       "linux.rootfsPropagation: unknown rootfs propagation \"recursive\" (expected one of shared, "
       "slave, private, unbindable, rshared, rslave, rprivate, runbindable)"},
      {"sysctl_value_bool", WithLinux(R"("sysctl":{"net.ipv4.ip_forward":true})"),
       "linux.sysctl[\"net.ipv4.ip_forward\"]: expected string, got boolean"},
      {"masked_paths_string", WithLinux(R"("maskedPaths":"/proc/kcore")"),
       "linux.maskedPaths: expected array, got string"},
      {"unknown_personality", WithLinux(R"("personality":{"domain":"LINUX64"})"),
       "linux.personality.domain: unknown personality domain \"LINUX64\" (expected one of LINUX, "
       "LINUX32)"},
      {"unknown_mempolicy_flag", WithLinux(R"("memoryPolicy":{"mode":"MPOL_BIND","flags":["MPOL_F_X"]})"),
       "linux.memoryPolicy.flags[0]: unknown memory policy flag \"MPOL_F_X\" (expected one of "
       "MPOL_F_NUMA_BALANCING, MPOL_F_RELATIVE_NODES, MPOL_F_STATIC_NODES)"},
      {"membw_schema_pattern", WithLinux(R"("intelRdt":{"memBwSchema":"L3:0=1"})"),
       "linux.intelRdt.memBwSchema: expected \"MB:<schema>\" on one line"},
      // linux.resources
      {"memory_limit_string", WithResources(R"("memory":{"limit":"1G"})"),
       "linux.resources.memory.limit: expected integer, got string"},
      {"memory_limit_float", WithResources(R"("memory":{"limit":1.0})"),
       "linux.resources.memory.limit: expected integer, got 1.0"},
      {"swappiness_negative", WithResources(R"("memory":{"swappiness":-1})"),
       "linux.resources.memory.swappiness: expected integer in [0, 18446744073709551615], got -1"},
      {"cpu_shares_bool", WithResources(R"("cpu":{"shares":true})"),
       "linux.resources.cpu.shares: expected integer, got boolean"},
      {"blkio_weight_too_big", WithResources(R"("blockIO":{"weight":65536})"),
       "linux.resources.blockIO.weight: expected integer in [0, 65535], got 65536"},
      {"throttle_minor_missing",
       WithResources(R"("blockIO":{"throttleReadBpsDevice":[{"major":8,"rate":1}]})"),
       "linux.resources.blockIO.throttleReadBpsDevice[0].minor: missing required property"},
      {"device_rule_allow_missing", WithResources(R"("devices":[{"access":"rwm"}])"),
       "linux.resources.devices[0].allow: missing required property"},
      {"device_rule_access", WithResources(R"("devices":[{"allow":true,"access":"rwx"}])"),
       "linux.resources.devices[0].access: expected a subset of \"rwm\", got \"rwx\""},
      {"device_rule_type", WithResources(R"("devices":[{"allow":true,"type":"p"}])"),
       "linux.resources.devices[0].type: unknown device cgroup type \"p\" (expected one of a, c, "
       "b)"},
      {"pids_limit_missing", WithResources(R"("pids":{})"),
       "linux.resources.pids.limit: missing required property"},
      {"hugepage_limit_missing", WithResources(R"("hugepageLimits":[{"pageSize":"2MB"}])"),
       "linux.resources.hugepageLimits[0].limit: missing required property"},
      {"network_priority_missing", WithResources(R"("network":{"priorities":[{"name":"eth0"}]})"),
       "linux.resources.network.priorities[0].priority: missing required property"},
      {"unified_value_number", WithResources(R"("unified":{"memory.max":1})"),
       "linux.resources.unified[\"memory.max\"]: expected string, got number"},
      // linux.seccomp
      {"seccomp_default_missing", WithLinux(R"("seccomp":{})"),
       "linux.seccomp.defaultAction: missing required property"},
      {"unknown_seccomp_action", WithLinux(R"("seccomp":{"defaultAction":"SCMP_ACT_DENY"})"),
       "linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_DENY\" (expected one of "
       "SCMP_ACT_KILL, SCMP_ACT_KILL_PROCESS, SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, "
       "SCMP_ACT_ERRNO, SCMP_ACT_TRACE, SCMP_ACT_ALLOW, SCMP_ACT_LOG, SCMP_ACT_NOTIFY)"},
      {"unknown_seccomp_arch", WithSeccomp(R"("architectures":["SCMP_ARCH_Z80"])"),
       "linux.seccomp.architectures[0]: unknown seccomp architecture \"SCMP_ARCH_Z80\""},
      {"unknown_seccomp_flag", WithSeccomp(R"("flags":["SECCOMP_FILTER_FLAG_FAST"])"),
       "linux.seccomp.flags[0]: unknown seccomp flag \"SECCOMP_FILTER_FLAG_FAST\" (expected one "
       "of SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_SPEC_ALLOW, "
       "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)"},
      {"syscall_names_empty", WithSeccomp(R"("syscalls":[{"names":[],"action":"SCMP_ACT_ALLOW"}])"),
       "linux.seccomp.syscalls[0].names: expected at least one name"},
      {"syscall_action_missing", WithSeccomp(R"("syscalls":[{"names":["read"]}])"),
       "linux.seccomp.syscalls[0].action: missing required property"},
      {"unknown_seccomp_operator",
       WithSeccomp(
           R"("syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"SCMP_CMP_XOR"}]}])"),
       "linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_XOR\" (expected "
       "one of SCMP_CMP_NE, SCMP_CMP_LT, SCMP_CMP_LE, SCMP_CMP_EQ, SCMP_CMP_GE, SCMP_CMP_GT, "
       "SCMP_CMP_MASKED_EQ)"},
      {"seccomp_arg_value_negative",
       WithSeccomp(
           R"("syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}])"),
       "linux.seccomp.syscalls[0].args[0].value: expected integer in [0, 18446744073709551615], "
       "got -1"},
      {"errno_ret_too_big", WithSeccomp(R"("defaultErrnoRet":4294967296)"),
       "linux.seccomp.defaultErrnoRet: expected integer in [0, 4294967295], got 4294967296"},
  };
  return cases;
}

class MalformedConfig : public ::testing::TestWithParam<Case> {};

TEST_P(MalformedConfig, FailsWithExactMessage) {
  const Case& c = GetParam();
  auto result = ParseConfig(c.json);
  ASSERT_FALSE(result.ok()) << "accepted: " << c.json;
  EXPECT_EQ(result.error().ToString(), c.error) << c.json;
}

INSTANTIATE_TEST_SUITE_P(Table, MalformedConfig, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<Case>& info) {
                           return std::string(info.param.name);
                         });

TEST(MalformedConfigTable, HasAtLeastFortyDistinctCases) {
  std::set<std::string> names;
  for (const auto& c : Cases()) names.insert(c.name);
  EXPECT_GE(names.size(), 40u);
  EXPECT_EQ(names.size(), Cases().size());
}

// Parts read as documents of their own: errors name fields from the part's
// root, and nothing may follow the object.
TEST(PartDocuments, ProcessAndSeccompReadAlone) {
  auto process = ParseProcess(R"({"args":["sh"],"cwd":"/"})");
  ASSERT_TRUE(process.ok()) << process.error().ToString();
  EXPECT_EQ(process->args, std::vector<std::string>{"sh"});
  auto bad_process = ParseProcess(R"({"cwd":"/","args":[1]})");
  ASSERT_FALSE(bad_process.ok());
  EXPECT_EQ(bad_process.error().ToString(), "args[0]: expected string, got number");
  EXPECT_FALSE(ParseProcess(R"({"cwd":"/"},"process":{"cwd":"/"})").ok());
  EXPECT_FALSE(ParseProcess("[]").ok());

  auto seccomp = ParseSeccomp(
      R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]})");
  ASSERT_TRUE(seccomp.ok()) << seccomp.error().ToString();
  EXPECT_EQ(seccomp->syscalls.size(), 1u);
  auto bad_seccomp = ParseSeccomp(R"({"defaultAction":"SCMP_ACT_NOPE"})");
  ASSERT_FALSE(bad_seccomp.ok());
  EXPECT_NE(bad_seccomp.error().ToString().find("defaultAction: unknown seccomp action"), std::string::npos)
      << bad_seccomp.error().ToString();
}

}  // namespace
}  // namespace berth::spec
