// Pure parts of the namespaces module: flags, map and offset formats, and
// the checks that run before any system call.
#include "runtime/namespaces/namespaces.h"

#include <gtest/gtest.h>
#include <sched.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>

namespace berth::ns {
namespace {

using spec::NamespaceType;

spec::Linux With(std::vector<spec::Namespace> namespaces) {
  spec::Linux l;
  l.namespaces = std::move(namespaces);
  return l;
}

TEST(CloneFlagsTest, EachTypeHasItsFlag) {
  EXPECT_EQ(CloneFlagOf(NamespaceType::pid), uint64_t{CLONE_NEWPID});
  EXPECT_EQ(CloneFlagOf(NamespaceType::network), uint64_t{CLONE_NEWNET});
  EXPECT_EQ(CloneFlagOf(NamespaceType::mount), uint64_t{CLONE_NEWNS});
  EXPECT_EQ(CloneFlagOf(NamespaceType::ipc), uint64_t{CLONE_NEWIPC});
  EXPECT_EQ(CloneFlagOf(NamespaceType::uts), uint64_t{CLONE_NEWUTS});
  EXPECT_EQ(CloneFlagOf(NamespaceType::user), uint64_t{CLONE_NEWUSER});
  EXPECT_EQ(CloneFlagOf(NamespaceType::cgroup), uint64_t{CLONE_NEWCGROUP});
  EXPECT_EQ(CloneFlagOf(NamespaceType::time), uint64_t{CLONE_NEWTIME});
}

TEST(CloneFlagsTest, OnlyNewNamespacesWithoutCgroupAndTime) {
  auto l = With({{NamespaceType::pid, ""},
                 {NamespaceType::network, "/proc/1/ns/net"},
                 {NamespaceType::mount, ""},
                 {NamespaceType::ipc, ""},
                 {NamespaceType::uts, ""},
                 {NamespaceType::user, ""},
                 {NamespaceType::cgroup, ""},
                 {NamespaceType::time, ""}});
  EXPECT_EQ(CloneFlags(l),
            uint64_t{CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWUSER});
  EXPECT_EQ(CloneFlags(With({})), 0u);
  EXPECT_EQ(CloneFlags(With({{NamespaceType::user, "/proc/1/ns/user"}})), 0u);
}

TEST(IdMapTest, Format) {
  EXPECT_EQ(FormatIdMap({}), "");
  EXPECT_EQ(FormatIdMap({{0, 1000, 1}, {1, 100000, 65536}}), "0 1000 1\n1 100000 65536\n");
}

TEST(IdMapTest, SetgroupsDenyOnlyWhenUnprivileged) {
  EXPECT_FALSE(SetgroupsDenyRequired(true));
  EXPECT_TRUE(SetgroupsDenyRequired(false));
}

TEST(IdMapTest, NewUserNamespaceNeedsMappings) {
  auto l = With({{NamespaceType::user, ""}});
  l.uidMappings = {{0, 1000, 1}};
  Status s = WriteIdMappings(1, l);  // fails before touching pid 1
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("gidMappings"), std::string::npos);
}

TEST(IdMapTest, NothingToDoWithoutNewUserNamespace) {
  EXPECT_TRUE(WriteIdMappings(1, With({{NamespaceType::pid, ""}})).ok());
  EXPECT_TRUE(WriteIdMappings(1, With({{NamespaceType::user, "/proc/1/ns/user"}})).ok());
}

TEST(TimeOffsetsTest, Format) {
  std::map<std::string, spec::TimeOffset> offsets;
  offsets["monotonic"] = {86400, 5};
  offsets["boottime"] = {-10, 0};
  EXPECT_EQ(*FormatTimeOffsets(offsets), "boottime -10 0\nmonotonic 86400 5\n");
  EXPECT_EQ(*FormatTimeOffsets({}), "");
}

TEST(TimeOffsetsTest, RejectsUnknownClockAndBadNanoseconds) {
  auto bad_clock = FormatTimeOffsets({{"realtime", {1, 0}}});
  ASSERT_FALSE(bad_clock.ok());
  EXPECT_NE(bad_clock.error().message().find("realtime"), std::string::npos);
  auto bad_ns = FormatTimeOffsets({{"monotonic", {1, 1000000000u}}});
  ASSERT_FALSE(bad_ns.ok());
  EXPECT_NE(bad_ns.error().message().find("nanosecs"), std::string::npos);
}

TEST(LateNamespacesTest, OffsetsWithoutTimeNamespaceAreAnError) {
  auto l = With({{NamespaceType::pid, ""}});
  l.timeOffsets["monotonic"] = {1, 0};
  Status s = UnshareLateNamespaces(l);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("time namespace"), std::string::npos);
}

TEST(LateNamespacesTest, NothingToDo) { EXPECT_TRUE(UnshareLateNamespaces(With({})).ok()); }

