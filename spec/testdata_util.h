// Test helper: reads files of spec/testdata from the test's runfiles.
#pragma once

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace berth::spec::testing {

// Bazel runs tests from the workspace root inside the runfiles tree.
inline std::string TestdataPath(const std::string& name) { return "spec/testdata/" + name; }

// The whole file ("" if it cannot be read).
inline std::string ReadTestdata(const std::string& name) {
  std::string text;
  int fd = open(TestdataPath(name).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return text;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  close(fd);
  return text;
}

// Sorted file names in spec/testdata/<dir> (empty if the directory is missing).
inline std::vector<std::string> ListTestdata(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(TestdataPath(dir).c_str());
  if (!d) return names;
  while (dirent* e = readdir(d))
    if (e->d_name[0] != '.') names.push_back(e->d_name);
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace berth::spec::testing
