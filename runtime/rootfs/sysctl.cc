// linux.sysctl: only sysctls that belong to a namespace the container has
// its own copy of, written through a private procfs instance.
#include "runtime/rootfs/sysctl.h"
#include "runtime/base/syscalls.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <unistd.h>

#include "runtime/rootfs/mount_api.h"
#include "runtime/rootfs/resolve.h"

namespace berth::rootfs {
namespace {

// The namespace a sysctl key belongs to; nullopt when it is not namespaced.
std::optional<spec::NamespaceType> NamespaceOfSysctl(std::string_view key) {
  static constexpr std::string_view kIpcExact[] = {
      "kernel.msgmax",      "kernel.msgmnb",      "kernel.msgmni",     "kernel.sem",
      "kernel.shmall",      "kernel.shmmax",      "kernel.shmmni",     "kernel.shm_rmid_forced",
      "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id"};
  for (auto k : kIpcExact)
    if (key == k) return spec::NamespaceType::ipc;
  if (key.starts_with("fs.mqueue.")) return spec::NamespaceType::ipc;
  if (key.starts_with("net.")) return spec::NamespaceType::network;
  if (key == "kernel.hostname" || key == "kernel.domainname") return spec::NamespaceType::uts;
  return std::nullopt;
}

}  // namespace

Result<std::string> SysctlRelativePath(std::string_view key) {
  if (key.empty()) return Error(EINVAL, "sysctl: empty key");
  std::string path;
  size_t i = 0;
  while (i <= key.size()) {
    size_t j = key.find('.', i);
    if (j == std::string_view::npos) j = key.size();
    std::string_view part = key.substr(i, j - i);
    if (part.empty() || part == ".." || part.find('/') != std::string_view::npos ||
        part.find('\0') != std::string_view::npos)
      return Error(EINVAL, "sysctl " + std::string(key) + ": malformed key");
    if (!path.empty()) path += '/';
    path += part;
    i = j + 1;
  }
  return path;
}

Status ValidateSysctl(std::string_view key, const spec::Linux& linux_config) {
  BERTH_TRY(SysctlRelativePath(key));
  auto ns = NamespaceOfSysctl(key);
  if (!ns)
    return Error(EINVAL, "sysctl " + std::string(key) + " is not namespaced and would change the host");
  if (!linux_config.HasNamespace(*ns))
    return Error(EINVAL, "sysctl " + std::string(key) + " needs the container to have its own " +
                             std::string(spec::NamespaceTypeName(*ns)) + " namespace");
  // kernel.hostname/domainname and net.* inside a namespace joined from
  // another container are still that namespace's, so joined ones are allowed.
  return Ok();
}

Status ApplySysctls(const spec::Config& config) {
  if (!config.linux_ || config.linux_->sysctl.empty()) return Ok();
  for (const auto& [key, value] : config.linux_->sysctl) BERTH_TRY(ValidateSysctl(key, *config.linux_));
  // A private procfs instance: nothing in the container's mount tree (a bind
  // over /proc/sys/..., a read-only /proc/sys) can redirect or block writes.
  auto proc = BERTH_TRY_CTX(
      NewFilesystem("proc", "proc", {}, {}, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC),
      "sysctl: private procfs");
  int64_t magic = BERTH_TRY(FsMagic(proc.get()));
  if (magic != PROC_SUPER_MAGIC) return Error(EINVAL, "sysctl: procfs handle is not procfs");
  for (const auto& [key, value] : config.linux_->sysctl) {
    std::string rel = "sys/" + BERTH_TRY(SysctlRelativePath(key));
    open_how how{};
    how.flags = O_WRONLY | O_CLOEXEC | O_NOFOLLOW;
    how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
    long fd = sys::Openat2(proc.get(), rel.c_str(), &how);
    if (fd < 0) return Error::Sys("sysctl " + key + ": open /proc/" + rel);
    UniqueFd file(static_cast<int>(fd));
    ssize_t n = write(file.get(), value.data(), value.size());
    if (n < 0) return Error::Sys("sysctl " + key + "=" + value);
    if (static_cast<size_t>(n) != value.size())
      return Error(EIO, "sysctl " + key + "=" + value + ": short write");
  }
  return Ok();
}

}  // namespace berth::rootfs
