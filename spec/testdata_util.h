// Test helper: reads files of spec/testdata from the test's runfiles.
#pragma once

#include <dirent.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace berth::spec::testing {

// Bazel runs tests from the workspace root inside the runfiles tree.
inline std::string TestdataPath(const std::string& name) { return "spec/testdata/" + name; }

inline std::string ReadTestdata(const std::string& name) {
  std::ifstream in(TestdataPath(name), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
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
