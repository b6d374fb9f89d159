#include "runtime/intelrdt/testing/directory_resctrl_fs.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <set>
#include <sstream>

#include "runtime/base/files.h"

namespace berth::intelrdt::testing {
namespace {

Status NewFile(const std::string& path, std::string_view content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Sys("create " + path);
  Status s = Ok();
  if (!content.empty() && write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size()))
    s = Error::Sys("write " + path);
  close(fd);
  return s;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// "L3" for "    L3CODE:0=f": the cache or resource a schemata line sets.
std::string ResourceOf(const std::string& line) {
  std::string r = line.substr(0, line.find(':'));
  while (!r.empty() && r.front() == ' ') r.erase(r.begin());
  while (!r.empty() && r.back() == ' ') r.pop_back();
  if (r == "L3CODE" || r == "L3DATA") return "L3";
  return r;
}

// The schemata file after the kernel applied `written` to `current`.
std::string ApplySchemata(const std::string& current, std::string_view written) {
  std::set<std::string> named;
  std::istringstream in{std::string(written)};
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) named.insert(ResourceOf(line));
  std::istringstream cur(current);
  std::string kept;
  while (std::getline(cur, line))
    if (!line.empty() && named.count(ResourceOf(line)) == 0) kept += line + "\n";
  return kept + std::string(written);
}

}  // namespace

Status DirectoryResctrlFs::MakeGroupDir(const std::string& root, const std::string& path,
                                        bool mon_group) const {
  if (mkdir(path.c_str(), 0755) != 0) return WithKernelReason(root, Error::Sys("mkdir " + path));
  Status made = NewFile(path + "/tasks", "");
  if (made && !mon_group) {
    auto schemata = base::ReadFileText(root + "/schemata");
    made = NewFile(path + "/schemata", schemata ? *schemata : "");
    if (made && IsDir(root + "/mon_groups") && mkdir((path + "/mon_groups").c_str(), 0755) != 0)
      made = Error::Sys("mkdir " + path + "/mon_groups");
  }
  if (!made) (void)RemoveGroupDir(path);
  return made;
}

Status DirectoryResctrlFs::RemoveGroupDir(const std::string& path) const {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Error(ec.value(), "remove " + path);
  return Ok();
}

Status DirectoryResctrlFs::WriteFile(const std::string& root, const std::string& path,
                                     std::string_view value) const {
  const std::string name = std::filesystem::path(path).filename();
  std::string content(value);
  int flags = O_WRONLY | O_CLOEXEC | O_TRUNC;
  if (name == "tasks") {
    flags = O_WRONLY | O_CLOEXEC | O_APPEND;
  } else if (name == "schemata") {
    auto current = base::ReadFileText(path);
    if (!current) return Error(current.error().code(), "open " + path);
    content = ApplySchemata(*current, value);
  }
  int fd = open(path.c_str(), flags);
  if (fd < 0) return Error::Sys("open " + path);
  ssize_t n;
  do {
    n = write(fd, content.data(), content.size());
  } while (n < 0 && errno == EINTR);
  Status s = Ok();
  if (n < 0) {
    s = Error::Sys("write " + path);
  } else if (static_cast<size_t>(n) != content.size()) {
    s = Error(EIO, "write " + path + ": short write");
  }
  close(fd);
  if (!s) return WithKernelReason(root, std::move(s).error());
  return s;
}

}  // namespace berth::intelrdt::testing
