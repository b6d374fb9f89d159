// The systemd driver against the fake bus (testing/fake_systemd_bus.h) and
// a temporary cgroup2 tree. This host runs no systemd, so NewManager itself
// can only be checked for its refusal.
#include "runtime/cgroups/systemd_manager.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "runtime/cgroups/testing/fake_systemd_bus.h"
#include "runtime/cgroups/testing/fake_tree.h"

namespace berth::cgroups {
namespace dbus {
// Readable gtest output for values.
void PrintTo(const Value& v, std::ostream* os) { *os << Describe(v); }
}  // namespace dbus

namespace {

using dbus::Value;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::ReadFile;

class ShortDir {
 public:
  ShortDir() {
    char tmpl[] = "/tmp/berth-sd.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) abort();
    path_ = tmpl;
  }
  ~ShortDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int Count(const std::vector<std::string>& members, const std::string& member) {
  return static_cast<int>(std::count(members.begin(), members.end(), member));
}

class SystemdManagerTest : public ::testing::Test {
 protected:
  SystemdManagerTest() {
    testing::MakeV2Tree(tree_.path(), {"cpu", "memory", "pids", "io"});
    bus_ = std::make_unique<testing::FakeSystemdBus>(dir_.path() + "/bus", tree_.path());
    fs_ = std::make_shared<testing::RecordingCgroupFs>(tree_.path());
    options_.bus_socket = bus_->socket();
    options_.timeout = std::chrono::milliseconds(2000);
  }

  std::unique_ptr<Manager> New(const std::string& cgroups_path = "system.slice:berth:c1") {
    Host host;
    host.layout = Layout::kV2;
    host.v2 = fs_;
    CgroupSpec spec;
    spec.container_id = "c1";
    spec.cgroups_path = cgroups_path;
    spec.systemd = true;
    auto m = NewSystemdManagerOn(host, spec, options_);
    EXPECT_TRUE(m.ok()) << m.error().ToString();
    return std::move(m).value();
  }

  std::unique_ptr<Manager> Started(pid_t pid = 4242) {
    auto m = New();
    Status created = m->Create();
    EXPECT_TRUE(created.ok()) << created.error().ToString();
    Status added = m->AddProcess(pid);
    EXPECT_TRUE(added.ok()) << added.error().ToString();
    return m;
  }

  std::string Dir(const std::string& cgroup) { return tree_.path() + cgroup; }

