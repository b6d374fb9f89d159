#include "runtime/container/state_dir.h"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "runtime/container/proc_stat.h"

namespace berth::container {
namespace {

std::string TempRoot() {
  char dir[] = "/tmp/berth-state-test-XXXXXX";
  if (!mkdtemp(dir)) return "";
  return std::string(dir) + "/root";
}

TEST(StateDirTest, ValidatesIds) {
  EXPECT_TRUE(ValidateContainerId("abc-1.2_3+x").ok());
  EXPECT_FALSE(ValidateContainerId("").ok());
  EXPECT_FALSE(ValidateContainerId(".").ok());
  EXPECT_FALSE(ValidateContainerId("..").ok());
  EXPECT_FALSE(ValidateContainerId("a/b").ok());
  EXPECT_FALSE(ValidateContainerId("a b").ok());
}

TEST(StateDirTest, CreateIsExclusiveAndOpenFindsIt) {
  std::string root = TempRoot();
  auto created = StateDir::Create(root, "c1");
  ASSERT_TRUE(created.ok()) << created.error().ToString();
  struct stat st;
  ASSERT_EQ(stat(root.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  auto again = StateDir::Create(root, "c1");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message().find("already exists"), std::string::npos);
  // Kinds callers branch on (delete --force treats only ENOENT as absence),
  // without strerror text in the message.
  EXPECT_EQ(again.error().code(), EEXIST);
  EXPECT_EQ(again.error().ToString(), "container with id \"c1\" already exists");
  EXPECT_TRUE(StateDir::Open(root, "c1").ok());
  auto missing = StateDir::Open(root, "nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message().find("does not exist"), std::string::npos);
  EXPECT_EQ(missing.error().code(), ENOENT);
  EXPECT_EQ(missing.error().ToString(), "container \"nope\" does not exist");
  auto ids = StateDir::ListIds(root);
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, std::vector<std::string>{"c1"});
  ASSERT_TRUE(created->Remove().ok());
  EXPECT_TRUE(created->Remove().ok());  // already gone is fine
  EXPECT_FALSE(StateDir::Open(root, "c1").ok());
}

TEST(StateDirTest, AtomicWriteReplacesAndLeavesNoTemp) {
  std::string root = TempRoot();
  auto dir = StateDir::Create(root, "c2");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(dir->Write("state.json", "one").ok());
  ASSERT_TRUE(dir->Write("state.json", "two", 0644).ok());
  EXPECT_EQ(dir->Read("state.json").value(), "two");
  struct stat st;
  ASSERT_EQ(stat(dir->File("state.json").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  auto ids = StateDir::ListIds(dir->path());  // no leftover temp *directories*; check files
  int entries = 0;
  for (const char* name : {"state.json"}) entries += dir->Exists(name);
  EXPECT_EQ(entries, 1);
  EXPECT_FALSE(dir->Exists("state.json.tmp-" + std::to_string(getpid())));
  ASSERT_TRUE(dir->Remove().ok());
}

TEST(StateDirTest, InitRecordRoundTrip) {
  InitRecord r{1234, 987654321, 1795827723000000001};
  auto parsed = ParseInitRecord(FormatInitRecord(r));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->pid, 1234);
  EXPECT_EQ(parsed->start_time, 987654321u);
  EXPECT_EQ(parsed->created_ns, 1795827723000000001);
  EXPECT_FALSE(ParseInitRecord("garbage").ok());
  EXPECT_FALSE(ParseInitRecord("0 1 2").ok());
}

TEST(StateDirTest, DeriveStatus) {
  EXPECT_EQ(DeriveStatus({.complete = false, .init_alive = true}), DerivedStatus::creating);
  EXPECT_EQ(DeriveStatus({.complete = false, .init_alive = false}), DerivedStatus::stopped);
  EXPECT_EQ(DeriveStatus({.complete = true, .init_alive = true, .fifo_present = true}),
            DerivedStatus::created);
  EXPECT_EQ(DeriveStatus({.complete = true, .init_alive = true}), DerivedStatus::running);
  EXPECT_EQ(DeriveStatus({.complete = true, .init_alive = true, .frozen = true}), DerivedStatus::paused);
  EXPECT_EQ(DeriveStatus({.complete = true, .init_alive = false, .fifo_present = true}),
            DerivedStatus::stopped);
}

TEST(ProcStatTest, ParsesCommWithSpacesAndParens) {
  std::string text =
      "42 (a) b) c) S 7 42 42 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 5555 1000 10 "
      "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n";
  auto stat = ParseProcStat(text);
  ASSERT_TRUE(stat.ok()) << stat.error().ToString();
  EXPECT_EQ(stat->state, 'S');
  EXPECT_EQ(stat->ppid, 7);
  EXPECT_EQ(stat->start_time, 5555u);
  EXPECT_FALSE(ParseProcStat("42 (x S 1").ok());
  EXPECT_FALSE(ParseProcStat("42 (x) S 1 2").ok());
}

TEST(ProcStatTest, PidReuseAndZombiesAreNotAlive) {
  auto self = ReadProcStat(getpid());
  ASSERT_TRUE(self.ok());
  EXPECT_TRUE(InitIsAlive(getpid(), self->start_time));
  // Same pid, different start time: a reused pid is not our init.
  EXPECT_FALSE(InitIsAlive(getpid(), self->start_time + 1));
  pid_t child = fork();
  if (child == 0) _exit(0);
  auto child_stat = ReadProcStat(child);
  ASSERT_TRUE(child_stat.ok());
  // Wait until it is a zombie, then it counts as stopped.
  for (int i = 0; i < 1000; ++i) {
    auto s = ReadProcStat(child);
    if (s.ok() && s->state == 'Z') break;
    usleep(1000);
  }
  EXPECT_FALSE(InitIsAlive(child, child_stat->start_time));
  waitpid(child, nullptr, 0);
  EXPECT_FALSE(InitIsAlive(child, child_stat->start_time));
}

}  // namespace
}  // namespace berth::container
