#include "runtime/container/intelrdt_state.h"

#include "runtime/container/container.h"
#include "runtime/intelrdt/resctrl.h"

namespace berth::container {
namespace {

// nullopt when create recorded no resctrl group.
Result<std::optional<intelrdt::ResctrlGroup>> LoadGroup(const StateDir& dir) {
  if (!dir.Exists(kIntelRdtFile)) return std::optional<intelrdt::ResctrlGroup>();
  std::string text = BERTH_TRY(dir.Read(kIntelRdtFile));
  auto group = BERTH_TRY_CTX(intelrdt::ResctrlGroup::Load(text), dir.File(kIntelRdtFile));
  return std::optional<intelrdt::ResctrlGroup>(std::move(group));
}

}  // namespace

Status RemoveResctrlGroup(const StateDir& dir) {
  auto group = BERTH_TRY(LoadGroup(dir));
  if (!group) return Ok();
  return group->Destroy();
}

Status JoinResctrlGroup(const RuntimeOptions& runtime, std::string_view id, pid_t pid) {
  StateDir dir = BERTH_TRY(StateDir::Open(runtime.root, id));
  auto group = BERTH_TRY(LoadGroup(dir));
  if (!group) return Ok();
  return group->AddProcess(pid);
}

}  // namespace berth::container
