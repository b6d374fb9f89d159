#include "runtime/rootfs/mounts.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <string>

#include "runtime/rootfs/copy_tree.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/resolve.h"

namespace berth::rootfs {
namespace {

bool IsProcOrSys(const std::string& dest) { return dest == "/proc" || dest == "/sys"; }

std::string HostSource(const std::string& source, const std::string& bundle) {
  if (source.empty() || source[0] == '/' || bundle.empty()) return source;
  return bundle + "/" + source;
}

// Re-opens a proc/sysfs destination after mounting and checks what is there
// really is that filesystem (CVE-2019-16884 family).
Status VerifyFilesystem(int root_fd, const std::string& dest, const std::string& type) {
  int64_t want = type == "proc" ? PROC_SUPER_MAGIC : SYSFS_MAGIC;
  auto fd = BERTH_TRY(OpenInRootNoSymlinks(root_fd, dest, O_PATH | O_DIRECTORY));
  int64_t magic = BERTH_TRY(FsMagic(fd.get()));
  if (magic != want) return Error(EINVAL, dest + " is not a " + type + " filesystem after mounting");
  return Ok();
}

// Sets or clears the superblock's MS_I_VERSION with a mount(2) remount of
// the attached mount. That call also replaces the other MS_RMT_MASK and
// per-mount flags, so the current ones (statvfs) are passed back unchanged.
// ST_NOSYMFOLLOW (Linux 5.10); this glibc's headers lack it.
constexpr unsigned long kStNoSymfollow = 0x2000;

Status SetIVersion(int mount_fd, bool on, const MountOptions& options) {
  struct statvfs sv;
  if (fstatvfs(mount_fd, &sv) != 0) return Error::Sys("statvfs for iversion");
  static constexpr std::pair<unsigned long, unsigned long> kKeep[] = {
      {ST_RDONLY, MS_RDONLY},          {ST_NOSUID, MS_NOSUID},           {ST_NODEV, MS_NODEV},
      {ST_NOEXEC, MS_NOEXEC},          {ST_SYNCHRONOUS, MS_SYNCHRONOUS}, {ST_MANDLOCK, MS_MANDLOCK},
      {ST_NOATIME, MS_NOATIME},        {ST_NODIRATIME, MS_NODIRATIME},   {ST_RELATIME, MS_RELATIME},
      {kStNoSymfollow, MS_NOSYMFOLLOW}};
  unsigned long flags = MS_REMOUNT | (on ? MS_I_VERSION : 0);
  for (auto [st, ms] : kKeep)
    if (sv.f_flag & st) flags |= ms;
  if (std::find(options.sb_flags.begin(), options.sb_flags.end(), "lazytime") != options.sb_flags.end())
    flags |= MS_LAZYTIME;
  std::string path = "/proc/self/fd/" + std::to_string(mount_fd);
  if (mount(nullptr, path.c_str(), nullptr, flags, nullptr) != 0)
    return Error::Sys(std::string(on ? "iversion" : "noiversion") + " remount");
  return Ok();
}

Status Remount(int root_fd, const std::string& dest, const MountOptions& options) {
  auto target = BERTH_TRY(OpenInRoot(root_fd, dest, O_PATH));
  if (!options.bind && (!options.data.empty() || !options.sb_flags.empty()))
    BERTH_TRY(ReconfigureFilesystem(target.get(), options.sb_flags, options.data));
  if (options.i_version && options.bind)
    return Error(
        EINVAL,
        "iversion/noiversion set a superblock flag; on a bind mount that would change the source filesystem");
  if (options.i_version) BERTH_TRY(SetIVersion(target.get(), *options.i_version, options));
  BERTH_TRY(ApplyMountAttrs(target.get(), options));
  for (const auto& p : options.propagation) BERTH_TRY(SetPropagation(target.get(), p.type, p.recursive));
  return Ok();
}

}  // namespace

Result<UniqueFd> OpenRealDirectory(int root_fd, const std::string& path) {
  auto fd = OpenInRootNoSymlinks(root_fd, path, O_PATH | O_DIRECTORY);
  if (fd.ok()) return fd;
  int code = fd.error().code();
  if (code == ELOOP)
    return Error(ELOOP, path + " in the rootfs is or passes through a symlink; it must be a real directory");
  if (code == ENOTDIR) return Error(ENOTDIR, path + " in the rootfs is not a directory");
  if (code != ENOENT) return fd;
  BERTH_TRY(CreateInRoot(root_fd, path, TargetKind::kDirectory));
  return OpenInRootNoSymlinks(root_fd, path, O_PATH | O_DIRECTORY);
}

Status MountConfigEntry(int root_fd, const spec::Mount& mount, const MountContext& context) {
  const std::string dest = CleanPath(mount.destination);
  if (dest == "/") return Error(EINVAL, "mounting over the container's / is not supported");
  MountOptions options = BERTH_TRY(ParseMountOptions(mount.options));
  const bool bind = options.bind || mount.type == "bind";
  if (bind) options.bind = true;
  if (bind && options.i_version)
    return Error(
        EINVAL,
        "iversion/noiversion set a superblock flag; on a bind mount that would change the source filesystem");
  // Only a real procfs may sit on /proc: anything else could fake the files
  // the runtime writes there (CVE-2019-16884).
  if (dest == "/proc" && (bind || mount.type != "proc"))
    return Error(EINVAL, "only a proc filesystem may be mounted on /proc (got " +
                             (bind ? std::string("a bind mount") : "type " + mount.type) + ")");
  if (options.remount) return Remount(root_fd, dest, options);
  if (mount.type == "cgroup" && !bind) {
    if (context.await_cgroup && *context.await_cgroup) BERTH_TRY((*context.await_cgroup)());
    return MountCgroups(root_fd, dest, options, context);
  }
  if (options.tmpcopyup && (bind || mount.type != "tmpfs"))
    return Error(EINVAL, "tmpcopyup is only valid for tmpfs mounts");
  const bool want_idmap = !mount.uidMappings.empty() || !mount.gidMappings.empty();
  if (want_idmap && !options.idmap) options.idmap = true;  // mappings imply idmap
  if (options.idmap && !bind) return Error(EINVAL, "idmap is only supported for bind mounts");
  if (options.idmap && context.prepared_tree < 0 && (mount.uidMappings.empty() || mount.gidMappings.empty()))
    return Error(EINVAL, context.user_ns
                             ? "idmap needs both uidMappings and gidMappings"
                             : "idmap needs the mount's uidMappings and gidMappings or a user namespace");

  UniqueFd tree;
  TargetKind kind = TargetKind::kDirectory;
  if (bind && context.prepared_tree >= 0) {
    // Cloned, attributed and idmapped by the parent (PrepareIdmappedMounts).
    int fd = fcntl(context.prepared_tree, F_DUPFD_CLOEXEC, 3);
    if (fd < 0) return Error::Sys("dup idmapped mount");
    tree = UniqueFd(fd);
    struct stat st;
    if (fstat(tree.get(), &st) != 0) return Error::Sys("stat idmapped mount");
    if (!S_ISDIR(st.st_mode)) kind = TargetKind::kFile;
  } else if (bind) {
    std::string source = HostSource(mount.source, context.bundle);
    if (source.empty()) return Error(EINVAL, "bind mount without a source");
    tree = BERTH_TRY_CTX(CloneTree(AT_FDCWD, source, options.recursive), "bind " + source);
    struct stat st;
    if (fstat(tree.get(), &st) != 0) return Error::Sys("stat bind source " + source);
    if (!S_ISDIR(st.st_mode)) kind = TargetKind::kFile;
    BERTH_TRY(ApplyMountAttrs(tree.get(), options));
    if (options.idmap) {
      auto userns = BERTH_TRY(MakeIdmapUserNamespace(mount.uidMappings, mount.gidMappings));
      BERTH_TRY(SetIdmap(tree.get(), userns.get(), options.recursive_idmap));
    }
  } else {
    if (mount.type.empty()) return Error(EINVAL, "mount without a type");
    if (!context.mount_label.empty() && TakesMountLabel(mount.type))
      options.data.push_back(MountLabelOption(context.mount_label));
    tree =
        BERTH_TRY(NewFilesystem(mount.type, mount.source, options.sb_flags, options.data, options.attr_set));
    BERTH_TRY(SetMountAttrs(tree.get(), options.rec_attr_set, options.rec_attr_clr, true));
  }

  const bool must_be_real_dir = IsProcOrSys(dest) || mount.type == "proc" || mount.type == "sysfs";
  UniqueFd target;
  if (must_be_real_dir) {
    if (kind != TargetKind::kDirectory) return Error(ENOTDIR, "a file cannot be mounted on " + dest);
    target = BERTH_TRY(OpenRealDirectory(root_fd, dest));
  } else {
    target = BERTH_TRY(CreateInRoot(root_fd, dest, kind));
  }
  struct stat tst;
  if (fstat(target.get(), &tst) != 0) return Error::Sys("stat mount target");
  if (kind == TargetKind::kDirectory && !S_ISDIR(tst.st_mode))
    return Error(ENOTDIR, "mount target exists and is not a directory");
  if (kind == TargetKind::kFile && S_ISDIR(tst.st_mode))
    return Error(EISDIR, "mount target is a directory but the source is not");

  if (options.tmpcopyup) BERTH_TRY_CTX(CopyTree(target.get(), tree.get()), "tmpcopyup " + dest);
  BERTH_TRY(MoveMount(tree.get(), target.get()));
  if (options.i_version) BERTH_TRY(SetIVersion(tree.get(), *options.i_version, options));
  for (const auto& p : options.propagation) BERTH_TRY(SetPropagation(tree.get(), p.type, p.recursive));
  if (!bind && (mount.type == "proc" || mount.type == "sysfs"))
    BERTH_TRY(VerifyFilesystem(root_fd, dest, mount.type));
  return Ok();
}

}  // namespace berth::rootfs
