// PrepareRootfs and EnterRootfs: the order of the rootfs steps.
#include "runtime/rootfs/rootfs.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "runtime/rootfs/devices.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mount_options.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/rootfs/paths.h"
#include "runtime/rootfs/pivot.h"
#include "runtime/rootfs/resolve.h"

namespace berth::rootfs {
namespace {

const spec::Linux& LinuxOf(const spec::Config& config) {
  static const spec::Linux kEmpty;
  return config.linux_ ? *config.linux_ : kEmpty;
}

Result<uint64_t> MountIdOf(const std::string& path) {
  struct statx stx;
  if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) != 0)
    return Error::Sys("statx " + path);
  return static_cast<uint64_t>(stx.stx_mnt_id);
}

// pivot_root refuses a new root whose parent mount is shared; make the mount
// that holds the rootfs private. It is found by walking up from the rootfs
// until the mount id changes: work bounded by the path's depth, not by the
// number of mounts on the host.
Status MakeParentMountPrivate(const std::string& rootfs) {
  std::string dir = rootfs;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  size_t slash = dir.rfind('/');
  std::string parent = slash == 0 ? "/" : dir.substr(0, slash);
  uint64_t id = BERTH_TRY(MountIdOf(parent));
  std::string mount_root = parent;
  while (mount_root != "/") {
    size_t s = mount_root.rfind('/');
    std::string up = s == 0 ? "/" : mount_root.substr(0, s);
    if (BERTH_TRY(MountIdOf(up)) != id) break;
    mount_root = up;
  }
  if (mount(nullptr, mount_root.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
    return Error::Sys("make " + mount_root + " private");
  return Ok();
}

bool HasNonBindDevMount(const spec::Config& config) {
  bool fresh = false;
  for (const auto& m : config.mounts) {
    if (CleanPath(m.destination) != "/dev") continue;
    auto options = ParseMountOptions(m.options);
    fresh = m.type != "bind" && options.ok() && !options->bind;  // the last one wins
  }
  return fresh;
}

bool HasDevMount(const spec::Config& config) {
  for (const auto& m : config.mounts)
    if (CleanPath(m.destination) == "/dev") return true;
  return false;
}

bool SelinuxEnabled() {
  struct statfs st;
  return statfs("/sys/fs/selinux", &st) == 0 && static_cast<int64_t>(st.f_type) == SELINUX_MAGIC;
}

Result<UniqueFd> OpenRoot(const std::string& path) {
  int fd = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open rootfs " + path);
  return UniqueFd(fd);
}

// /dev: the config's devices and the default ones, then the symlinks. A
// /dev bound from the host is left alone: nodes created (or replaced) there
// would be the host's.
Status PopulateDev(const spec::Config& config, int root_fd, DeviceSource source) {
  const spec::Linux& linux_config = LinuxOf(config);
  if (HasDevMount(config) && !HasNonBindDevMount(config)) return Ok();
  // Whether /dev is a fresh tmpfs or the image's directory (config-linux.md
  // "Default Devices": the runtime MUST supply them either way).
  BERTH_TRY(CreateDevices(root_fd, DefaultDevices(), source, OnConflict::kReplace));
  BERTH_TRY(CreateDevices(root_fd, linux_config.devices, source, OnConflict::kRefuse));
  auto proc = OpenInRootNoSymlinks(root_fd, "/proc", O_PATH | O_DIRECTORY);
  bool have_proc = proc.ok() && FsMagic(proc->get()).ok() && *FsMagic(proc->get()) == PROC_SUPER_MAGIC;
  return CreateDevSymlinks(root_fd, have_proc);
}

// Without a mount namespace of its own the container shares the runtime's
// mount table: only device nodes are made (files, not mounts), and the root
// is entered with chroot in EnterRootfs.
Status PrepareWithoutMountNamespace(const spec::Config& config, const RootfsOptions& options) {
  BERTH_TRY(CheckWithoutMountNamespace(config));
  auto root = BERTH_TRY(OpenRoot(options.rootfs));
  const bool user_ns = LinuxOf(config).HasNamespace(spec::NamespaceType::user);
  if (options.await_cgroup) BERTH_TRY(options.await_cgroup());
  return PopulateDev(config, root.get(), user_ns ? DeviceSource::kExistingOnly : DeviceSource::kMknod);
}

Status Prepare(const spec::Config& config, const RootfsOptions& options) {
  const spec::Linux& linux_config = LinuxOf(config);
  if (options.rootfs.empty() || options.rootfs[0] != '/')
    return Error(EINVAL, "rootfs must be an absolute path: \"" + options.rootfs + "\"");
  if (!linux_config.HasNamespace(spec::NamespaceType::mount))
    return PrepareWithoutMountNamespace(config, options);

  uint64_t propagation = BERTH_TRY(ParseRootPropagation(linux_config.rootfsPropagation));
  // Default rslave: host mounts still reach the container, nothing leaks back.
  uint64_t root_flags = propagation != 0 ? propagation : (MS_SLAVE | MS_REC);
  if (mount(nullptr, "/", nullptr, root_flags, nullptr) != 0) return Error::Sys("set propagation of /");
  BERTH_TRY(MakeParentMountPrivate(options.rootfs));
  if (mount(options.rootfs.c_str(), options.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return Error::Sys("bind rootfs " + options.rootfs + " onto itself");
  auto root = BERTH_TRY(OpenRoot(options.rootfs));

  MountContext context;
  context.bundle = options.bundle;
  context.user_ns = linux_config.HasNamespace(spec::NamespaceType::user);
  context.cgroup_ns = linux_config.HasNamespace(spec::NamespaceType::cgroup);
  context.await_cgroup = &options.await_cgroup;
  // As runc: the label is applied only when SELinux is enabled on the host.
  if (!linux_config.mountLabel.empty() && SelinuxEnabled()) context.mount_label = linux_config.mountLabel;
  for (size_t i = 0; i < config.mounts.size(); ++i) {
    const spec::Mount& m = config.mounts[i];
    auto prepared = options.idmapped_trees.find(i);
    context.prepared_tree = prepared == options.idmapped_trees.end() ? -1 : prepared->second;
    BERTH_TRY_CTX(MountConfigEntry(root.get(), m, context),
                  "mounts[" + std::to_string(i) + "] " + m.destination);
  }

  if (options.await_cgroup) BERTH_TRY(options.await_cgroup());
  return PopulateDev(config, root.get(),
                     context.user_ns ? DeviceSource::kBindHost : DeviceSource::kMknodOrBindHost);
}

Status Enter(const spec::Config& config, const RootfsOptions& options) {
  const spec::Linux& linux_config = LinuxOf(config);
  // Prepare refused everything else that would need a mount namespace.
  if (!linux_config.HasNamespace(spec::NamespaceType::mount)) return ChrootInto(options.rootfs);
  if (options.no_pivot) {
    BERTH_TRY(MoveRoot(options.rootfs));
  } else {
    BERTH_TRY(PivotRoot(options.rootfs));
  }
  auto root = BERTH_TRY(OpenRoot("/"));
  for (const auto& path : linux_config.maskedPaths) BERTH_TRY(MaskPath(root.get(), path));
  for (const auto& path : linux_config.readonlyPaths) BERTH_TRY(MakeReadonly(root.get(), path));
  if (config.root && config.root->readonly)
    BERTH_TRY_CTX(SetMountAttrs(root.get(), MOUNT_ATTR_RDONLY, 0, false), "make / read-only");
  // A shared/slave/unbindable root is set on the container's "/" only now:
  // set on the rootfs before pivot_root, it would reach the host's mounts.
  uint64_t propagation = BERTH_TRY(ParseRootPropagation(linux_config.rootfsPropagation));
  if (propagation != 0 && (propagation & MS_PRIVATE) == 0) {
    if (mount(nullptr, "/", nullptr, propagation, nullptr) != 0)
      return Error::Sys("set propagation of the container's /");
  }
  return Ok();
}

}  // namespace

Status CheckWithoutMountNamespace(const spec::Config& config) {
  const spec::Linux& linux_config = LinuxOf(config);
  if (linux_config.HasNamespace(spec::NamespaceType::mount)) return Ok();
  auto refuse = [](const std::string& what) {
    return Error(EINVAL, what +
                             " needs a mount namespace: linux.namespaces has no \"mount\", so it "
                             "would change the runtime's mount table");
  };
  if (!config.mounts.empty()) return refuse("mounts (" + config.mounts[0].destination + ")");
  if (!linux_config.maskedPaths.empty()) return refuse("linux.maskedPaths");
  if (!linux_config.readonlyPaths.empty()) return refuse("linux.readonlyPaths");
  if (config.root && config.root->readonly) return refuse("root.readonly");
  if (!linux_config.rootfsPropagation.empty()) return refuse("linux.rootfsPropagation");
  return Ok();
}

// The caller adds the step's name ("prepare rootfs") as context.
Status PrepareRootfs(const spec::Config& config, const RootfsOptions& options) {
  return Prepare(config, options);
}

Status EnterRootfs(const spec::Config& config, const RootfsOptions& options) {
  return Enter(config, options);
}

}  // namespace berth::rootfs