  ShortDir dir_;
  testing::TempDir tree_;
  std::unique_ptr<testing::FakeSystemdBus> bus_;
  std::shared_ptr<testing::RecordingCgroupFs> fs_;
  SystemdOptions options_;
};

TEST_F(SystemdManagerTest, StartsATransientScopeAsRuncDoes) {
  auto m = Started(4242);
  EXPECT_EQ(m->Path(), "/system.slice/berth-c1.scope");
  EXPECT_THAT(bus_->Members(), ElementsAre("Hello", "AddMatch", "Subscribe", "StartTransientUnit"));
  EXPECT_EQ(bus_->ActiveUnits(), std::set<std::string>{"berth-c1.scope"});
  auto calls = bus_->Calls();
  const auto& start = calls.back();
  ASSERT_EQ(start.body.size(), 4u);
  EXPECT_EQ(start.body[0], Value::String("berth-c1.scope"));
  EXPECT_EQ(start.body[1], Value::String("replace"));
  EXPECT_EQ(start.body[3], Value::Array("(sa(sv))", {}));
  std::vector<std::string> names;
  for (const Value& p : start.body[2].items) names.push_back(p.items[0].text);
  EXPECT_THAT(names, ElementsAre("Description", "Slice", "Delegate", "PIDs", "MemoryAccounting",
                                 "CPUAccounting", "IOAccounting", "TasksAccounting", "DefaultDependencies"));
  auto props = bus_->UnitProperties("berth-c1.scope");
  EXPECT_EQ(props["Description"], Value::String("berth container c1"));
  EXPECT_EQ(props["Slice"], Value::String("system.slice"));
  EXPECT_EQ(props["Delegate"], Value::Bool(true));
  EXPECT_EQ(props["PIDs"], Value::Array("u", {Value::Uint32(4242)}));
  EXPECT_EQ(props["MemoryAccounting"], Value::Bool(true));
  EXPECT_EQ(props["DefaultDependencies"], Value::Bool(false));
  // The unit's cgroup, where systemd put it, holds the pid; berth's path agrees.
  EXPECT_EQ(ReadFile(Dir("/system.slice/berth-c1.scope/cgroup.procs")), "4242");
  EXPECT_THAT(fs_->WritesTo("/system.slice/berth-c1.scope", "cgroup.procs"), ElementsAre("4242"));
}

TEST_F(SystemdManagerTest, ResourcesGoThroughCgroupfsInTheUnitsCgroup) {
  auto m = Started();
  fs_->writes.clear();
  spec::Resources r;
  r.pids.emplace();
  r.pids->limit = 64;
  Status s = m->ApplyResources(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(Dir("/system.slice/berth-c1.scope/pids.max")), "64");
}

Value Prop(const std::string& name, Value value) {
  return Value::Struct({Value::String(name), Value::Variant(std::move(value))});
}

spec::Resources MemoryAndPids(int64_t memory, int64_t pids) {
  spec::Resources r;
  r.memory.emplace().limit = memory;
  r.pids.emplace().limit = pids;
  return r;
}

// update, as runc's Set: SetUnitProperties(unit, runtime=true, the
// properties of the stored resources with the update merged in) on a
// connection that does not subscribe, then the cgroupfs files.
TEST_F(SystemdManagerTest, UpdateSetsTheUnitsPropertiesThenWritesItsCgroup) {
  auto m = Started();
  const size_t calls_before = bus_->Calls().size();
  spec::Resources before = MemoryAndPids(32 << 20, 16);
  before.cpu.emplace().shares = 1024;
  Status s = m->UpdateFrom(before, MemoryAndPids(64 << 20, 32));
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  auto calls = bus_->Calls();
  ASSERT_EQ(calls.size(), calls_before + 2);
  EXPECT_EQ(calls[calls_before].member, "Hello");
  const auto& set = calls[calls_before + 1];
  EXPECT_EQ(set.member, "SetUnitProperties");
  EXPECT_EQ(set.body, (std::vector<Value>{Value::String("berth-c1.scope"), Value::Bool(true),
                                          Value::Array("(sv)", {Prop("MemoryMax", Value::Uint64(64 << 20)),
                                                                Prop("CPUWeight", Value::Uint64(39)),
                                                                Prop("TasksMax", Value::Uint64(32))})}));
  EXPECT_EQ(bus_->UnitProperties("berth-c1.scope")["TasksMax"], Value::Uint64(32));
  EXPECT_EQ(ReadFile(Dir("/system.slice/berth-c1.scope/pids.max")), "32");
  EXPECT_EQ(ReadFile(Dir("/system.slice/berth-c1.scope/memory.max")), std::to_string(64 << 20));
  // Only the update's fields are written through cgroupfs.
  EXPECT_TRUE(fs_->WritesTo("/system.slice/berth-c1.scope", "cpu.weight").empty());
  EXPECT_EQ(bus_->connections(), 2);  // create's, then update's own
}

TEST_F(SystemdManagerTest, RefusedPropertiesWriteNoCgroupFile) {
  auto m = Started();
  fs_->writes.clear();
  bus_->FailNext("SetUnitProperties", "org.freedesktop.DBus.Error.InvalidArgs", "Invalid argument");
  Status s = m->Update(MemoryAndPids(64 << 20, 32));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("set properties of systemd unit berth-c1.scope"));
  EXPECT_THAT(s.error().ToString(), HasSubstr("Invalid argument"));
  EXPECT_TRUE(fs_->writes.empty());
  EXPECT_EQ(Count(bus_->Members(), "SetUnitProperties"), 1);
}

// A cgroupfs update that fails part way is rolled back (update.h), and the
// unit's properties are set back: the old values, and "infinity" for a
// limit the stored resources did not have.
TEST_F(SystemdManagerTest, AFailedCgroupfsUpdateSetsTheOldPropertiesBack) {
  auto m = Started();
  testing::WriteFile(Dir("/system.slice/berth-c1.scope/memory.max"), "33554432");
  // The fake's cgroup files are plain files; a missing one fails its write.
  ASSERT_EQ(unlink(Dir("/system.slice/berth-c1.scope/pids.max").c_str()), 0);
  spec::Resources before;
  before.memory.emplace().limit = 32 << 20;
  Status s = m->UpdateFrom(before, MemoryAndPids(64 << 20, 32));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("pids.max"));
  EXPECT_EQ(ReadFile(Dir("/system.slice/berth-c1.scope/memory.max")), "33554432");
  auto calls = bus_->Calls();
  std::vector<std::vector<Value>> sets;
  for (const auto& c : calls)
    if (c.member == "SetUnitProperties") sets.push_back(c.body);
  ASSERT_EQ(sets.size(), 2u);
  EXPECT_EQ(sets[0][2], Value::Array("(sv)", {Prop("MemoryMax", Value::Uint64(64 << 20)),
                                              Prop("TasksMax", Value::Uint64(32))}));
  EXPECT_EQ(sets[1],
            (std::vector<Value>{Value::String("berth-c1.scope"), Value::Bool(true),
                                Value::Array("(sv)", {Prop("MemoryMax", Value::Uint64(32 << 20)),
                                                      Prop("TasksMax", Value::Uint64(UINT64_MAX))})}));
  auto props = bus_->UnitProperties("berth-c1.scope");
  EXPECT_EQ(props["MemoryMax"], Value::Uint64(32 << 20));
}

TEST_F(SystemdManagerTest, AFailedUndoIsReportedWithTheUpdatesError) {
  auto m = Started();
  ASSERT_EQ(unlink(Dir("/system.slice/berth-c1.scope/pids.max").c_str()), 0);
  // The update's SetUnitProperties is answered; the undo's is refused.
  bus_->FailNext("SetUnitProperties", "org.freedesktop.DBus.Error.AccessDenied", "Access denied", /*skip=*/1);
  Status s = m->Update(MemoryAndPids(64 << 20, 32));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.error().ToString(), HasSubstr("pids.max"));
  EXPECT_THAT(s.error().ToString(),
              HasSubstr("(and setting the old unit properties back failed: set properties of "
                        "systemd unit berth-c1.scope"));
  EXPECT_THAT(s.error().ToString(), HasSubstr("Access denied"));
  EXPECT_EQ(Count(bus_->Members(), "SetUnitProperties"), 2);
}

