// The container's resctrl group (linux.intelRdt) as recorded in its state
// dir (kIntelRdtFile): removed at delete, joined by exec'd processes.
#pragma once

#include "runtime/container/state_dir.h"
#include "spec/error.h"

namespace berth::container {

// Removes what create made in resctrl (intelrdt::ResctrlGroup::Destroy);
// ok when the container has no linux.intelRdt.
Status RemoveResctrlGroup(const StateDir& dir);

}  // namespace berth::container
