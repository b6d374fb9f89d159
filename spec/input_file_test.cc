// The input-file reader against hostile files: none may hang or exhaust
// memory (each case runs under an alarm so a regression fails, not hangs).
#include "spec/input_file.h"

#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "gtest/gtest.h"
#include "spec/config_json.h"

namespace berth::spec {
namespace {

class InputFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/input-file-test-XXXXXX";
    dir_ = mkdtemp(tmpl);
    alarm(20);  // a reader that blocks (FIFO) or reads forever (/dev/zero) dies here
  }
  void TearDown() override {
    alarm(0);
    std::string cmd = "rm -rf " + dir_;
    if (system(cmd.c_str()) != 0) ADD_FAILURE() << "cannot remove " << dir_;
  }
  std::string Write(const std::string& name, const std::string& content) {
    std::string path = dir_ + "/" + name;
    std::ofstream(path) << content;
    return path;
  }
  std::string dir_;
};

TEST_F(InputFileTest, ReadsARegularFileAndOneBehindASymlink) {
  std::string real = Write("real.json", "{\"a\":1}");
  ASSERT_EQ(symlink(real.c_str(), (dir_ + "/link.json").c_str()), 0);
  EXPECT_EQ(*ReadInputFile(real), "{\"a\":1}");
  EXPECT_EQ(*ReadInputFile(dir_ + "/link.json"), "{\"a\":1}");
}

TEST_F(InputFileTest, ConfigSymlinkedToDevZeroIsRefusedNotRead) {
  std::string config = dir_ + "/config.json";
  ASSERT_EQ(symlink("/dev/zero", config.c_str()), 0);
  auto read = ReadConfigFile(config);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), EINVAL);
  EXPECT_NE(read.error().ToString().find("is a character device, not a regular file"), std::string::npos)
      << read.error().ToString();
}

TEST_F(InputFileTest, ConfigThatIsAFifoIsRefusedWithoutBlocking) {
  std::string config = dir_ + "/config.json";
  ASSERT_EQ(mkfifo(config.c_str(), 0600), 0);
  auto read = ReadConfigFile(config);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().ToString().find("is a FIFO, not a regular file"), std::string::npos)
      << read.error().ToString();
}

TEST_F(InputFileTest, DirectoryIsRefused) {
  auto read = ReadInputFile(dir_);
  ASSERT_FALSE(read.ok());
  EXPECT_NE(read.error().ToString().find("is a directory"), std::string::npos);
}

TEST_F(InputFileTest, FileAboveTheLimitIsRefusedWithItsSize) {
  std::string big = Write("big.json", std::string(4096, ' '));
  auto read = ReadInputFile(big, 1024);
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), EFBIG);
  EXPECT_NE(read.error().ToString().find("larger than the 1024 bytes limit (4096 bytes)"), std::string::npos)
      << read.error().ToString();
  EXPECT_EQ(ReadInputFile(big, 4096)->size(), 4096u);
}

TEST_F(InputFileTest, MissingFileNamesThePath) {
  auto read = ReadInputFile(dir_ + "/nope.json");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ENOENT);
  EXPECT_NE(read.error().ToString().find(dir_ + "/nope.json"), std::string::npos);
}

}  // namespace
}  // namespace berth::spec
