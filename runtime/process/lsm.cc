#include "runtime/process/lsm.h"

namespace berth::process {

bool AppArmorEnabled(const LsmPaths&) { return false; }
bool SelinuxEnabled(const LsmPaths&) { return false; }
Status ApplyLsmLabels(const spec::Process& p, const LsmPaths&) {
  if (!p.apparmorProfile.empty() || !p.selinuxLabel.empty())
    return Error(ENOSYS, "LSM labels: not yet implemented");
  return Ok();
}
Status ApplyLsmLabels(const spec::Process& p) { return ApplyLsmLabels(p, LsmPaths{}); }

}  // namespace berth::process
