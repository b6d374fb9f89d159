// The container's resctrl group (linux.intelRdt) as recorded in its state
// dir (kIntelRdtFile): removed at delete, joined by exec'd processes.
#pragma once

#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "runtime/container/state_dir.h"
#include "spec/config.h"

namespace berth::container {

// Removes what create made in resctrl (intelrdt::ResctrlGroup::Destroy);
// ok when the container has no linux.intelRdt.
Status RemoveResctrlGroup(const StateDir& dir);

// Intent, recorded before ResctrlGroup::Join makes anything (so `delete
// --force` after a create killed inside Join removes it): the group Join
// makes when closID is unset (<root>/<id>, removed at delete) and
// mon_groups/<id> with enableMonitoring. A name that already exists is
// Join's EEXIST error, returned here before anything is recorded, so the
// record never names a group that is not this container's.
Status RecordResctrlIntent(const StateDir& dir, const std::string& resctrl_root, const spec::IntelRdt& rdt,
                           std::string_view container_id);

}  // namespace berth::container
