#include "runtime/base/files.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace berth::base {
namespace {

TEST(ReadFileText, ReadsAllOfALargeFile) {
  char path[] = "/tmp/berth-files-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  std::string content(100000, 'x');
  content += "end";
  ASSERT_EQ(write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  close(fd);
  auto read = ReadFileText(path);
  unlink(path);
  ASSERT_TRUE(read.ok()) << read.error().ToString();
  EXPECT_EQ(*read, content);
}

TEST(ReadFileText, MissingFileNamesThePathAndErrno) {
  auto read = ReadFileText("/nonexistent/berth-file");
  ASSERT_FALSE(read.ok());
  EXPECT_EQ(read.error().code(), ENOENT);
  EXPECT_NE(read.error().ToString().find("/nonexistent/berth-file"), std::string::npos);
}

TEST(ReadAll, ReadErrorIsReported) {
  int fd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);  // read(2) on a directory: EISDIR
  ASSERT_GE(fd, 0);
  std::string out;
  Status s = ReadAll(fd, out);
  close(fd);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EISDIR);
}

TEST(WriteKernelFile, WritesAnExistingFileAndCreatesNone) {
  char path[] = "/tmp/berth-write-XXXXXX";
  int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  close(fd);
  Status written = WriteKernelFile(path, "0 1000 1\n");
  auto read = ReadFileText(path);
  unlink(path);
  ASSERT_TRUE(written.ok()) << written.error().ToString();
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(*read, "0 1000 1\n");

  Status missing = WriteKernelFile(path, "x");  // unlinked above: not created again
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code(), ENOENT);
  EXPECT_NE(missing.error().ToString().find(path), std::string::npos);
  EXPECT_NE(access(path, F_OK), 0);
}

TEST(WriteKernelFile, ARefusedWriteKeepsItsErrno) {
  // /proc/self/uid_map of the initial namespace is already written: EPERM.
  Status s = WriteKernelFile("/proc/self/uid_map", "0 0 1\n");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EPERM) << s.error().ToString();
  EXPECT_NE(s.error().ToString().find("write /proc/self/uid_map"), std::string::npos) << s.error().ToString();
}

}  // namespace
}  // namespace berth::base