// Nothing systemd has a property for: no bus traffic at all.
TEST_F(SystemdManagerTest, AnUpdateWithoutUnitPropertiesCallsNothingOnTheBus) {
  auto m = Started();
  const size_t calls_before = bus_->Calls().size();
  spec::Resources r;
  r.unified["memory.high"] = "1048576";
  Status s = m->Update(r);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(ReadFile(Dir("/system.slice/berth-c1.scope/memory.high")), "1048576");
  EXPECT_EQ(bus_->Calls().size(), calls_before);
}

// A manager loaded from the state dir picks the property set from the
// cgroupfs lines: a pure v2 state MemoryMax, a hybrid one MemoryLimit.
TEST_F(SystemdManagerTest, ALoadedManagerSendsTheLayoutsProperties) {
  (void)Started();
  testing::TempDir v1;
  testing::MakeV1Tree(v1.path(), {"memory", "pids"});
  ASSERT_TRUE(testing::DirectoryCgroupFs(v1.path()).MakeDirs("/memory/system.slice/berth-c1.scope").ok());
  ASSERT_TRUE(testing::DirectoryCgroupFs(v1.path()).MakeDirs("/pids/system.slice/berth-c1.scope").ok());
  const std::string v2_state =
      "systemd-unit berth-c1.scope\nv2-root " + tree_.path() + "\nv2 /system.slice/berth-c1.scope\n";
  const std::string hybrid_state =
      "systemd-unit berth-c1.scope\nv1-root " + v1.path() +
      "\nv1 memory /system.slice/berth-c1.scope\nv1 pids /system.slice/berth-c1.scope\nv2-root " +
      tree_.path() + "\nv2 /system.slice/berth-c1.scope\n";
  for (const auto& [state, memory] :
       {std::pair{v2_state, "MemoryMax"}, std::pair{hybrid_state, "MemoryLimit"}}) {
    auto loaded = LoadManagerOn(state, testing::MakeDirectoryCgroupFs, options_);
    ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
    Status s = (*loaded)->Update(MemoryAndPids(64 << 20, 32));
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    EXPECT_EQ(bus_->Calls().back().body[2], Value::Array("(sv)", {Prop(memory, Value::Uint64(64 << 20)),
                                                                  Prop("TasksMax", Value::Uint64(32))}))
        << memory;
  }
}

