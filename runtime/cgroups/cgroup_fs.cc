#include "runtime/cgroups/cgroup_fs.h"

#include "runtime/base/files.h"
#include "runtime/base/unique_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/cgroups/device_filter.h"

namespace berth::cgroups {
namespace {

// Splits "/a/b/c" into {"a", "b", "c"}.
std::vector<std::string> Components(std::string_view cgroup) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < cgroup.size()) {
    size_t j = cgroup.find('/', i);
    if (j == std::string_view::npos) j = cgroup.size();
    if (j > i) out.emplace_back(cgroup.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// A cgroup's files go with it: rmdir of the deepest cgroups first.
Status RemoveTree(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Ok();
    return Error::Sys("opendir " + path);
  }
  std::vector<std::string> subdirs;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR) subdirs.push_back(path + "/" + name);
  }
  closedir(d);
  for (const auto& sub : subdirs) BERTH_TRY(RemoveTree(sub));
  // A cgroup whose last task just exited can report EBUSY for a short while.
  for (int attempt = 0;; ++attempt) {
    if (rmdir(path.c_str()) == 0 || errno == ENOENT) return Ok();
    if (errno != EBUSY || attempt >= 50) return Error::Sys("rmdir " + path);
    struct timespec ts = {0, 10L * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace

std::string CgroupFs::DirPath(std::string_view cgroup) const {
  std::string path = root_;
  for (const auto& c : Components(cgroup)) path += "/" + c;
  return path;
}

std::string CgroupFs::FilePath(std::string_view cgroup, std::string_view file) const {
  return DirPath(cgroup) + "/" + std::string(file);
}

Status CgroupFs::Write(std::string_view cgroup, std::string_view file, std::string_view value) const {
  std::string path = FilePath(cgroup, file);
  base::UniqueFd fd(open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (fd.get() < 0) return Error::Sys("open " + path);
  ssize_t n;
  do {
    n = write(fd.get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::Sys("write \"" + std::string(value) + "\" to " + path);
  if (static_cast<size_t>(n) != value.size())
    return Error(EIO, "short write of \"" + std::string(value) + "\" to " + path);
  return Ok();
}

Result<std::string> CgroupFs::Read(std::string_view cgroup, std::string_view file) const {
  std::string path = FilePath(cgroup, file);
  base::UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Error::Sys("open " + path);
  std::string out;
  if (Status read = base::ReadAll(fd.get(), out); !read) return Error(read.error().code(), "read " + path);
  return out;
}

bool CgroupFs::FileExists(std::string_view cgroup, std::string_view file) const {
  struct stat st;
  return stat(FilePath(cgroup, file).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

bool CgroupFs::IsV1Hierarchy(std::string_view cgroup) const {
  struct statfs st;
  return statfs(DirPath(cgroup).c_str(), &st) == 0 && st.f_type == CGROUP_SUPER_MAGIC;
}

bool CgroupFs::DirExists(std::string_view cgroup) const {
  struct stat st;
  return stat(DirPath(cgroup).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Result<std::vector<std::string>> CgroupFs::MakeDirs(std::string_view cgroup) const {
  // Leaf first: usually only the container's own directory is missing, so
  // this is one mkdir instead of one per path component.
  std::vector<std::string> comps = Components(cgroup);
  std::vector<std::string> prefixes;  // "/a", "/a/b", ...
  prefixes.reserve(comps.size());
  std::string rel;
  for (const auto& c : comps) prefixes.push_back(rel += "/" + c);
  if (prefixes.empty()) return std::vector<std::string>();
  // Walk up until a mkdir succeeds or meets an existing directory.
  size_t level = prefixes.size();
  bool made_level = false;
  while (level > 0) {
    const std::string path = DirPath(prefixes[level - 1]);
    if (mkdir(path.c_str(), 0755) == 0) {
      made_level = true;
      break;
    }
    if (errno == EEXIST) {
      if (!DirExists(prefixes[level - 1])) return Error(ENOTDIR, "mkdir " + path + ": not a directory");
      break;
    }
    if (errno != ENOENT) return Error::Sys("mkdir " + path);
    --level;
  }
  if (level == 0) return Error(ENOENT, "cgroup hierarchy root " + root_ + " does not exist");
  // prefixes[level - 1] exists; create the rest downwards.
  std::vector<std::string> created;
  if (made_level) created.push_back(prefixes[level - 1]);
  for (size_t i = level; i < prefixes.size(); ++i) {
    const std::string path = DirPath(prefixes[i]);
    if (mkdir(path.c_str(), 0755) != 0) {
      if (errno == EEXIST && DirExists(prefixes[i])) continue;  // raced with another creator
      return Error::Sys("mkdir " + path);
    }
    created.push_back(prefixes[i]);
  }
  return created;
}

Status CgroupFs::RemoveDir(std::string_view cgroup) const {
  if (Components(cgroup).empty()) return Error(EINVAL, "refusing to remove the hierarchy root " + root_);
  return RemoveTree(DirPath(cgroup));
}

Result<std::string> CgroupFs::ReadProcsInTree(std::string_view cgroup) const {
  std::string text = BERTH_TRY(Read(cgroup, "cgroup.procs"));
  std::string path = DirPath(cgroup);
  DIR* d = opendir(path.c_str());
  if (d == nullptr) return Error::Sys("opendir " + path);
  std::vector<std::string> children;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (e->d_type == DT_DIR && name != "." && name != "..") children.push_back(name);
  }
  closedir(d);
  for (const auto& child : children) {
    auto nested = ReadProcsInTree(std::string(cgroup) + "/" + child);
    // A child removed meanwhile holds no process.
    if (!nested) {
      if (nested.error().code() == ENOENT) continue;
      return std::move(nested).error();
    }
    if (!text.empty() && text.back() != '\n') text += '\n';
    text += *nested;
  }
  return text;
}

Status CgroupFs::AttachDeviceFilter(std::string_view cgroup, const std::vector<bpf_insn>& program) const {
  std::string path = DirPath(cgroup);
  base::UniqueFd dir(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) return Error::Sys("open " + path);
  BERTH_TRY_CTX(AttachDeviceProgram(dir.get(), program), "device filter for " + path);
  return Ok();
}

}  // namespace berth::cgroups
