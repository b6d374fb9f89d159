#include "runtime/rootfs/copy_tree.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runtime/base/unique_fd.h"

namespace berth::rootfs {

using base::UniqueFd;
namespace {

namespace fs = std::filesystem;

std::string Read(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CopyTreeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-copy-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    base_ = tmpl;
    fs::create_directories(base_ / "src/sub/deeper");
    fs::create_directories(base_ / "dst");
    std::ofstream(base_ / "src/file") << "contents";
    std::ofstream(base_ / "src/sub/deeper/x") << std::string(200000, 'x');
    fs::create_symlink("/etc/passwd", base_ / "src/abs-link");
    fs::create_symlink("../file", base_ / "src/sub/rel-link");
    ASSERT_EQ(mkfifo((base_ / "src/fifo").c_str(), 0640), 0);
    ASSERT_EQ(chmod((base_ / "src/file").c_str(), 0751), 0);
    ASSERT_EQ(chmod((base_ / "src").c_str(), 01777), 0);
  }
  void TearDown() override { fs::remove_all(base_); }

  Status Copy() {
    int s = open((base_ / "src").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    int d = open((base_ / "dst").c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    UniqueFd src(s), dst(d);
    if (s < 0 || d < 0) return Error::Sys("open");
    return CopyTree(src.get(), dst.get());
  }

  fs::path base_;
};

TEST_F(CopyTreeTest, CopiesEveryKindKeepingModes) {
  Status s = Copy();
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  EXPECT_EQ(Read(base_ / "dst/file"), "contents");
  EXPECT_EQ(Read(base_ / "dst/sub/deeper/x").size(), 200000u);
  EXPECT_EQ(fs::read_symlink(base_ / "dst/abs-link"), "/etc/passwd");
  EXPECT_EQ(fs::read_symlink(base_ / "dst/sub/rel-link"), "../file");
  struct stat st;
  ASSERT_EQ(lstat((base_ / "dst/fifo").c_str(), &st), 0);
  EXPECT_TRUE(S_ISFIFO(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(stat((base_ / "dst/file").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0751u);
  ASSERT_EQ(stat((base_ / "dst").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 01777u);
  struct stat a, b;
  ASSERT_EQ(stat((base_ / "src/file").c_str(), &a), 0);
  ASSERT_EQ(stat((base_ / "dst/file").c_str(), &b), 0);
  EXPECT_EQ(a.st_mtim.tv_sec, b.st_mtim.tv_sec);
  EXPECT_EQ(a.st_mtim.tv_nsec, b.st_mtim.tv_nsec);
}

TEST_F(CopyTreeTest, ExistingEntryIsAnError) {
  std::ofstream(base_ / "dst/file") << "already";
  Status s = Copy();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EEXIST);
  EXPECT_EQ(Read(base_ / "dst/file"), "already");
}

}  // namespace
}  // namespace berth::rootfs
