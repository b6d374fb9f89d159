#include "runtime/container/intelrdt_state.h"

#include <sys/stat.h>

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

Status RecordResctrlIntent(const StateDir& dir, const std::string& resctrl_root, const spec::IntelRdt& rdt,
                           std::string_view container_id) {
  const std::string id(container_id);
  const bool creates_group = rdt.closID.empty();
  const std::string group = rdt.closID == "/" ? "/" : creates_group ? id : rdt.closID;
  const std::string group_path = group == "/" ? resctrl_root : resctrl_root + "/" + group;
  const bool monitoring = rdt.enableMonitoring.value_or(false);
  struct stat st;
  if (creates_group && lstat(group_path.c_str(), &st) == 0)
    return Error(EEXIST, "resctrl group " + group_path +
                             " already exists, but without closID the container's " +
                             "group is made by the runtime (left over from an earlier container?)");
  const std::string mon_path = group_path + "/mon_groups/" + id;
  if (monitoring && lstat(mon_path.c_str(), &st) == 0)
    return Error(EEXIST, "linux.intelRdt.enableMonitoring: monitoring group " + mon_path + " already exists");
  // ResctrlGroup::Serialize's form: Load reads it back at delete.
  std::string intent =
      "root " + resctrl_root + "\ngroup " + group + "\ncreated " + (creates_group ? "1" : "0") + "\n";
  if (monitoring) intent += "mon " + id + "\n";
  return dir.Write(kIntelRdtFile, intent);
}

Status JoinResctrlGroup(const RuntimeOptions& runtime, std::string_view id, pid_t pid) {
  StateDir dir = BERTH_TRY(StateDir::Open(runtime.root, id));
  auto group = BERTH_TRY(LoadGroup(dir));
  if (!group) return Ok();
  return group->AddProcess(pid);
}

}  // namespace berth::container
