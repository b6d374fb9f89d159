#include "spec/config_json.h"

#include <gtest/gtest.h>

#include <limits>

#include "spec/testdata_util.h"
#include "spec/validate.h"

namespace berth::spec {
namespace {

using testing::ListTestdata;
using testing::ReadTestdata;

Config MustParse(const std::string& json) {
  auto c = ParseConfig(json);
  EXPECT_TRUE(c.ok()) << c.error().ToString();
  return c.ok() ? *c : Config{};
}

void ExpectRoundTrip(const Config& c) {
  std::string compact = SerializeConfig(c);
  auto back = ParseConfig(compact);
  ASSERT_TRUE(back.ok()) << back.error().ToString() << "\n" << compact;
  EXPECT_EQ(*back, c) << compact;
  auto pretty = ParseConfig(SerializeConfigPretty(c));
  ASSERT_TRUE(pretty.ok()) << pretty.error().ToString();
  EXPECT_EQ(*pretty, c);
  // Serializing is deterministic: the same object gives the same text.
  EXPECT_EQ(SerializeConfig(*back), compact);
}

TEST(SchemaFixtures, GoodConfigsParseAndRoundTrip) {
  auto names = ListTestdata("config/good");
  ASSERT_EQ(names.size(), 5u);
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    Config c = MustParse(ReadTestdata("config/good/" + name));
    EXPECT_FALSE(c.ociVersion.empty());
    ASSERT_TRUE(c.root.has_value());
    EXPECT_EQ(c.root->path, "rootfs");
    ExpectRoundTrip(c);
  }
}

TEST(SchemaFixtures, GoodConfigsForStartValidate) {
  // minimal.json has no process, so it is valid JSON but not startable.
  for (const char* name : {"minimal-for-start.json", "spec-example.json"}) {
    SCOPED_TRACE(name);
    Config c = MustParse(ReadTestdata(std::string("config/good/") + name));
    EXPECT_EQ(Validate(c), std::vector<std::string>{});
  }
  Config minimal = MustParse(ReadTestdata("config/good/minimal.json"));
  EXPECT_EQ(Validate(minimal), std::vector<std::string>{"process: required"});
}

TEST(SchemaFixtures, BadConfigsAreRejectedForTheRightReason) {
  const std::map<std::string, std::string> expected = {
      {"invalid-json.json", "invalid JSON: parse error: invalid object key (must be a string) at byte 2"},
      {"linux-hugepage.json",
       "linux.resources.hugepageLimits[0].pageSize: expected a size like \"2MB\" (KB, MB or GB), "
       "got \"64kB\""},
      {"linux-netdevice.json", "linux.netDevices.eth0.name: expected string, got number"},
      {"linux-rdma.json", "linux.resources.rdma.mlx5_1.hcaHandles: expected integer, got string"},
  };
  auto names = ListTestdata("config/bad");
  ASSERT_EQ(names.size(), expected.size());
  for (const auto& name : names) {
    SCOPED_TRACE(name);
    auto c = ParseConfig(ReadTestdata("config/bad/" + name));
    ASSERT_FALSE(c.ok());
    ASSERT_TRUE(expected.count(name)) << "no expectation for " << name;
    EXPECT_EQ(c.error().ToString(), expected.at(name));
  }
}

TEST(ConfigMdExample, EveryAreaIsRead) {
  Config c = MustParse(ReadTestdata("config-md-example.json"));
  EXPECT_EQ(c.ociVersion, "1.0.1");
  ASSERT_TRUE(c.process);
  const Process& p = *c.process;
  EXPECT_TRUE(p.terminal);
  EXPECT_EQ(p.user.uid, 1u);
  EXPECT_EQ(p.user.gid, 1u);
  EXPECT_EQ(p.user.additionalGids, (std::vector<uint32_t>{5, 6}));
  EXPECT_EQ(p.args, (std::vector<std::string>{"sh"}));
  EXPECT_EQ(p.cwd, "/");
  ASSERT_TRUE(p.capabilities);
  EXPECT_EQ(p.capabilities->bounding,
            (std::vector<std::string>{"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"}));
  ASSERT_EQ(p.rlimits.size(), 2u);
  EXPECT_EQ(p.rlimits[0], (Rlimit{"RLIMIT_CORE", 1024, 1024}));
  EXPECT_EQ(p.rlimits[1], (Rlimit{"RLIMIT_NOFILE", 1024, 1024}));
  EXPECT_EQ(p.oomScoreAdj, 100);
  ASSERT_TRUE(p.ioPriority);
  EXPECT_EQ(p.ioPriority->class_, "IOPRIO_CLASS_IDLE");
  EXPECT_EQ(p.ioPriority->priority, 4);
  EXPECT_EQ(p.apparmorProfile, "acme_secure_profile");
  EXPECT_EQ(p.selinuxLabel, "system_u:system_r:svirt_lxc_net_t:s0:c124,c675");
  EXPECT_TRUE(p.noNewPrivileges);
  ASSERT_TRUE(c.root);
  EXPECT_EQ(c.root->path, "rootfs");
  EXPECT_TRUE(c.root->readonly);
  EXPECT_EQ(c.hostname, "slartibartfast");
  ASSERT_FALSE(c.mounts.empty());
  EXPECT_EQ(c.mounts[0].destination, "/proc");
  EXPECT_EQ(c.mounts[0].type, "proc");
  ASSERT_TRUE(c.hooks);
  ASSERT_EQ(c.hooks->prestart.size(), 2u);
  EXPECT_EQ(c.hooks->prestart[0].path, "/usr/bin/fix-mounts");
  EXPECT_EQ(c.hooks->prestart[0].args, (std::vector<std::string>{"fix-mounts", "arg1", "arg2"}));
  EXPECT_EQ(c.hooks->prestart[0].env, (std::vector<std::string>{"key1=value1"}));
  ASSERT_EQ(c.hooks->poststart.size(), 1u);
  EXPECT_EQ(c.hooks->poststart[0].timeout, 5);
  EXPECT_EQ(c.hooks->prestart[1].timeout, std::nullopt);
  EXPECT_TRUE(c.hooks->createRuntime.empty());
  EXPECT_EQ(c.hooks->poststop.size(), 1u);
  EXPECT_EQ(c.annotations.at("com.example.key1"), "value1");
  ASSERT_TRUE(c.linux_);
  const Linux& l = *c.linux_;
  ASSERT_EQ(l.devices.size(), 2u);
  EXPECT_EQ(l.devices[0], (Device{"c", "/dev/fuse", 10, 229, 438, 0, 0}));
  EXPECT_EQ(l.uidMappings, (std::vector<IdMapping>{{0, 1000, 32000}}));
  EXPECT_EQ(l.sysctl.at("net.ipv4.ip_forward"), "1");
  EXPECT_EQ(l.cgroupsPath, "/myRuntime/myContainer");
  ASSERT_TRUE(l.resources);
  const Resources& r = *l.resources;
  ASSERT_TRUE(r.memory);
  EXPECT_EQ(r.memory->limit, 536870912);
  EXPECT_EQ(r.memory->swappiness, 0u);
  ASSERT_TRUE(r.cpu);
  EXPECT_EQ(r.cpu->shares, 1024u);
  EXPECT_EQ(r.cpu->quota, 1000000);
  EXPECT_EQ(r.cpu->cpus, "2-3");
  ASSERT_TRUE(r.blockIO);
  EXPECT_EQ(r.blockIO->weight, 10);
  ASSERT_EQ(r.blockIO->throttleReadBpsDevice.size(), 1u);
  EXPECT_EQ(r.blockIO->throttleReadBpsDevice[0], (ThrottleDevice{8, 0, 600}));
  ASSERT_EQ(r.hugepageLimits.size(), 2u);
  EXPECT_EQ(r.hugepageLimits[0], (HugepageLimit{"2MB", 9223372036854772000u}));
  EXPECT_EQ(r.hugepageLimits[1], (HugepageLimit{"64KB", 1000000}));
  ASSERT_TRUE(r.pids);
  EXPECT_EQ(r.pids->limit, 32771);
  ASSERT_TRUE(r.network);
  EXPECT_EQ(r.network->classID, 1048577u);
  EXPECT_EQ(r.network->priorities.size(), 2u);
  EXPECT_EQ(l.rootfsPropagation, "slave");
  ASSERT_TRUE(l.seccomp);
  EXPECT_EQ(l.seccomp->defaultAction, "SCMP_ACT_ALLOW");
  EXPECT_EQ(l.seccomp->architectures, (std::vector<std::string>{"SCMP_ARCH_X86", "SCMP_ARCH_X32"}));
  ASSERT_EQ(l.seccomp->syscalls.size(), 1u);
  EXPECT_EQ(l.seccomp->syscalls[0].action, "SCMP_ACT_ERRNO");
  EXPECT_EQ(l.timeOffsets.at("monotonic"), (TimeOffset{172800, 0}));
  ASSERT_FALSE(l.namespaces.empty());
  EXPECT_EQ(l.namespaces[0].type, NamespaceType::pid);
  EXPECT_TRUE(l.HasNamespace(NamespaceType::time));
  EXPECT_EQ(l.maskedPaths.front(), "/proc/kcore");
  EXPECT_EQ(l.readonlyPaths.front(), "/proc/asound");
  EXPECT_EQ(l.mountLabel, "system_u:object_r:svirt_sandbox_file_t:s0:c715,c811");
  ExpectRoundTrip(c);
}

// config.md: unmappable capability names are a runtime warning, so the
// reader keeps well-formed names it does not know.
TEST(Capabilities, UnknownWellFormedNameIsKept) {
  auto c = ParseConfig(R"({"ociVersion":"1.0.0","process":{"cwd":"/","args":["sh"],"user":{"uid":0,"gid":0},)"
                       R"("capabilities":{"bounding":["CAP_KILL","CAP_NOT_A_CAPABILITY","CAP_NEW_42"]}}})");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->process->capabilities->bounding,
            (std::vector<std::string>{"CAP_KILL", "CAP_NOT_A_CAPABILITY", "CAP_NEW_42"}));
}

