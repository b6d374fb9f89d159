// `update`: what runc's update may change, and the journal that makes an
// update all-or-nothing.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/cgroups/cgroup_fs.h"
#include "spec/config.h"

namespace berth::cgroups {

// A CgroupFs over the same root as `inner` that reads each file's content
// before its first write, so Rollback can write the old values back (newest
// first, so limits that must stay ordered, memory <= memory+swap, are
// restored in an order the kernel accepts). cgroup.subtree_control is not
// journaled: enabling a controller for a child changes no limit. Device
// programs are refused: update never changes the device allow-list. The
// directory calls go to `inner` unchanged.
class JournalingCgroupFs : public CgroupFs {
 public:
  explicit JournalingCgroupFs(std::shared_ptr<const CgroupFs> inner);
  Status Write(std::string_view cgroup, std::string_view file, std::string_view value) const override;
  bool IsV1Hierarchy(std::string_view cgroup) const override { return inner_->IsV1Hierarchy(cgroup); }
  Result<std::vector<std::string>> MakeDirs(std::string_view cgroup) const override {
    return inner_->MakeDirs(cgroup);
  }
  Status RemoveDir(std::string_view cgroup) const override { return inner_->RemoveDir(cgroup); }
  Status AttachDeviceFilter(std::string_view cgroup, const std::vector<bpf_insn>& program) const override;
  // Best effort: every old value is tried; the first error is returned.
  Status Rollback() const;
  size_t journaled() const { return entries_.size(); }

 private:
  struct Entry {
    std::string cgroup, file, old_value;
  };
  std::shared_ptr<const CgroupFs> inner_;
  mutable std::vector<Entry> entries_;
};

// Runs `apply` and, when it fails, rolls every journal back (last first);
// returns apply's error (a failed rollback is added to its context).
Status ApplyOrRollBack(const std::vector<const JournalingCgroupFs*>& journals, Status applied);

// The fields runc's update takes from a LinuxResources document: memory
// limit/reservation/swap/checkBeforeUpdate, every cpu field, blockIO.weight,
// pids.limit and unified. Zero is "unchanged" (engines send zeros for what
// the user did not ask for; runc's writers skip them). A memory
// limit of -1 without a swap value makes swap -1 too (runc's rule).
spec::Resources UpdatableResources(const spec::Resources& requested);

// Refuses a memory+swap limit below the memory limit, with runc's message,
// using the stored value for whichever of the two the update leaves alone;
// a swap update without a memory limit gets the stored limit (the writers
// need both to order the writes, and v2 to convert memory+swap to swap).
Status CompleteMemoryUpdate(const spec::Resources& stored, spec::Resources& update);

// `stored` with the update's fields replacing its own (what `state` and
// later updates see).
void MergeUpdate(spec::Resources& stored, const spec::Resources& update);

}  // namespace berth::cgroups
