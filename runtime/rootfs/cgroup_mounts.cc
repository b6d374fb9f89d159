// Mount type "cgroup": what the container sees at /sys/fs/cgroup.
//
// v2 host: one cgroup2 mount. v1 or hybrid host (as this project's CI): a
// tmpfs with one directory per v1 hierarchy listed in /proc/self/cgroup and
// mounted at /sys/fs/cgroup/<name> (plus "unified" when the host has it),
// each holding the container's own cgroup, and symlinks for co-mounted controllers (cpu -> cpu,cpuacct). With
// a cgroup namespace the hierarchies are fresh mounts (rooted at the namespace); without one they are binds
// of the container's cgroup directories, so the host's tree is never exposed.
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/mounts.h"
#include "runtime/rootfs/resolve.h"

namespace berth::rootfs {
namespace {

constexpr const char* kHostCgroupRoot = "/sys/fs/cgroup";

struct Hierarchy {
  std::string controllers;  // "cpu,cpuacct", "name=systemd"; empty for v2
  std::string path;         // this process's cgroup in it
};

Result<std::vector<Hierarchy>> ReadOwnCgroups() {
  std::ifstream in("/proc/self/cgroup");
  if (!in) return Error::Sys("open /proc/self/cgroup");
  std::vector<Hierarchy> out;
  std::string line;
  while (std::getline(in, line)) {
    size_t a = line.find(':');
    size_t b = a == std::string::npos ? a : line.find(':', a + 1);
    if (b == std::string::npos) return Error(EINVAL, "malformed /proc/self/cgroup line: " + line);
    out.push_back({line.substr(a + 1, b - a - 1), line.substr(b + 1)});
  }
  return out;
}

bool IsFs(const char* path, int64_t magic) {
  struct statfs st;
  return statfs(path, &st) == 0 && static_cast<int64_t>(st.f_type) == magic;
}

// "name=systemd" -> "systemd"; "cpu,cpuacct" stays.
std::string DirectoryName(const std::string& controllers) {
  if (controllers.starts_with("name=")) return controllers.substr(5);
  return controllers;
}

std::vector<std::string> SplitCommas(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) out.push_back(item);
  return out;
}

// A mount of one hierarchy, detached, read-only when asked.
Result<UniqueFd> HierarchyMount(const Hierarchy& h, const std::string& host_dir, bool fresh, uint64_t attrs) {
  if (fresh) {
    std::vector<std::string> flags;
    if (!h.controllers.empty()) flags = SplitCommas(h.controllers);
    // Inside a cgroup namespace /proc/self/cgroup shows "/" for every
    // hierarchy, so a bind fallback would expose the host's whole tree:
    // a fresh mount (rooted at the namespace) is the only safe choice.
    return NewFilesystem(h.controllers.empty() ? "cgroup2" : "cgroup", "cgroup", {}, flags, attrs);
  }
  auto tree = BERTH_TRY(CloneTree(AT_FDCWD, host_dir + h.path, false));
  BERTH_TRY(SetMountAttrs(tree.get(), attrs, 0, false));
  return tree;
}

}  // namespace

Status MountCgroups(int root_fd, const std::string& destination, const MountOptions& options,
                    const MountContext& context) {
  const uint64_t attrs = options.attr_set | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC;
  auto own = BERTH_TRY(ReadOwnCgroups());
  auto target = BERTH_TRY(CreateInRoot(root_fd, destination, TargetKind::kDirectory));

  if (IsFs(kHostCgroupRoot, CGROUP2_SUPER_MAGIC)) {
    Hierarchy unified;
    for (const auto& h : own)
      if (h.controllers.empty()) unified = h;
    auto m = BERTH_TRY(HierarchyMount(unified, kHostCgroupRoot, context.cgroup_ns, attrs));
    BERTH_TRY(MoveMount(m.get(), target.get()));
    return Ok();
  }

  // v1 / hybrid: build the tmpfs writable, fill it, then make it read-only.
  auto tmpfs =
      BERTH_TRY(NewFilesystem("tmpfs", "tmpfs", {}, {"mode=755"}, attrs & ~uint64_t{MOUNT_ATTR_RDONLY}));
  BERTH_TRY(MoveMount(tmpfs.get(), target.get()));
  const bool hybrid = IsFs("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC);
  for (const auto& h : own) {
    std::string dir;
    std::string host_dir;
    if (h.controllers.empty()) {
      if (!hybrid) continue;
      dir = "unified";
    } else {
      dir = DirectoryName(h.controllers);
    }
    host_dir = std::string(kHostCgroupRoot) + "/" + dir;
    // /proc/self/cgroup lists every hierarchy of the kernel, also those
    // mounted only in another mount namespace (a systemd in a container
    // mounts the controllers it finds missing) or placeholder directories:
    // what the runtime has not mounted, the container does not get.
    if (!h.controllers.empty() && !IsFs(host_dir.c_str(), CGROUP_SUPER_MAGIC)) continue;
    if (mkdirat(tmpfs.get(), dir.c_str(), 0755) != 0) return Error::Sys("mkdir " + destination + "/" + dir);
    auto sub =
        BERTH_TRY(OpenInRoot(tmpfs.get(), dir, O_PATH | O_DIRECTORY, RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV));
    auto m = BERTH_TRY_CTX(HierarchyMount(h, host_dir, context.cgroup_ns, attrs), "cgroup hierarchy " + dir);
    BERTH_TRY_CTX(MoveMount(m.get(), sub.get()), "cgroup hierarchy " + dir);
    // Co-mounted controllers are also reachable by their own names.
    if (!h.controllers.empty() && !h.controllers.starts_with("name=")) {
      auto names = SplitCommas(h.controllers);
      if (names.size() > 1)
        for (const auto& name : names)
          if (symlinkat(dir.c_str(), tmpfs.get(), name.c_str()) != 0 && errno != EEXIST)
            return Error::Sys("symlink " + destination + "/" + name);
    }
  }
  BERTH_TRY(SetMountAttrs(tmpfs.get(), options.attr_set & MOUNT_ATTR_RDONLY, 0, false));
  for (const auto& p : options.propagation) BERTH_TRY(SetPropagation(tmpfs.get(), p.type, p.recursive));
  return Ok();
}

}  // namespace berth::rootfs