TEST(ConfigMdExample, Validates) {
  Config c = MustParse(ReadTestdata("config-md-example.json"));
  EXPECT_EQ(Validate(c), std::vector<std::string>{});
}

TEST(RuncSpec, RuncTemplatesParseValidateAndRoundTrip) {
  for (const char* name : {"runc-spec.json", "runc-spec-rootless.json", "crun-spec.json"}) {
    SCOPED_TRACE(name);
    Config c = MustParse(ReadTestdata(name));
    EXPECT_EQ(Validate(c), std::vector<std::string>{});
    ExpectRoundTrip(c);
  }
}

// A config with every field of the model set to a non-default value.
Config EveryField() {
  Config c;
  c.ociVersion = "1.3.0";
  c.root = Root{"/r", true};
  Process& p = c.process.emplace();
  p.terminal = true;
  p.consoleSize = ConsoleSize{24, 80};
  p.user = User{1000, 1001, 022, {1, 2, 4294967295u}, "user"};
  p.args = {"/bin/sh", "-c", "echo \"quoted\" \\ \t\n\x01 é ☃"};
  p.commandLine = "cmd";
  p.env = {"A=1", "B="};
  p.cwd = "/work";
  p.capabilities =
      Capabilities{{"CAP_KILL"}, {"CAP_CHOWN"}, {"CAP_BPF"}, {"CAP_SYSLOG"}, {"CAP_CHECKPOINT_RESTORE"}};
  p.rlimits = {{"RLIMIT_NOFILE", std::numeric_limits<uint64_t>::max(), 0}, {"RLIMIT_CORE", 1, 1}};
  p.noNewPrivileges = true;
  p.apparmorProfile = "aa";
  p.oomScoreAdj = -1000;
  p.selinuxLabel = "se";
  p.scheduler = Scheduler{"SCHED_DEADLINE", -20, 0, {"SCHED_FLAG_RECLAIM"}, 1, 2, 3};
  p.ioPriority = IoPriority{"IOPRIO_CLASS_RT", 7};
  p.execCPUAffinity = ExecCpuAffinity{"0-1", "1"};
  c.hostname = "h";
  c.domainname = "d";
  Mount m{"/m", "bind", "/src", {"rbind", "ro"}, {{0, 100000, 65536}}, {{0, 100000, 65536}}};
  c.mounts = {m, Mount{"rel/dest", "", "", {}, {}, {}}};
  Hook h{"/hook", {"a", "b"}, {"E=1"}, 7};
  c.hooks = Hooks{{h}, {h}, {h}, {h}, {h}, {h}};
  c.annotations = {{"a.b/c", "v"}, {"", "empty key"}};
  Linux& l = c.linux_.emplace();
  l.namespaces = {{NamespaceType::pid, ""},    {NamespaceType::network, "/proc/1/ns/net"},
                  {NamespaceType::mount, ""},  {NamespaceType::ipc, ""},
                  {NamespaceType::uts, ""},    {NamespaceType::user, ""},
                  {NamespaceType::cgroup, ""}, {NamespaceType::time, ""}};
  l.uidMappings = {{0, 1000, 1}, {1, 100000, 65536}};
  l.gidMappings = {{0, 1000, 1}};
  l.timeOffsets = {{"monotonic", {-5, 999999999}}, {"boottime", {std::numeric_limits<int64_t>::min(), 0}}};
  l.devices = {{"c", "/dev/x", 1, 2, 0666, 0, 5},
               {"p", "/dev/fifo", 0, 0, std::nullopt, std::nullopt, std::nullopt}};
  l.netDevices = {{"eth1", {"ceth0"}}, {"eth2", {}}};
  l.cgroupsPath = "system.slice:berth:x";
  Resources& r = l.resources.emplace();
  r.devices = {{false, "", std::nullopt, std::nullopt, "rwm"}, {true, "c", 1, std::nullopt, "r"}};
  r.memory = MemoryResources{std::numeric_limits<int64_t>::max(), 1, -1, 2, 3, 60, true, false, true};
  r.cpu = CpuResources{1024, -1, 5, 100000, std::numeric_limits<int64_t>::min(), 7, "0-3,7", "0", 1};
  r.blockIO = BlockIoResources{
      500,         600,         {{8, 0, 100, std::nullopt}, {8, 16, std::nullopt, 10}}, {{8, 0, 1}},
      {{8, 0, 2}}, {{8, 0, 3}}, {{8, 0, std::numeric_limits<uint64_t>::max()}}};
  r.hugepageLimits = {{"2MB", 1 << 30}, {"1GB", 0}};
  r.network = NetworkResources{0x100001, {{"eth0", 5}}};
  r.pids = PidsResources{-1};
  r.rdma = {{"mlx5_1", {3, std::nullopt}}, {"rxe", {std::nullopt, 4}}};
  r.unified = {{"memory.high", "max"}, {"io.weight", "default 100"}};
  l.intelRdt = IntelRdt{"clos", "L3:0=f", "MB:0=70", {"L2:0=1"}, true};
  l.sysctl = {{"net.ipv4.ip_forward", "1"}};
  Seccomp& s = l.seccomp.emplace();
  s.defaultAction = "SCMP_ACT_ERRNO";
  s.defaultErrnoRet = 1;
  s.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_RISCV64"};
  s.flags = {"SECCOMP_FILTER_FLAG_LOG"};
  s.listenerPath = "/run/agent.sock";
  s.listenerMetadata = "meta";
  s.syscalls = {
      {{"read", "write"}, "SCMP_ACT_ALLOW", std::nullopt, {}},
      {{"kill"},
       "SCMP_ACT_ERRNO",
       38,
       {{0, std::numeric_limits<uint64_t>::max(), 1, "SCMP_CMP_MASKED_EQ"}, {5, 0, 0, "SCMP_CMP_NE"}}},
      {{"ioctl"}, "SCMP_ACT_NOTIFY", std::nullopt, {}}};
  l.rootfsPropagation = "private";
  l.maskedPaths = {"/proc/kcore"};
  l.readonlyPaths = {"/proc/sys"};
  l.mountLabel = "label";
  l.personality = Personality{"LINUX32", {}};
  l.memoryPolicy = MemoryPolicy{"MPOL_BIND", "0-1", {"MPOL_F_STATIC_NODES"}};
  return c;
}

