#include "runtime/rootfs/devices.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <map>
#include <string>
#include <string_view>

#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/resolve.h"

namespace berth::rootfs {
namespace {

struct PathParts {
  std::string parent;
  std::string name;
};

Result<PathParts> SplitLast(const std::string& path) {
  std::string clean = CleanPath(path);
  size_t slash = clean.rfind('/');
  std::string name = clean.substr(slash + 1);
  if (name.empty() || name == "..") return Error(EINVAL, "bad device path " + path);
  return PathParts{slash == 0 ? "/" : clean.substr(0, slash), name};
}

// What the image has at a device's path.
enum class Found { kNothing, kSameDevice, kOther };

// A conflict the config's own devices are refused for (config-linux.md
// "Devices"): the image's file is neither trusted nor silently replaced.
Error Conflict(const spec::Device& device, const struct stat& st, unsigned type) {
  if ((st.st_mode & S_IFMT) != type)
    return Error(EEXIST, device.path + " already exists and is not a device of type " + device.type);
  return Error(EEXIST, device.path + " already exists as device " + std::to_string(major(st.st_rdev)) + ":" +
                           std::to_string(minor(st.st_rdev)));
}

bool IsSameDevice(const struct stat& st, const spec::Device& device, unsigned type) {
  if ((st.st_mode & S_IFMT) != type) return false;
  return type == S_IFIFO || (major(st.st_rdev) == static_cast<unsigned>(device.major) &&
                             minor(st.st_rdev) == static_cast<unsigned>(device.minor));
}

Status BindHostDevice(int dir_fd, const std::string& name, const std::string& path) {
  int fd = openat(dir_fd, name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Error::Sys("create " + path);
  close(fd);
  int target = openat(dir_fd, name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (target < 0) return Error::Sys("open " + path);
  UniqueFd target_fd(target);
  auto tree = BERTH_TRY_CTX(CloneTree(AT_FDCWD, path, false), "bind host device");
  return MoveMount(tree.get(), target_fd.get());
}

// Parent directories already opened beneath the root, by path: the nodes
// of one call mostly share /dev, opened (and resolved) once.
using OpenDirs = std::map<std::string, UniqueFd>;

Status CreateOne(int root_fd, const spec::Device& device, DeviceSource source, OnConflict on_conflict,
                 OpenDirs& dirs) {
  unsigned type = BERTH_TRY(DeviceFileType(device.type));
  PathParts parts = BERTH_TRY(SplitLast(device.path));
  auto cached = dirs.find(parts.parent);
  if (cached == dirs.end()) {
    auto made = BERTH_TRY(CreateInRoot(root_fd, parts.parent, TargetKind::kDirectory));
    cached = dirs.emplace(parts.parent, std::move(made)).first;
  }
  const UniqueFd& dir = cached->second;
  struct stat st;
  Found found = Found::kNothing;
  if (fstatat(dir.get(), parts.name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0)
    found = IsSameDevice(st, device, type) ? Found::kSameDevice : Found::kOther;
  else if (errno != ENOENT)
    return Error::Sys("stat " + device.path);

  if (source == DeviceSource::kExistingOnly) {
    if (found == Found::kSameDevice) return Ok();
    return Error(EPERM, device.path +
                            " must be in the rootfs: in a user namespace without a mount namespace "
                            "it cannot be made (mknod is not permitted, and a bind of the host's "
                            "node would change the host's mount table)");
  }
  mode_t perm = device.fileMode.value_or(0666) & 07777;
  uid_t uid = device.uid.value_or(0);
  gid_t gid = device.gid.value_or(0);
  if (found == Found::kOther) {
    if (on_conflict == OnConflict::kRefuse) return Conflict(device, st, type);
    if (S_ISDIR(st.st_mode)) return Error(EEXIST, device.path + " is a directory in the rootfs");
  }
  // A default device the image already has as it would be made is kept: the
  // image's /dev may be on a read-only filesystem.
  if (found == Found::kSameDevice && on_conflict == OnConflict::kReplace && (st.st_mode & 07777) == perm &&
      st.st_uid == uid && st.st_gid == gid)
    return Ok();
  // Removed, not followed: a symlink here may point anywhere on the host.
  if (found != Found::kNothing && unlinkat(dir.get(), parts.name.c_str(), 0) != 0)
    return Error::Sys("remove " + device.path + " from the rootfs");
  if (source == DeviceSource::kBindHost) {
    // mknod is not allowed in a user namespace: bind the host's node.
    return BindHostDevice(dir.get(), parts.name, CleanPath(device.path));
  }
  dev_t dev =
      type == S_IFIFO ? 0 : makedev(static_cast<unsigned>(device.major), static_cast<unsigned>(device.minor));
  // The umask must not trim the mode the config asks for.
  mode_t old = umask(0);
  int rc = mknodat(dir.get(), parts.name.c_str(), type | perm, dev);
  int saved = errno;
  umask(old);
  if (rc != 0 && saved == EPERM && source == DeviceSource::kMknodOrBindHost)
    return BindHostDevice(dir.get(), parts.name, CleanPath(device.path));
  if (rc != 0) return Error(saved, "mknod " + device.path);
  if (fchownat(dir.get(), parts.name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) != 0)
    return Error::Sys("chown " + device.path);
  return Ok();
}

}  // namespace

std::vector<spec::Device> DefaultDevices() {
  auto dev = [](const char* path, int64_t major, int64_t minor) {
    spec::Device d;
    d.type = "c";
    d.path = path;
    d.major = major;
    d.minor = minor;
    d.fileMode = 0666;
    d.uid = 0;
    d.gid = 0;
    return d;
  };
  return {dev("/dev/null", 1, 3),   dev("/dev/zero", 1, 5),    dev("/dev/full", 1, 7),
          dev("/dev/random", 1, 8), dev("/dev/urandom", 1, 9), dev("/dev/tty", 5, 0)};
}

Result<unsigned> DeviceFileType(const std::string& type) {
  if (type == "c" || type == "u") return unsigned{S_IFCHR};
  if (type == "b") return unsigned{S_IFBLK};
  if (type == "p") return unsigned{S_IFIFO};
  return Error(EINVAL, "unknown device type \"" + type + "\"");
}

Status CreateDevices(int root_fd, const std::vector<spec::Device>& devices, DeviceSource source,
                     OnConflict on_conflict) {
  OpenDirs dirs;
  for (const auto& device : devices)
    BERTH_TRY_CTX(CreateOne(root_fd, device, source, on_conflict, dirs), "device " + device.path);
  return Ok();
}

Status CreateDevSymlinks(int root_fd, bool proc_mounted) {
  auto dev = BERTH_TRY(CreateInRoot(root_fd, "/dev", TargetKind::kDirectory));
  if (proc_mounted) {
    static constexpr std::pair<const char*, const char*> kLinks[] = {
        {"fd", "/proc/self/fd"},
        {"stdin", "/proc/self/fd/0"},
        {"stdout", "/proc/self/fd/1"},
        {"stderr", "/proc/self/fd/2"},
    };
    for (const auto& [name, target] : kLinks) {
      if (symlinkat(target, dev.get(), name) != 0 && errno != EEXIST)
        return Error::Sys(std::string("symlink /dev/") + name);
    }
  }
  // /dev/ptmx must be the container's devpts multiplexer (config-linux.md
  // "Default Devices"), never the image's node or a link to the host's: a
  // symlink into pts/, dangling until a devpts is mounted there.
  char target[16];
  ssize_t n = readlinkat(dev.get(), "ptmx", target, sizeof target);
  if (n == 8 && std::string_view(target, 8) == "pts/ptmx") return Ok();
  if (unlinkat(dev.get(), "ptmx", 0) != 0 && errno != ENOENT) return Error::Sys("remove /dev/ptmx");
  if (symlinkat("pts/ptmx", dev.get(), "ptmx") != 0) return Error::Sys("symlink /dev/ptmx");
  return Ok();
}

}  // namespace berth::rootfs
