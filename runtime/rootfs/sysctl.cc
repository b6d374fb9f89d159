#include "runtime/rootfs/sysctl.h"

namespace berth::rootfs {

Status ValidateSysctl(std::string_view key, const spec::Linux&) {
  return Error(ENOSYS, "sysctl " + std::string(key) + ": unsupported (in progress)");
}

Result<std::string> SysctlRelativePath(std::string_view key) {
  return Error(ENOSYS, "sysctl " + std::string(key) + ": unsupported (in progress)");
}

Status ApplySysctls(const spec::Config& config) {
  if (!config.linux_ || config.linux_->sysctl.empty()) return Ok();
  return Error(ENOSYS, "sysctl: unsupported (in progress)");
}

}  // namespace berth::rootfs