TEST(TransientUnitProperties, V1UsesBlockIOAccountingAndSlicesGetWants) {
  SystemdUnitConfig scope{"p-n.scope", "a-b.slice", "berth container n", false, {}};
  std::vector<std::string> names;
  for (const Value& p : TransientUnitProperties(scope, 7)) names.push_back(p.items[0].text);
  EXPECT_THAT(names,
              ElementsAre("Description", "Slice", "Delegate", "PIDs", "MemoryAccounting", "CPUAccounting",
                          "BlockIOAccounting", "TasksAccounting", "DefaultDependencies"));
  // The resource properties go last.
  scope.resources = {Value::Struct({Value::String("TasksMax"), Value::Variant(Value::Uint64(5))})};
  auto with_limits = TransientUnitProperties(scope, 7);
  ASSERT_EQ(with_limits.size(), names.size() + 1);
  EXPECT_EQ(with_limits.back().items[0].text, "TasksMax");
  SystemdUnitConfig slice{"a-b-pod.slice", "a-b.slice", "berth container pod", true, {}};
  auto props = TransientUnitProperties(slice, 7);
  names.clear();
  for (const Value& p : props) names.push_back(p.items[0].text);
  EXPECT_THAT(names, ElementsAre("Description", "Wants", "MemoryAccounting", "CPUAccounting", "IOAccounting",
                                 "TasksAccounting", "DefaultDependencies"));
  EXPECT_EQ(props[1].items[1], Value::Variant(Value::Array("s", {Value::String("a-b.slice")})));
}

TEST_F(SystemdManagerTest, ASliceUnitIsJoinedThroughCgroupfs) {
  auto m = New("system.slice:berth:system-pod1.slice");
  ASSERT_TRUE(m->Create().ok());
  Status s = m->AddProcess(77);
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(m->Path(), "/system.slice/system-pod1.slice");
  EXPECT_EQ(bus_->ActiveUnits(), std::set<std::string>{"system-pod1.slice"});
  EXPECT_EQ(bus_->UnitProperties("system-pod1.slice").count("PIDs"), 0u);
  EXPECT_EQ(ReadFile(Dir("/system.slice/system-pod1.slice/cgroup.procs")), "77");
}

TEST_F(SystemdManagerTest, SystemdErrorNamesTheUnitAndSystemdsMessage) {
  bus_->FailNext("StartTransientUnit", "org.freedesktop.DBus.Error.InvalidArgs",
                 "Unknown assignment: Delegate");
  auto m = New();
  ASSERT_TRUE(m->Create().ok());
  Status s = m->AddProcess(5);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EINVAL);
  EXPECT_EQ(
      s.error().message(),
      "start systemd unit berth-c1.scope: org.freedesktop.DBus.Error.InvalidArgs: Unknown assignment: Delegate");
  // Not started, so not ours to stop; the directories berth made go.
  ASSERT_TRUE(m->Destroy().ok());
  EXPECT_EQ(Count(bus_->Members(), "StopUnit"), 0);
  EXPECT_FALSE(testing::Exists(Dir("/system.slice/berth-c1.scope")));
}

TEST_F(SystemdManagerTest, AFailedLeftoverUnitIsResetAndTheStartRetried) {
  bus_->AddFailedUnit("berth-c1.scope");
  auto m = Started();
  auto members = bus_->Members();
  EXPECT_THAT(members, ElementsAre("Hello", "AddMatch", "Subscribe", "StartTransientUnit", "ResetFailedUnit",
                                   "StartTransientUnit"));
  EXPECT_EQ(bus_->ActiveUnits(), std::set<std::string>{"berth-c1.scope"});
}

