// extract_requirements SPEC_DIR: prints the requirement registry (TSV) of the
// spec documents the conformance suite covers.
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <string>

#include "conformance/registry/extract.h"

namespace {

bool ReadWhole(const std::string& path, std::string* out) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out->append(buf, static_cast<size_t>(n));
  close(fd);
  return n == 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: extract_requirements SPEC_DIR\n");
    return 2;
  }
  std::vector<berth::conformance::Requirement> all;
  for (const char* doc :
       {"runtime.md", "runtime-linux.md", "config.md", "config-linux.md", "features.md", "bundle.md"}) {
    std::string text;
    if (!ReadWhole(std::string(argv[1]) + "/" + doc, &text)) {
      std::perror(doc);
      return 1;
    }
    auto reqs = berth::conformance::ExtractRequirements(doc, text);
    all.insert(all.end(), reqs.begin(), reqs.end());
  }
  std::fputs(berth::conformance::RegistryToTsv(all).c_str(), stdout);
  return 0;
}