TEST(HostnameTest, RequiresUtsNamespace) {
  spec::Config c;
  c.hostname = "box";
  c.linux_ = With({{NamespaceType::pid, ""}});
  Status s = SetHostAndDomainName(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("hostname"), std::string::npos);
  c.hostname.clear();
  c.domainname = "example";
  s = SetHostAndDomainName(c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("domainname"), std::string::npos);
  c.domainname.clear();
  EXPECT_TRUE(SetHostAndDomainName(c).ok());
}

TEST(JoinTest, MissingPathNamesTypeAndPath) {
  Status s = JoinNamespaces(With({{NamespaceType::network, "/nonexistent/berth-ns"}}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("network"), std::string::npos);
  EXPECT_NE(s.error().message().find("/nonexistent/berth-ns"), std::string::npos);
  EXPECT_EQ(s.error().code(), ENOENT);
}

TEST(JoinTest, WrongNamespaceTypeIsRefused) {
  // Joining a uts namespace file as "ipc" must fail before anything changes.
  Status s = JoinNamespaces(With({{NamespaceType::ipc, "/proc/self/ns/uts"}}));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().message().find("ipc"), std::string::npos);
  EXPECT_NE(s.error().message().find("/proc/self/ns/uts"), std::string::npos);
}

TEST(StagedEntryTest, OnlyWhenCloneAndSetnsCannotDoIt) {
  auto ns = [](NamespaceType t, std::string path = "") { return spec::Namespace{t, std::move(path)}; };
  // Created only, or joined only without pid: clone3 + setns suffice.
  EXPECT_FALSE(
      NeedsStagedEntry(With({ns(NamespaceType::pid), ns(NamespaceType::mount), ns(NamespaceType::user)})));
  EXPECT_FALSE(
      NeedsStagedEntry(With({ns(NamespaceType::network, "/proc/1/ns/net"), ns(NamespaceType::mount)})));
  EXPECT_FALSE(NeedsStagedEntry(With({ns(NamespaceType::user, "/proc/1/ns/user")})));
  // setns(pid) only moves children.
  EXPECT_TRUE(NeedsStagedEntry(With({ns(NamespaceType::pid, "/proc/1/ns/pid")})));
  // New namespaces must be owned by the joined user namespace.
  EXPECT_TRUE(NeedsStagedEntry(With({ns(NamespaceType::user, "/proc/1/ns/user"), ns(NamespaceType::uts)})));
  // A new user namespace cannot setns into the host's others.
  EXPECT_TRUE(
      NeedsStagedEntry(With({ns(NamespaceType::user), ns(NamespaceType::network, "/proc/1/ns/net")})));
  // Late-unshared cgroup/time namespaces alone do not count as created by clone.
  EXPECT_FALSE(
      NeedsStagedEntry(With({ns(NamespaceType::user, "/proc/1/ns/user"), ns(NamespaceType::cgroup)})));
}

TEST(IdMapTest, SameIgnoresTheKernelsPadding) {
  EXPECT_TRUE(SameIdMap("         0     100000      65536\n", "0 100000 65536\n"));
  EXPECT_FALSE(SameIdMap("0 100000 65536\n", "0 100000 65535\n"));
  EXPECT_FALSE(SameIdMap("0 1 1\n1 2 1\n", "0 1 1\n"));
}

TEST(IdMapTest, JoinedUserNamespaceMapsAreCheckedAgainstProc) {
  char tmpl[] = "/tmp/berth-proc-XXXXXX";
  std::string proc = mkdtemp(tmpl);
  mkdir((proc + "/42").c_str(), 0755);
  FILE* f = fopen((proc + "/42/uid_map").c_str(), "w");
  fputs("         0     100000      65536\n", f);
  fclose(f);
  f = fopen((proc + "/42/gid_map").c_str(), "w");
  fputs("         0     200000      65536\n", f);
  fclose(f);
  spec::Linux l = With({{NamespaceType::user, "/proc/42/ns/user"}});
  l.uidMappings = {{0, 100000, 65536}};
  l.gidMappings = {{0, 200000, 65536}};
  EXPECT_TRUE(CheckJoinedUserNamespaceMaps(l, proc).ok());
  l.gidMappings = {{0, 100000, 65536}};
  auto wrong = CheckJoinedUserNamespaceMaps(l, proc);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.error().ToString().find("linux.gidMappings do not match"), std::string::npos)
      << wrong.error().ToString();
  // Without maps nothing is read; a path that is not /proc/PID is taken as given.
  EXPECT_TRUE(CheckJoinedUserNamespaceMaps(With({{NamespaceType::user, "/proc/43/ns/user"}}), proc).ok());
  l.namespaces = {{NamespaceType::user, "/run/netns-like/userns"}};
  EXPECT_TRUE(CheckJoinedUserNamespaceMaps(l, proc).ok());
  std::string cleanup = "rm -rf " + proc;
  ASSERT_EQ(system(cleanup.c_str()), 0);
}

}  // namespace
}  // namespace berth::ns
