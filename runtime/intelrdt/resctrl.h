// linux.intelRdt (config-linux.md "IntelRdt"): a container's group in the
// resctrl filesystem.
//
//   <root>/                       the default CLOS (closID "/")
//   <root>/schemata, tasks
//   <root>/<group>/schemata       one CTRL_MON group per closID (or container id)
//   <root>/<group>/tasks
//   <root>/<group>/mon_groups/<container-id>/tasks   enableMonitoring
//
// The root is a parameter and the calls whose effect the kernel adds to go
// through a ResctrlFs, so tests run against a temporary directory laid out
// like resctrl with a fake (testing/directory_resctrl_fs.h) that imitates
// the kernel's mkdir, rmdir and file writes.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::intelrdt {

inline constexpr std::string_view kDefaultMount = "/sys/fs/resctrl";
inline constexpr long kResctrlSuperMagic = 0x7655821;  // RDTGROUP_SUPER_MAGIC

// The mount point of the first resctrl filesystem in /proc/PID/mountinfo
// text (octal escapes decoded); nullopt when there is none.
std::optional<std::string> ResctrlMountPoint(std::string_view mountinfo);

// Where resctrl is mounted in this mount namespace: /sys/fs/resctrl when
// statfs says it is resctrl (one syscall, the usual case), else the first
// resctrl line of /proc/self/mountinfo. Error when there is none.
Result<std::string> FindResctrl();

// runc's refusals for update's schema flags on a host whose resctrl at
// `root` lacks CAT (info/L3) or MBA (info/MB); ok for empty values.
Status CheckSchemaSupport(const std::string& root, const std::string& l3, const std::string& mb);

// The resctrl calls whose effect the kernel adds to. The real ones:
// KernelResctrlFs().
class ResctrlFs {
 public:
  virtual ~ResctrlFs() = default;
  // mkdir of a CTRL_MON group (mon_group false) or a MON group under
  // `root`; the kernel gives it its files (tasks, schemata, mon_groups).
  // A refusal carries the kernel's reason (WithKernelReason).
  virtual Status MakeGroupDir(const std::string& root, const std::string& path, bool mon_group) const;
  // rmdir; the kernel moves the remaining tasks to the parent group. Ok
  // when the group is gone already.
  virtual Status RemoveGroupDir(const std::string& path) const;
  // One write of `value` to an existing resctrl file of the filesystem at
  // `root`: tasks takes a pid (added to the group), schemata takes lines of
  // resources (each replaces that resource's line, the others stay). A
  // refused write carries the kernel's reason (WithKernelReason).
  virtual Status WriteFile(const std::string& root, const std::string& path, std::string_view value) const;
};

// The kernel says why it refused a mkdir or a schema (out of CLOSIDs or
// RMIDs, an unknown resource, a bad mask) in <root>/info/last_cmd_status:
// `e` with that reason added.
Error WithKernelReason(const std::string& root, Error e);

const std::shared_ptr<const ResctrlFs>& KernelResctrlFs();

class ResctrlGroup {
 public:
  // Puts `pid` into the group the config names, as config-linux.md says:
  //   closID "/"      the root group (schemas are compared, never written)
  //   closID unset    <root>/<container_id>, created here (an existing one
  //                   is an error: it is not ours), schemas written
  //   closID + schemas  created and written if missing, else its schemata
  //                   must match the config's values; kept at delete
  //   closID alone    must exist
  // enableMonitoring adds mon_groups/<container_id> (created here) and the
  // pid joins it too. Schemas are one write: l3CacheSchema, memBwSchema,
  // then the schemata lines. On error nothing this call made is left.
  static Result<ResctrlGroup> Join(const std::string& root, const spec::IntelRdt& rdt,
                                   const std::string& container_id, pid_t pid,
                                   std::shared_ptr<const ResctrlFs> fs = KernelResctrlFs());

  // `update --l3-cache-schema/--mem-bw-schema` (l3, mb; resctrl_update.cc): one
  // write of the non-empty schema lines (the kernel applies all or none).
  // runc's errors when the host lacks CAT (info/L3) or MBA (info/MB); the
  // root group (closID "/") is shared and refused. Returns the group's
  // schemata lines for those resources as they were, for RestoreSchemata.
  Result<std::string> UpdateSchemas(const std::string& l3, const std::string& mb) const;
  Status RestoreSchemata(const std::string& old_lines) const;

  // Moves another process (an exec'd one) into the group and mon group.
  Status AddProcess(pid_t pid) const;

  // Removes the mon group, and the group if Join created it for a config
  // without closID; a closID group stays, even one Join made (it is named
  // for sharing). Ok when already gone.
  Status Destroy();

  // What delete and exec need, for the state dir; Load reverses it.
  std::string Serialize() const;
  static Result<ResctrlGroup> Load(std::string_view serialized,
                                   std::shared_ptr<const ResctrlFs> fs = KernelResctrlFs());

  std::string GroupPath() const;     // <root> for the root group
  std::string MonGroupPath() const;  // "" without a monitoring group
  bool created_group() const { return created_; }

 private:
  ResctrlGroup(std::string root, std::shared_ptr<const ResctrlFs> fs)
      : root_(std::move(root)), fs_(std::move(fs)) {}
  Status Setup(const spec::IntelRdt& rdt, const std::string& container_id, pid_t pid);
  Status MakeDir(const std::string& path, bool mon_group) const;
  Status RemoveDir(const std::string& path) const;
  Status WriteFile(const std::string& path, std::string_view value) const;

  std::string root_;
  std::shared_ptr<const ResctrlFs> fs_;
  std::string group_;     // "" is the root group
  bool created_ = false;  // Destroy removes group_ (Join made it; no closID)
  std::string mon_;       // mon group name Join made; "" when none
};

}  // namespace berth::intelrdt
