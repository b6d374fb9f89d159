#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "runtime/process/seccomp.h"
#include "runtime/process/seccomp_internal.h"
#include "runtime/process/testing/docker_like_profile.h"

namespace berth::process {
namespace {

namespace fs = std::filesystem;

bool SameProgram(const SeccompFilter& a, const SeccompFilter& b) {
  return a.flags == b.flags && a.uses_notify == b.uses_notify && a.program.size() == b.program.size() &&
         std::memcmp(a.program.data(), b.program.data(), a.program.size() * sizeof(sock_filter)) == 0;
}

spec::Seccomp DenyMkdir() {
  spec::Seccomp p;
  p.defaultAction = "SCMP_ACT_ALLOW";
  spec::SeccompSyscall s;
  s.names = {"mkdir", "mkdirat"};
  s.action = "SCMP_ACT_ERRNO";
  p.syscalls = {s};
  return p;
}

spec::Seccomp AllowAllButLog() {
  spec::Seccomp p;
  p.defaultAction = "SCMP_ACT_ALLOW";
  spec::SeccompSyscall s;
  s.names = {"getppid"};
  s.action = "SCMP_ACT_LOG";
  p.syscalls = {s};
  return p;
}

class SeccompCache : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-seccomp-cache-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    dir_ = (base_ / "cache").string();
  }
  void TearDown() override { fs::remove_all(base_); }

  void Plant(const spec::Seccomp& for_profile, const SeccompFilter& program) {
    std::string key = SeccompCacheKey(for_profile);
    std::ofstream(SeccompCachePath(dir_, key), std::ios::binary) << EncodeSeccompCacheEntry(key, program);
    chmod(SeccompCachePath(dir_, key).c_str(), 0600);
  }

  fs::path base_;
  std::string dir_;
};

TEST_F(SeccompCache, MissCompilesAndStoresThenHitLoadsTheSameProgram) {
  const spec::Seccomp profile = berth::testing::DockerLikeProfile();
  auto direct = CompileSeccomp(profile);
  ASSERT_TRUE(direct.ok()) << direct.error().ToString();
  auto first = CompileSeccompCached(profile, dir_);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(SameProgram(*first, *direct));
  const std::string path = SeccompCachePath(dir_, SeccompCacheKey(profile));
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0) << "cache entry not written";
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  struct stat dir_st;
  ASSERT_EQ(stat(dir_.c_str(), &dir_st), 0);
  EXPECT_EQ(dir_st.st_mode & 0777, 0700u);
  auto second = CompileSeccompCached(profile, dir_);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(SameProgram(*second, *direct));
  // No temporary files left behind.
  int files = 0;
  for (const auto& e : fs::directory_iterator(dir_)) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST_F(SeccompCache, AHitReallyComesFromTheFile) {
  ASSERT_TRUE(CompileSeccompCached(DenyMkdir(), dir_).ok());  // creates the dir
  auto other = CompileSeccomp(AllowAllButLog());
  ASSERT_TRUE(other.ok());
  Plant(DenyMkdir(), *other);
  auto loaded = CompileSeccompCached(DenyMkdir(), dir_);
  ASSERT_TRUE(loaded.ok());
  EXPECT_TRUE(SameProgram(*loaded, *other));
}

TEST_F(SeccompCache, EntryForAnotherKeyIsNotUsed) {
  ASSERT_TRUE(CompileSeccompCached(DenyMkdir(), dir_).ok());
  auto other = CompileSeccomp(AllowAllButLog());
  ASSERT_TRUE(other.ok());
  // A file at DenyMkdir's path whose embedded key is another profile's: as
  // if two keys hashed alike.
  const std::string other_key = SeccompCacheKey(AllowAllButLog());
  std::ofstream(SeccompCachePath(dir_, SeccompCacheKey(DenyMkdir())), std::ios::binary)
      << EncodeSeccompCacheEntry(other_key, *other);
  auto got = CompileSeccompCached(DenyMkdir(), dir_);
  auto direct = CompileSeccomp(DenyMkdir());
  ASSERT_TRUE(got.ok() && direct.ok());
  EXPECT_TRUE(SameProgram(*got, *direct));
}