TEST(RoundTrip, EveryFieldSurvives) { ExpectRoundTrip(EveryField()); }

TEST(RoundTrip, EveryFieldConfigIsValid) { EXPECT_EQ(Validate(EveryField()), std::vector<std::string>{}); }

TEST(RoundTrip, EmptyOptionalObjectsStayPresent) {
  Config c;
  c.ociVersion = "1.0.0";
  c.process.emplace();
  c.hooks.emplace();
  Linux& l = c.linux_.emplace();
  l.resources.emplace();
  l.resources->memory.emplace();
  l.resources->cpu.emplace();
  l.resources->blockIO.emplace();
  l.resources->network.emplace();
  l.intelRdt.emplace();
  ExpectRoundTrip(c);
}

TEST(RoundTrip, ExtremeIntegers) {
  Config c = MustParse(R"({"ociVersion":"1.0.0","process":{"cwd":"/","user":{"uid":4294967295,"gid":0},
    "oomScoreAdj":-2147483648},
    "linux":{"resources":{"memory":{"limit":-9223372036854775808,"swap":9223372036854775807}},
    "seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW",
      "args":[{"index":0,"value":18446744073709551615,"valueTwo":18446744073709551614,"op":"SCMP_CMP_EQ"}]}]}}})");
  EXPECT_EQ(c.process->user.uid, 4294967295u);
  EXPECT_EQ(c.process->oomScoreAdj, std::numeric_limits<int32_t>::min());
  EXPECT_EQ(c.linux_->resources->memory->limit, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(c.linux_->resources->memory->swap, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(c.linux_->seccomp->syscalls[0].args[0].value, std::numeric_limits<uint64_t>::max());
  EXPECT_EQ(c.linux_->seccomp->syscalls[0].args[0].valueTwo, std::numeric_limits<uint64_t>::max() - 1);
  ExpectRoundTrip(c);
}

TEST(Parse, NullMeansAbsentAndUnknownPropertiesAreIgnored) {
  Config c = MustParse(R"({"ociVersion":"1.0.0","future":{"x":[1,2]},"hooks":null,
    "process":{"cwd":"/","args":null,"somethingNew":true},"linux":{"resources":null}})");
  EXPECT_FALSE(c.hooks);
  EXPECT_TRUE(c.process->args.empty());
  ASSERT_TRUE(c.linux_);
  EXPECT_FALSE(c.linux_->resources);
}

