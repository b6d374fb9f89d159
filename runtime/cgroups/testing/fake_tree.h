// Temporary directory trees laid out like cgroup v1 and v2 hierarchies, and
// a CgroupFs that records device programs instead of loading them, so the
// managers run unprivileged against them.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/cgroups/cgroup_fs.h"

namespace berth::cgroups::testing {

// A fresh directory under $TEST_TMPDIR (or /tmp), removed with its content.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Creates parent directories as needed.
void WriteFile(const std::string& path, const std::string& content);
// The content, or "<missing>" when the file does not exist.
std::string ReadFile(const std::string& path);
bool Exists(const std::string& path);

// The files a v1 hierarchy's root holds on a 6.x kernel, per controller.
const std::vector<std::string>& V1Files(const std::string& controller);

// root/<controller>/ with V1Files(controller) for each controller.
// cpuset.cpus / cpuset.mems of the root get "0-1" / "0".
void MakeV1Tree(const std::string& root, const std::vector<std::string>& controllers);

// A cgroup2 root offering `controllers` (cgroup.controllers), with the core
// files and every controller's interface files (the kernel only shows them
// in child cgroups; the fake copies the root's files into each new cgroup).
void MakeV2Tree(const std::string& root, const std::vector<std::string>& controllers);

// A CgroupFs over a plain directory tree that imitates what the kernel does
// for a real cgroupfs: mkdir populates the new directory with (empty) copies
// of the parent's files, rmdir removes those files first, and any directory
// counts as a v1 hierarchy.
class DirectoryCgroupFs : public CgroupFs {
 public:
  explicit DirectoryCgroupFs(std::string root) : CgroupFs(std::move(root)) {}
  bool IsV1Hierarchy(std::string_view cgroup) const override;
  Result<std::vector<std::string>> MakeDirs(std::string_view cgroup) const override;
  Status RemoveDir(std::string_view cgroup) const override;
};

// A CgroupFsFactory (layout.h) for LoadManagerOn over temporary trees.
std::shared_ptr<const CgroupFs> MakeDirectoryCgroupFs(const std::string& root);

// A DirectoryCgroupFs that logs every write and keeps device programs.
class RecordingCgroupFs : public DirectoryCgroupFs {
 public:
  explicit RecordingCgroupFs(std::string root) : DirectoryCgroupFs(std::move(root)) {}
  Status Write(std::string_view cgroup, std::string_view file, std::string_view value) const override;
  Status AttachDeviceFilter(std::string_view cgroup, const std::vector<bpf_insn>& program) const override;

  // "/memory/berth/c1/memory.limit_in_bytes=1024" for each successful write, in order.
  mutable std::vector<std::string> writes;
  // The values written to one file ("/berth/c1", "cgroup.procs"), in order.
  std::vector<std::string> WritesTo(const std::string& cgroup, const std::string& file) const;
  // cgroup path ("/berth/c1") -> every program attached there, in order.
  mutable std::map<std::string, std::vector<std::vector<bpf_insn>>> attached;
};

// Runs a device program (the instruction subset CompileDeviceFilter emits)
// on one access; returns its verdict (1 allow, 0 deny), or -1 for an
// instruction outside the subset or a run past the end.
int RunDeviceProgram(const std::vector<bpf_insn>& program, char type, int major, int minor, char access);

}  // namespace berth::cgroups::testing
