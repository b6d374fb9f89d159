#include "runtime/process/seccomp.h"

namespace berth::process {

Result<SeccompFilter> CompileSeccomp(const spec::Seccomp&) {
  return Error(ENOSYS, "seccomp: not yet implemented");
}

}  // namespace berth::process
