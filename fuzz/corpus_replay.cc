// A gtest main that feeds every file of one fuzz corpus directory (argv[1],
// relative to the runfiles root) to the target's LLVMFuzzerTestOneInput, so
// each libFuzzer target's invariants and regression seeds are checked by every
// `bazel test` run (gcc, and ASan/UBSan under --config=asan), not only by
// tools/fuzz (clang + libFuzzer).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "gtest/gtest.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::string corpus_dir;

std::string ReadWhole(const std::string& path) {
  std::string text;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fd);
  return text;
}

TEST(CorpusReplay, EverySeedHoldsTheTargetsInvariants) {
  ASSERT_FALSE(corpus_dir.empty()) << "usage: <test> CORPUS_DIR";
  DIR* dir = opendir(corpus_dir.c_str());
  ASSERT_NE(dir, nullptr) << corpus_dir;
  std::vector<std::string> names;
  while (dirent* e = readdir(dir))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(dir);
  std::sort(names.begin(), names.end());
  // An empty or missing corpus would make this test pass vacuously.
  ASSERT_FALSE(names.empty()) << "no seeds in " << corpus_dir;
  for (const auto& name : names) {
    SCOPED_TRACE(corpus_dir + "/" + name);
    std::string input = ReadWhole(corpus_dir + "/" + name);
    EXPECT_EQ(LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size()), 0);
  }
}

}  // namespace

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc > 1) corpus_dir = argv[1];
  return RUN_ALL_TESTS();
}
