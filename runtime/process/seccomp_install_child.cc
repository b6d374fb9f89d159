#include "runtime/process/seccomp.h"

namespace berth::process {

Result<int> InstallSeccomp(const SeccompFilter&) {
  return Error(ENOSYS, "seccomp: not yet implemented");
}
Status SendSeccompListenerFd(const spec::Seccomp&, int, std::string_view) {
  return Error(ENOSYS, "seccomp listener: not yet implemented");
}

}  // namespace berth::process