TEST(Parse, LastDuplicateKeyWins) {
  Config c = MustParse(R"({"ociVersion":"1.0.0","hostname":"a","hostname":"b"})");
  EXPECT_EQ(c.hostname, "b");
}

TEST(Parse, StringsKeepEscapes) {
  Config c = MustParse(R"({"ociVersion":"1.0.0","hostname":"a\tb\n\"\u00e9\ud83d\ude00"})");
  EXPECT_EQ(c.hostname, std::string("a\tb\n\"\xC3\xA9\xF0\x9F\x98\x80", 11));
  ExpectRoundTrip(c);
}

// An embedded NUL is refused on reading (config_json_errors_test), but
// whatever a caller builds still serializes to JSON, the NUL escaped.
TEST(Serialize, EmbeddedNulIsEscaped) {
  Config c;
  c.ociVersion = "1.0.0";
  c.hostname = std::string("a\0b", 3);
  std::string json = SerializeConfig(c);
  EXPECT_NE(json.find(R"("hostname":"a\u0000b")"), std::string::npos) << json;
  auto parsed = ParseConfig(json);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.error().message(), "hostname: contains a NUL character (\\u0000)");
}

TEST(Serialize, InvalidUtf8IsReplacedSoOutputStaysJson) {
  Config c;
  c.ociVersion = "1.0.0";
  c.hostname =
      "a\xFF"
      "b";
  auto back = ParseConfig(SerializeConfig(c));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->hostname,
            "a\xEF\xBF\xBD"
            "b");
}

TEST(ReadConfigFile, ReadsAFileAndNamesItInErrors) {
  auto c = ReadConfigFile("spec/testdata/config/good/minimal.json");
  ASSERT_TRUE(c.ok()) << c.error().ToString();
  EXPECT_EQ(c->root->path, "rootfs");
  auto bad = ReadConfigFile("spec/testdata/config/bad/linux-netdevice.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().ToString(),
            "spec/testdata/config/bad/linux-netdevice.json: linux.netDevices.eth0.name: "
            "expected string, got number");
  auto missing = ReadConfigFile("spec/testdata/does-not-exist.json");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENOENT);
  EXPECT_EQ(missing.error().ToString(), "open spec/testdata/does-not-exist.json: No such file or directory");
}

}  // namespace
}  // namespace berth::spec
