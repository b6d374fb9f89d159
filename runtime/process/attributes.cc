#include "runtime/process/attributes.h"

namespace berth::process {

Status ApplyOomScoreAdj(const spec::Process& p) {
  if (p.oomScoreAdj) return Error(ENOSYS, "oomScoreAdj: not yet implemented");
  return Ok();
}
Status ApplyScheduler(const spec::Process& p) {
  if (p.scheduler) return Error(ENOSYS, "scheduler: not yet implemented");
  return Ok();
}
Status ApplyIoPriority(const spec::Process& p) {
  if (p.ioPriority) return Error(ENOSYS, "ioPriority: not yet implemented");
  return Ok();
}
Status ApplyPersonality(const spec::Linux& l) {
  if (l.personality) return Error(ENOSYS, "personality: not yet implemented");
  return Ok();
}
Status ApplyCpuAffinity(const std::string& cpus) {
  if (!cpus.empty()) return Error(ENOSYS, "execCPUAffinity: not yet implemented");
  return Ok();
}
Status ApplyNoNewPrivileges(bool enabled) {
  if (enabled) return Error(ENOSYS, "noNewPrivileges: not yet implemented");
  return Ok();
}
Status ApplyMemoryPolicy(const spec::Linux& l) {
  if (l.memoryPolicy) return Error(ENOSYS, "memoryPolicy: not yet implemented");
  return Ok();
}
Result<std::vector<unsigned>> ParseCpuList(const std::string&, unsigned) {
  return Error(ENOSYS, "cpu list: not yet implemented");
}

}  // namespace berth::process
