#include "runtime/container/state_dir.h"

#include "runtime/base/files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <sstream>

namespace berth::container {
namespace {

Status MkdirAll(const std::string& path, mode_t mode) {
  if (mkdir(path.c_str(), mode) == 0 || errno == EEXIST) return Ok();
  if (errno != ENOENT) return Error::Sys("mkdir " + path);
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return Error::Sys("mkdir " + path);
  BERTH_TRY(MkdirAll(path.substr(0, slash), 0700));
  if (mkdir(path.c_str(), mode) != 0 && errno != EEXIST) return Error::Sys("mkdir " + path);
  return Ok();
}

}  // namespace

Status ValidateContainerId(std::string_view id) {
  if (id.empty()) return Error(EINVAL, "container id cannot be empty");
  if (id == "." || id == "..") return Error(EINVAL, "invalid container id \"" + std::string(id) + "\"");
  for (unsigned char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
              c == '+' || c == '-' || c == '.';
    if (!ok) return Error(EINVAL, "invalid container id format: " + std::string(id));
  }
  if (id.size() > 1024) return Error(EINVAL, "container id too long");
  return Ok();
}

Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode) {
  std::string tmp = path + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
  if (fd < 0) return Error::Sys("create " + tmp);
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Error e = Error::Sys("write " + tmp);
      close(fd);
      unlink(tmp.c_str());
      return e;
    }
    done += n;
  }
  if (fchmod(fd, mode) != 0 || close(fd) != 0) {
    Error e = Error::Sys("write " + tmp);
    unlink(tmp.c_str());
    return e;
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    Error e = Error::Sys("rename " + tmp + " to " + path);
    unlink(tmp.c_str());
    return e;
  }
  return Ok();
}

std::string FormatInitRecord(const InitRecord& record) {
  return std::to_string(record.pid) + " " + std::to_string(record.start_time) + " " +
         std::to_string(record.created_ns) + "\n";
}

Result<InitRecord> ParseInitRecord(std::string_view text) {
  InitRecord record;
  std::istringstream in{std::string(text)};
  if (!(in >> record.pid >> record.start_time >> record.created_ns) || record.pid <= 0)
    return Error(EINVAL, "malformed init record");
  return record;
}

DerivedStatus DeriveStatus(const StatusFacts& facts) {
  if (!facts.init_alive) return DerivedStatus::stopped;
  if (!facts.complete) return DerivedStatus::creating;
  if (facts.fifo_present) return DerivedStatus::created;
  if (facts.frozen) return DerivedStatus::paused;
  return DerivedStatus::running;
}

Result<StateDir> StateDir::Create(const std::string& root, std::string_view id) {
  BERTH_TRY(ValidateContainerId(id));
  BERTH_TRY(MkdirAll(root, 0700));
  std::string path = root + "/" + std::string(id);
  if (mkdir(path.c_str(), 0711) != 0) {
    if (errno == EEXIST)
      return Error::Kind(EEXIST, "container with id \"" + std::string(id) + "\" already exists");
    return Error::Sys("mkdir " + path);
  }
  return StateDir(path, std::string(id));
}

Result<StateDir> StateDir::Open(const std::string& root, std::string_view id) {
  BERTH_TRY(ValidateContainerId(id));
  std::string path = root + "/" + std::string(id);
  struct stat st;
  const bool present = lstat(path.c_str(), &st) == 0;
  if (!present && errno != ENOENT && errno != ENOTDIR) return Error::Sys("stat " + path);
  if (!present || !S_ISDIR(st.st_mode))
    return Error::Kind(ENOENT, "container \"" + std::string(id) + "\" does not exist");
  return StateDir(path, std::string(id));
}

Result<std::vector<std::string>> StateDir::ListIds(const std::string& root) {
  std::vector<std::string> ids;
  DIR* dir = opendir(root.c_str());
  if (!dir) {
    if (errno == ENOENT) return ids;
    return Error::Sys("open " + root);
  }
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == ".." || entry->d_type != DT_DIR) continue;
    if (ValidateContainerId(name)) ids.push_back(name);
  }
  closedir(dir);
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool StateDir::Exists(std::string_view name) const {
  struct stat st;
  return lstat(File(name).c_str(), &st) == 0;
}

Status StateDir::Write(std::string_view name, std::string_view content, mode_t mode) const {
  return WriteFileAtomic(File(name), content, mode);
}

Result<std::string> StateDir::Read(std::string_view name) const { return base::ReadFileText(File(name)); }

Status StateDir::Remove() const {
  DIR* dir = opendir(path_.c_str());
  if (!dir) {
    if (errno == ENOENT) return Ok();
    return Error::Sys("open " + path_);
  }
  while (struct dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (unlinkat(dirfd(dir), name.c_str(), 0) != 0 && errno != ENOENT) {
      Error e = Error::Sys("remove " + File(name));
      closedir(dir);
      return e;
    }
  }
  closedir(dir);
  if (rmdir(path_.c_str()) != 0 && errno != ENOENT) return Error::Sys("remove " + path_);
  return Ok();
}

}  // namespace berth::container
