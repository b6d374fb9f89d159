#include "runtime/process/look_path.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

namespace berth::process {
namespace {

class LookPathTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-lookpath-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    Make("tool", 0755);
    Make("data", 0644);
  }
  void TearDown() override {
    unlink((dir_ + "/tool").c_str());
    unlink((dir_ + "/data").c_str());
    rmdir(dir_.c_str());
  }
  void Make(const std::string& name, mode_t mode) {
    std::ofstream(dir_ + "/" + name) << "#!/bin/sh\n";
    ASSERT_EQ(chmod((dir_ + "/" + name).c_str(), mode), 0);
  }
  std::string dir_;
};

TEST_F(LookPathTest, SearchesTheContainersPath) {
  auto found = LookPath("tool", {"PATH=/nonexistent:" + dir_});
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  EXPECT_EQ(*found, dir_ + "/tool");
}

TEST_F(LookPathTest, SkipsWhatIsNotExecutableAndReportsNotFound) {
  auto missing = LookPath("data", {"PATH=" + dir_});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENOENT);
  EXPECT_NE(missing.error().ToString().find("not found in $PATH"), std::string::npos);
}

TEST_F(LookPathTest, APathWithASlashIsTakenAsIs) {
  auto found = LookPath(dir_ + "/tool", {"PATH=/nonexistent"});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, dir_ + "/tool");
  EXPECT_FALSE(LookPath(dir_ + "/data", {}).ok());
}

TEST(LookPath, DefaultPathWithoutPathInEnv) {
  if (access("/bin/sh", X_OK) != 0) GTEST_SKIP() << "needs /bin/sh";
  auto found = LookPath("sh", {"HOME=/"});
  ASSERT_TRUE(found.ok()) << found.error().ToString();
  EXPECT_EQ((*found).substr((*found).size() - 3), "/sh");
}

}  // namespace
}  // namespace berth::process
