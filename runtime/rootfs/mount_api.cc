#include "runtime/rootfs/mount_api.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace berth::rootfs {
namespace {

// The kernel's own explanation of an fsconfig failure ("e tmpfs: Bad value
// for 'size'"), read from the fs context; empty when there is none.
std::string ContextMessage(int fs_fd) {
  char buf[512];
  std::string msg;
  for (;;) {
    ssize_t n = read(fs_fd, buf, sizeof(buf) - 1);
    if (n <= 0) break;
    if (!msg.empty()) msg += "; ";
    std::string_view line(buf, static_cast<size_t>(n));
    if (line.size() > 2 && line[1] == ' ') line.remove_prefix(2);  // "e " prefix
    while (!line.empty() && line.back() == '\n') line.remove_suffix(1);
    msg += line;
  }
  return msg;
}

Error FsError(int fs_fd, std::string what) {
  int saved = errno;
  std::string msg = ContextMessage(fs_fd);
  if (!msg.empty()) what += " (" + msg + ")";
  return Error(saved, std::move(what));
}

constexpr uint64_t kFsmountAttrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                   MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |
                                   MOUNT_ATTR_NOSYMFOLLOW;

}  // namespace

Status ConfigureFilesystem(int fs_fd, std::string_view what, const std::vector<std::string>& sb_flags,
                           const std::vector<std::string>& data) {
  const std::string t(what);
  for (const auto& flag : sb_flags) {
    if (fsconfig(fs_fd, FSCONFIG_SET_FLAG, flag.c_str(), nullptr, 0) != 0)
      return FsError(fs_fd, t + ": option " + flag);
  }
  for (const auto& item : data) {
    // key="value": one option whose value may hold commas (SELinux labels).
    size_t quote = item.find("=\"");
    if (quote != std::string::npos && item.size() >= quote + 3 && item.back() == '"') {
      std::string key = item.substr(0, quote);
      std::string value = item.substr(quote + 2, item.size() - quote - 3);
      if (fsconfig(fs_fd, FSCONFIG_SET_STRING, key.c_str(), value.c_str(), 0) != 0)
        return FsError(fs_fd, t + ": option " + item);
      continue;
    }
    // One option string may carry several comma-separated options, as mount(2) data.
    size_t i = 0;
    while (i <= item.size()) {
      size_t j = item.find(',', i);
      if (j == std::string::npos) j = item.size();
      std::string_view one(item.data() + i, j - i);
      i = j + 1;
      if (one.empty()) continue;
      DataOption opt = SplitDataOption(one);
      int rc = opt.has_value ? fsconfig(fs_fd, FSCONFIG_SET_STRING, opt.key.c_str(), opt.value.c_str(), 0)
                             : fsconfig(fs_fd, FSCONFIG_SET_FLAG, opt.key.c_str(), nullptr, 0);
      if (rc != 0) return FsError(fs_fd, t + ": option " + std::string(one));
    }
  }
  return Ok();
}

Result<UniqueFd> NewFilesystem(std::string_view type, std::string_view source,
                               const std::vector<std::string>& sb_flags, const std::vector<std::string>& data,
                               uint64_t attrs) {
  const std::string t(type);
  int raw = fsopen(t.c_str(), FSOPEN_CLOEXEC);
  if (raw < 0) return Error::Sys("fsopen " + t);
  UniqueFd fs(raw);
  if (!source.empty()) {
    std::string s(source);
    if (fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", s.c_str(), 0) != 0)
      return FsError(fs.get(), t + ": source " + s);
  }
  BERTH_TRY(ConfigureFilesystem(fs.get(), t, sb_flags, data));
  if (fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) != 0)
    return FsError(fs.get(), "create " + t + " filesystem");
  int mnt = fsmount(fs.get(), FSMOUNT_CLOEXEC, static_cast<unsigned>(attrs & kFsmountAttrs));
  if (mnt < 0) return FsError(fs.get(), "fsmount " + t);
  return UniqueFd(mnt);
}

Status ReconfigureFilesystem(int mount_fd, const std::vector<std::string>& sb_flags,
                             const std::vector<std::string>& data) {
  int raw = fspick(mount_fd, "", FSPICK_EMPTY_PATH | FSPICK_CLOEXEC);
  if (raw < 0) return Error::Sys("fspick");
  UniqueFd fs(raw);
  BERTH_TRY(ConfigureFilesystem(fs.get(), "remount", sb_flags, data));
  if (fsconfig(fs.get(), FSCONFIG_CMD_RECONFIGURE, nullptr, nullptr, 0) != 0)
    return FsError(fs.get(), "reconfigure filesystem");
  return Ok();
}

Result<UniqueFd> CloneTree(int from_fd, const std::string& path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  if (path.empty()) flags |= AT_EMPTY_PATH;
  int fd = open_tree(from_fd, path.c_str(), flags);
  if (fd < 0)
    return Error::Sys("clone mount " + (path.empty() ? std::string("fd ") + std::to_string(from_fd) : path));
  return UniqueFd(fd);
}

Status SetMountAttrs(int mount_fd, uint64_t set, uint64_t clr, bool recursive) {
  if (set == 0 && clr == 0) return Ok();
  mount_attr attr{};
  attr.attr_set = set;
  attr.attr_clr = clr;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (mount_setattr(mount_fd, "", flags, &attr, sizeof(attr)) != 0)
    return Error::Sys(recursive ? "set recursive mount attributes" : "set mount attributes");
  return Ok();
}

Status SetPropagation(int mount_fd, uint64_t type, bool recursive) {
  mount_attr attr{};
  attr.propagation = type;
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (mount_setattr(mount_fd, "", flags, &attr, sizeof(attr)) != 0)
    return Error::Sys("set mount propagation");
  return Ok();
}

Status SetIdmap(int mount_fd, int userns_fd, bool recursive) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = static_cast<uint64_t>(userns_fd);
  unsigned flags = AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0);
  if (mount_setattr(mount_fd, "", flags, &attr, sizeof(attr)) != 0) return Error::Sys("idmap mount");
  return Ok();
}

Status MoveMount(int mount_fd, int target_fd) {
  if (move_mount(mount_fd, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0)
    return Error::Sys("attach mount");
  return Ok();
}

Status ApplyMountAttrs(int mount_fd, const MountOptions& options) {
  BERTH_TRY(SetMountAttrs(mount_fd, options.attr_set, options.attr_clr, false));
  BERTH_TRY(SetMountAttrs(mount_fd, options.rec_attr_set, options.rec_attr_clr, true));
  return Ok();
}

Result<int64_t> FsMagic(int fd) {
  struct statfs st;
  if (fstatfs(fd, &st) != 0) return Error::Sys("statfs");
  return static_cast<int64_t>(st.f_type);
}

}  // namespace berth::rootfs
