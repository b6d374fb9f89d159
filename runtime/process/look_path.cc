#include "runtime/process/look_path.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

namespace berth::process {

Result<std::string> LookPath(const std::string& file, const std::vector<std::string>& env) {
  auto executable = [](const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(p.c_str(), X_OK) == 0;
  };
  if (file.find('/') != std::string::npos) {
    if (executable(file)) return file;
    return Error(errno ? errno : EACCES, "exec: \"" + file + "\"");
  }
  std::string path = kDefaultPath;
  for (const auto& e : env)
    if (e.starts_with("PATH=")) path = e.substr(5);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    // An empty entry means the cwd. (Written without assigning "." to an
    // empty string: gcc 12 reports a false -Wrestrict there.)
    std::string dir = end > start ? path.substr(start, end - start) : std::string(".");
    std::string candidate = dir + "/" + file;
    if (executable(candidate)) return candidate;
    start = end + 1;
  }
  return Error(ENOENT, "exec: \"" + file + "\": executable file not found in $PATH");
}

}  // namespace berth::process
