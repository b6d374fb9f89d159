// Access to one cgroup hierarchy through its root directory.
//
// Managers never touch /sys/fs/cgroup directly: they go through a CgroupFs so
// tests can run them against a temporary directory laid out like a cgroup v1
// or v2 tree, with a fake (testing/fake_tree.h: DirectoryCgroupFs) that
// overrides the calls whose effect the kernel adds to: mkdir populating the
// new cgroup with its files, rmdir of a directory that holds files, and the
// filesystem type of a hierarchy.
//
// Cgroup paths are written "/a/b" (relative to the hierarchy root, leading
// slash); "" or "/" is the root itself.
#pragma once

#include <linux/bpf.h>

#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"

namespace berth::cgroups {

class CgroupFs {
 public:
  explicit CgroupFs(std::string root) : root_(std::move(root)) {}
  virtual ~CgroupFs() = default;

  const std::string& root() const { return root_; }

  // root + cgroup path (+ "/" + file).
  std::string DirPath(std::string_view cgroup) const;
  std::string FilePath(std::string_view cgroup, std::string_view file) const;

  // Writes value to an existing file (never creates one: a missing file
  // means the controller or feature is absent). Retries EINTR. Virtual so
  // tests can record the sequence of writes.
  virtual Status Write(std::string_view cgroup, std::string_view file, std::string_view value) const;
  Result<std::string> Read(std::string_view cgroup, std::string_view file) const;
  // The cgroup.procs of `cgroup` and of every cgroup beneath it, in that
  // order, as text: a container's processes may sit in nested cgroups (its
  // own, with a cgroup namespace and a writable mount, or a systemd's).
  Result<std::string> ReadProcsInTree(std::string_view cgroup) const;
  bool FileExists(std::string_view cgroup, std::string_view file) const;
  bool DirExists(std::string_view cgroup) const;
  // A cgroup v1 hierarchy is mounted at this directory (one statfs:
  // CGROUP_SUPER_MAGIC). A directory named like a controller that is no
  // mount (systemd leaves such placeholders) is not one.
  virtual bool IsV1Hierarchy(std::string_view cgroup) const;

  // mkdir -p; returns the cgroup paths of the directories it created, from
  // the top down.
  virtual Result<std::vector<std::string>> MakeDirs(std::string_view cgroup) const;
  // Removes the directory and any sub-cgroups below it (deepest first).
  // Success when it does not exist. Retries EBUSY briefly, as a cgroup
  // stays busy for a moment after its last process exits.
  virtual Status RemoveDir(std::string_view cgroup) const;

  // Attaches a BPF_PROG_TYPE_CGROUP_DEVICE program to the cgroup, replacing
  // any program this runtime attached before (v2 device control).
  virtual Status AttachDeviceFilter(std::string_view cgroup, const std::vector<bpf_insn>& program) const;

 private:
  std::string root_;
};

}  // namespace berth::cgroups