TEST_F(SystemdManagerTest, SomeoneElsesActiveUnitIsLeftAlone) {
  auto first = Started(100);
  // Its cgroup holds a process: Create refuses, and Destroy touches nothing.
  auto second = New();
  Status s = second->Create();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EBUSY);
  ASSERT_TRUE(second->Destroy().ok());
  // Its cgroup is empty: systemd refuses the start, twice, and again Destroy touches nothing.
  testing::WriteFile(Dir("/system.slice/berth-c1.scope/cgroup.procs"), "");
  auto third = New();
  ASSERT_TRUE(third->Create().ok());
  Status added = third->AddProcess(200);
  ASSERT_FALSE(added.ok());
  EXPECT_EQ(added.error().code(), EEXIST);
  EXPECT_THAT(added.error().message(),
              HasSubstr("start systemd unit berth-c1.scope: "
                        "org.freedesktop.systemd1.UnitExists: Unit berth-c1.scope was already"));
  EXPECT_EQ(Count(bus_->Members(), "StartTransientUnit"), 3);
  ASSERT_TRUE(third->Destroy().ok());
  EXPECT_EQ(Count(bus_->Members(), "StopUnit"), 0);
  EXPECT_EQ(bus_->ActiveUnits(), std::set<std::string>{"berth-c1.scope"});
  EXPECT_TRUE(testing::Exists(Dir("/system.slice/berth-c1.scope")));
}

TEST_F(SystemdManagerTest, AFailedJobIsAnErrorAndTheUnitIsReset) {
  bus_->SetJobResult("failed");
  auto m = New();
  ASSERT_TRUE(m->Create().ok());
  Status s = m->AddProcess(9);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().message(),
            "start systemd unit berth-c1.scope: the job finished with result \"failed\"");
  EXPECT_EQ(bus_->Members().back(), "ResetFailedUnit");
}

TEST_F(SystemdManagerTest, JobRemovedBeforeTheReplyIsNotMissed) {
  bus_->JobSignalBeforeReply();
  Started();
  EXPECT_EQ(bus_->ActiveUnits(), std::set<std::string>{"berth-c1.scope"});
}

TEST_F(SystemdManagerTest, UnansweredStartTimesOut) {
  bus_->Hang("StartTransientUnit");
  options_.timeout = std::chrono::milliseconds(300);
  auto m = New();
  ASSERT_TRUE(m->Create().ok());
  auto begin = std::chrono::steady_clock::now();
  Status s = m->AddProcess(9);
  auto took = std::chrono::steady_clock::now() - begin;
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ETIMEDOUT);
  EXPECT_THAT(s.error().message(), HasSubstr("start systemd unit berth-c1.scope"));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(SystemdManagerTest, AJobThatNeverEndsTimesOut) {
  bus_->DropJobSignals();
  options_.timeout = std::chrono::milliseconds(300);
  auto m = New();
  ASSERT_TRUE(m->Create().ok());
  Status s = m->AddProcess(9);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ETIMEDOUT);
  EXPECT_EQ(s.error().message(), "timed out waiting for systemd to start berth-c1.scope");
  EXPECT_EQ(bus_->Members().back(), "ResetFailedUnit");
}

TEST_F(SystemdManagerTest, NoBusIsAnErrorAtCreate) {
  options_.bus_socket = dir_.path() + "/no-such-bus";
  auto m = New();
  Status s = m->Create();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ENOENT);
  EXPECT_THAT(s.error().message(), HasSubstr("connect to systemd over D-Bus (" + options_.bus_socket + ")"));
  ASSERT_TRUE(m->Destroy().ok());
  EXPECT_FALSE(testing::Exists(Dir("/system.slice/berth-c1.scope")));
}

TEST_F(SystemdManagerTest, ConnectionRefused) {
  options_.bus_socket = dir_.path() + "/refusing";
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, options_.bus_socket.data(), options_.bus_socket.size());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto m = New();
  Status s = m->Create();
  close(fd);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ECONNREFUSED);
}

TEST_F(SystemdManagerTest, DestroyStopsTheUnitOnce) {
  auto m = Started();
  ASSERT_TRUE(m->Destroy().ok());
  auto calls = bus_->Calls();
  ASSERT_EQ(Count(bus_->Members(), "StopUnit"), 1);
  auto stop = std::find_if(calls.begin(), calls.end(), [](const auto& c) { return c.member == "StopUnit"; });
  EXPECT_EQ(stop->body, (std::vector<Value>{Value::String("berth-c1.scope"), Value::String("replace")}));
  EXPECT_TRUE(bus_->ActiveUnits().empty());
  EXPECT_FALSE(testing::Exists(Dir("/system.slice/berth-c1.scope")));
  ASSERT_TRUE(m->Destroy().ok());
  EXPECT_EQ(Count(bus_->Members(), "StopUnit"), 1);
}