TEST_F(SeccompCache, CorruptEntryIsRecompiledAndReplaced) {
  ASSERT_TRUE(CompileSeccompCached(DenyMkdir(), dir_).ok());
  const std::string path = SeccompCachePath(dir_, SeccompCacheKey(DenyMkdir()));
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(-12, std::ios::end);
    f.put('\x7f');
  }
  auto got = CompileSeccompCached(DenyMkdir(), dir_);
  auto direct = CompileSeccomp(DenyMkdir());
  ASSERT_TRUE(got.ok() && direct.ok());
  EXPECT_TRUE(SameProgram(*got, *direct));
  auto again = CompileSeccompCached(DenyMkdir(), dir_);  // now from the rewritten entry
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(SameProgram(*again, *direct));
}

TEST_F(SeccompCache, WorldWritableDirectoryOrForeignFileIsIgnored) {
  ASSERT_TRUE(CompileSeccompCached(DenyMkdir(), dir_).ok());
  auto other = CompileSeccomp(AllowAllButLog());
  ASSERT_TRUE(other.ok());
  Plant(DenyMkdir(), *other);
  auto direct = CompileSeccomp(DenyMkdir());
  ASSERT_TRUE(direct.ok());

  ASSERT_EQ(chmod(dir_.c_str(), 0777), 0);
  auto got = CompileSeccompCached(DenyMkdir(), dir_);
  ASSERT_TRUE(got.ok());
  EXPECT_TRUE(SameProgram(*got, *direct)) << "planted entry used from a world-writable dir";
  ASSERT_EQ(chmod(dir_.c_str(), 0700), 0);

  if (geteuid() == 0) {
    const std::string path = SeccompCachePath(dir_, SeccompCacheKey(DenyMkdir()));
    ASSERT_EQ(chown(path.c_str(), 4321, 4321), 0);
    got = CompileSeccompCached(DenyMkdir(), dir_);
    ASSERT_TRUE(got.ok());
    EXPECT_TRUE(SameProgram(*got, *direct)) << "entry owned by another user was used";
  }
}

TEST_F(SeccompCache, CompileErrorsAreReturnedAndNothingIsStored) {
  spec::Seccomp bad;
  bad.defaultAction = "SCMP_ACT_SOMETIMES";
  auto got = CompileSeccompCached(bad, dir_);
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.error().message().find("SCMP_ACT_SOMETIMES"), std::string::npos);
}

TEST(SeccompCacheKey, EveryFieldMatters) {
  spec::Seccomp base = DenyMkdir();
  const std::string key = SeccompCacheKey(base);
  auto differs = [&](auto edit) {
    spec::Seccomp p = base;
    edit(p);
    return SeccompCacheKey(p) != key;
  };
  EXPECT_TRUE(differs([](spec::Seccomp& p) { p.defaultAction = "SCMP_ACT_LOG"; }));
  EXPECT_TRUE(differs([](spec::Seccomp& p) { p.defaultErrnoRet = 1; }));
  EXPECT_TRUE(differs([](spec::Seccomp& p) { p.architectures = {"SCMP_ARCH_X86"}; }));
  EXPECT_TRUE(differs([](spec::Seccomp& p) { p.flags = {"SECCOMP_FILTER_FLAG_LOG"}; }));
  EXPECT_TRUE(differs([](spec::Seccomp& p) { p.syscalls[0].names = {"mkdirat", "mkdir"}; }));
  EXPECT_TRUE(differs([](spec::Seccomp& p) { p.syscalls[0].errnoRet = 1; }));
  EXPECT_TRUE(differs([](spec::Seccomp& p) {
    p.syscalls[0].args = {spec::SeccompArg{0, 1, 0, "SCMP_CMP_EQ"}};
  }));
  // Length-prefixed fields: moving a boundary changes the key.
  EXPECT_TRUE(differs([](spec::Seccomp& p) { p.syscalls[0].names = {"mkdirmkdirat"}; }));
  EXPECT_FALSE(differs([](spec::Seccomp& p) { p.listenerMetadata = "not compiled in"; }));
}

}  // namespace
}  // namespace berth::process
