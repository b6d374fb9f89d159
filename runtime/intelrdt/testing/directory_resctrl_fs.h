// A ResctrlFs (resctrl.h) over a plain directory laid out like resctrl that
// imitates what the kernel does: mkdir gives a new group tasks, schemata (a
// copy of the root's, a fresh group's default) and mon_groups (when the
// root has one: monitoring available); rmdir takes the group's files too; a
// write to tasks adds a line; a write to schemata replaces the lines of the
// resources it names (L3, L3CODE and L3DATA count as one cache) and keeps
// the others.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "runtime/intelrdt/resctrl.h"

namespace berth::intelrdt::testing {

class DirectoryResctrlFs final : public ResctrlFs {
 public:
  Status MakeGroupDir(const std::string& root, const std::string& path, bool mon_group) const override;
  Status RemoveGroupDir(const std::string& path) const override;
  Status WriteFile(const std::string& root, const std::string& path, std::string_view value) const override;
};

inline std::shared_ptr<const ResctrlFs> MakeDirectoryResctrlFs() {
  return std::make_shared<const DirectoryResctrlFs>();
}

}  // namespace berth::intelrdt::testing