TEST_F(SystemdManagerTest, SerializeAndLoadRoundTrip) {
  auto m = Started(4242);
  std::string state = m->Serialize();
  EXPECT_EQ(state,
            "systemd-unit berth-c1.scope\nv2-root " + tree_.path() + "\nv2 /system.slice/berth-c1.scope\n");
  auto loaded = LoadManagerOn(state, testing::MakeDirectoryCgroupFs, options_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  EXPECT_EQ((*loaded)->Serialize(), state);
  EXPECT_EQ((*loaded)->Path(), "/system.slice/berth-c1.scope");
  // exec: a started unit only gains a process through cgroupfs.
  ASSERT_TRUE((*loaded)->AddProcess(99).ok());
  EXPECT_EQ(Count(bus_->Members(), "StartTransientUnit"), 1);
  EXPECT_EQ(ReadFile(Dir("/system.slice/berth-c1.scope/cgroup.procs")), "99");
  // delete
  ASSERT_TRUE((*loaded)->Destroy().ok());
  EXPECT_EQ(Count(bus_->Members(), "StopUnit"), 1);
  EXPECT_TRUE(bus_->ActiveUnits().empty());
  EXPECT_FALSE(testing::Exists(Dir("/system.slice/berth-c1.scope")));
}

TEST_F(SystemdManagerTest, LoadKeepsOldFormatsAndRefusesBadUnitLines) {
  auto plain =
      LoadManagerOn("v2-root " + tree_.path() + "\nv2 /berth/c1\n", testing::MakeDirectoryCgroupFs, options_);
  ASSERT_TRUE(plain.ok()) << plain.error().ToString();
  EXPECT_EQ((*plain)->Serialize(), "v2-root " + tree_.path() + "\nv2 /berth/c1\n");
  EXPECT_FALSE(LoadManagerOn("systemd-unit \nv2-root /x\nv2 /a\n", testing::MakeDirectoryCgroupFs).ok());
  EXPECT_FALSE(
      LoadManagerOn("systemd-unit a/b.scope\nv2-root /x\nv2 /a\n", testing::MakeDirectoryCgroupFs).ok());
  EXPECT_FALSE(LoadManagerOn("systemd-unit a.scope\n", testing::MakeDirectoryCgroupFs).ok());
  EXPECT_FALSE(LoadManagerOn("systemd-unit a.scope", testing::MakeDirectoryCgroupFs).ok());
}

TEST_F(SystemdManagerTest, AGoneUnitStopsCleanly) {
  auto loaded =
      LoadManagerOn("systemd-unit gone.scope\nv2-root " + tree_.path() + "\nv2 /system.slice/gone.scope\n",
                    testing::MakeDirectoryCgroupFs, options_);
  ASSERT_TRUE(loaded.ok()) << loaded.error().ToString();
  ASSERT_TRUE((*loaded)->Destroy().ok());
  EXPECT_EQ(Count(bus_->Members(), "StopUnit"), 1);
}

TEST_F(SystemdManagerTest, DestroyWithoutTheBusStillRemovesTheCgroup) {
  auto m = Started();
  // The unit is gone with its bus; the cgroup directory berth made remains.
  bus_.reset();
  testing::WriteFile(Dir("/system.slice/berth-c1.scope/cgroup.procs"), "");
  Status s = m->Destroy();
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_FALSE(testing::Exists(Dir("/system.slice/berth-c1.scope")));
}

TEST(CheckSystemdRunning, RuncsTest) {
  testing::TempDir dir;
  EXPECT_TRUE(CheckSystemdRunning(dir.path()).ok());
  Status missing = CheckSystemdRunning(dir.path() + "/system");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENOTSUP);
  EXPECT_EQ(missing.error().message(),
            "systemd not running on this host, cannot use systemd cgroups manager");
  testing::WriteFile(dir.path() + "/file", "");
  EXPECT_FALSE(CheckSystemdRunning(dir.path() + "/file").ok());
}

TEST(NewManager, RefusesTheSystemdDriverWithoutSystemd) {
  if (CheckSystemdRunning().ok()) GTEST_SKIP() << "this host runs systemd";
  CgroupSpec spec;
  spec.container_id = "c1";
  spec.systemd = true;
  auto m = NewManager(spec);
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.error().code(), ENOTSUP);
  EXPECT_EQ(m.error().message(), "systemd not running on this host, cannot use systemd cgroups manager");
}

}  // namespace
}  // namespace berth::cgroups
