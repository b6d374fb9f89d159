// Helpers for tests that need root: a forked child in fresh namespaces, a
// busybox rootfs, /proc/self/mountinfo lookups.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/base/error.h"

namespace berth::testing {

bool RunningAsRoot();

// Runs body in a forked child after unshare(unshare_flags); with CLONE_NEWNS
// the child's "/" is made rslave first, so nothing it mounts reaches the
// host. Returns what body returns ("" means success) or why the child died.
std::string RunInChild(const std::function<std::string()>& body, int unshare_flags);

// A temporary directory, removed (without crossing mounts) on destruction.
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

// dir/{bin,etc,tmp} with a copy of /bin/busybox as bin/busybox and bin/sh
// (testing/busybox_rootfs.h with the few entries these tests need).
Status MakeBusyboxRootfs(const std::string& dir);

struct MountEntry {
  std::string root;  // field 4: path within the source filesystem
  std::string mount_point;
  std::string mount_options;  // per-mount: rw,nosuid,...
  std::string fstype;
  std::string source;
  std::string super_options;  // per-superblock: mode=755,size=...
  std::string optional;       // propagation tags: "shared:3 master:1", "unbindable"
};

// The topmost /proc/self/mountinfo entry mounted at mount_point.
std::optional<MountEntry> FindMount(const std::string& mount_point);
// Every /proc/self/mountinfo entry, in order.
std::vector<MountEntry> AllMounts();
// The whole /proc/self/mountinfo.
std::string MountInfo();

// True when the comma-separated list contains option exactly.
bool HasOption(const std::string& options, const std::string& option);

std::string ReadFile(const std::string& path);
void WriteFile(const std::string& path, const std::string& text);

}  // namespace berth::testing

// For child bodies: report the first failed condition with its line.
#define CHILD_CHECK(cond)                                                                           \
  do {                                                                                              \
    if (!(cond)) return std::string("line ") + std::to_string(__LINE__) + ": check failed: " #cond; \
  } while (0)

// Runs a Status expression; reports its error text.
#define CHILD_OK(expr)                                                     \
  do {                                                                     \
    auto child_ok_status_ = (expr);                                        \
    if (!child_ok_status_.ok())                                            \
      return std::string("line ") + std::to_string(__LINE__) +             \
             ": " #expr " failed: " + child_ok_status_.error().ToString(); \
  } while (0)
