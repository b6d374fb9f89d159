// Idmapped mounts: a user namespace holding only a uid/gid mapping, for
// MOUNT_ATTR_IDMAP, and the parent-side preparation of idmapped bind mounts
// for containers with a user namespace.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "runtime/base/files.h"
#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mount_options.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/rootfs/rootfs.h"

namespace berth::rootfs {
namespace {

std::string FormatMap(const std::vector<spec::IdMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings)
    text +=
        std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
  return text;
}

}  // namespace

Result<UniqueFd> MakeIdmapUserNamespace(const std::vector<spec::IdMapping>& uid_mappings,
                                        const std::vector<spec::IdMapping>& gid_mappings) {
  // A helper child unshares a user namespace and reports its pid as /proc
  // names it (this process may be in a pid namespace /proc does not show);
  // it then waits until we close the pipe.
  int to_parent[2], to_child[2];
  if (pipe2(to_parent, O_CLOEXEC) != 0) return Error::Sys("pipe");
  if (pipe2(to_child, O_CLOEXEC) != 0) {
    close(to_parent[0]);
    close(to_parent[1]);
    return Error::Sys("pipe");
  }
  pid_t pid = fork();
  if (pid < 0) {
    int saved = errno;
    for (int fd : {to_parent[0], to_parent[1], to_child[0], to_child[1]}) close(fd);
    return Error(saved, "fork idmap helper");
  }
  if (pid == 0) {
    close(to_parent[0]);
    close(to_child[1]);
    char self[32] = {0};
    // The container init is non-dumpable, which would make this helper's
    // /proc files root-owned and its maps unwritable from a user namespace.
    // The helper holds nothing secret and exits before the container runs.
    if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0) _exit(1);
    if (unshare(CLONE_NEWUSER) != 0 || readlink("/proc/self", self, sizeof(self) - 1) <= 0) _exit(1);
    if (write(to_parent[1], self, sizeof(self)) != sizeof(self)) _exit(1);
    char c;
    (void)!read(to_child[0], &c, 1);
    _exit(0);
  }
  close(to_parent[1]);
  close(to_child[0]);
  UniqueFd from_child(to_parent[0]), release(to_child[1]);
  auto finish = [&]() {
    release.Reset();
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
  };
  char self[32] = {0};
  ssize_t n = read(from_child.get(), self, sizeof(self));
  if (n != sizeof(self)) {
    finish();
    return Error(EIO, "idmap helper failed to create a user namespace");
  }
  self[sizeof(self) - 1] = 0;
  const std::string proc = std::string("/proc/") + self;
  Status s = base::WriteKernelFile(proc + "/uid_map", FormatMap(uid_mappings));
  if (s) s = base::WriteKernelFile(proc + "/gid_map", FormatMap(gid_mappings));
  if (!s) {
    finish();
    return std::move(s).error().Context("idmap user namespace");
  }
  int fd = open((proc + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC);
  int saved = errno;
  finish();
  if (fd < 0) return Error(saved, "open idmap user namespace");
  return UniqueFd(fd);
}

Result<std::map<size_t, int>> PrepareIdmappedMounts(const spec::Config& config, const std::string& bundle) {
  std::map<size_t, int> out;
  if (!config.linux_ || !config.linux_->HasNamespace(spec::NamespaceType::user)) return out;
  const spec::Linux& linux_config = *config.linux_;
  auto close_all = [&] {
    for (auto& [index, fd] : out) close(fd);
    out.clear();
  };
  for (size_t i = 0; i < config.mounts.size(); ++i) {
    const spec::Mount& mount = config.mounts[i];
    auto options = ParseMountOptions(mount.options);
    if (!options) continue;  // the child reports it, naming the mount
    const bool mapped = !mount.uidMappings.empty() || !mount.gidMappings.empty();
    const bool bind = options->bind || mount.type == "bind";
    if (!bind || !(options->idmap || mapped) || options->remount) continue;
    const auto& uids = mapped ? mount.uidMappings : linux_config.uidMappings;
    const auto& gids = mapped ? mount.gidMappings : linux_config.gidMappings;
    const std::string what = "mounts[" + std::to_string(i) + "] " + mount.destination;
    if (uids.empty() || gids.empty()) {
      close_all();
      return Error(EINVAL,
                   what + ": idmap needs uidMappings and gidMappings (the mount's or the container's)");
    }
    std::string source = mount.source;
    if (!source.empty() && source[0] != '/') source = bundle + "/" + source;
    auto made = [&]() -> Result<UniqueFd> {
      UniqueFd tree = BERTH_TRY_CTX(CloneTree(AT_FDCWD, source, options->recursive), "bind " + source);
      BERTH_TRY(ApplyMountAttrs(tree.get(), *options));
      UniqueFd userns = BERTH_TRY(MakeIdmapUserNamespace(uids, gids));
      BERTH_TRY(SetIdmap(tree.get(), userns.get(), options->recursive_idmap));
      return tree;
    }();
    if (!made) {
      close_all();
      return std::move(made).error().Context(what);
    }
    out[i] = made->Release();
  }
  return out;
}

}  // namespace berth::rootfs
