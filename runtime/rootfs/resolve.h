// Resolution of container paths beneath the rootfs by file descriptor, so a
// symlink in the rootfs (absolute or "../..") can never lead outside it and a
// path string is never re-resolved between check and use (CVE-2021-30465,
// CVE-2024-45310).
#pragma once

#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "runtime/base/unique_fd.h"

namespace berth::rootfs {

using base::UniqueFd;

// openat2(root_fd, path, flags, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra):
// symlinks are resolved as if root_fd were "/". flags gets O_CLOEXEC added.
Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, uint64_t extra_resolve = 0);

// Like OpenInRoot with O_PATH, but refuses any symlink on the way
// (RESOLVE_NO_SYMLINKS): for /proc and /sys, which must be real directories.
Result<UniqueFd> OpenInRootNoSymlinks(int root_fd, std::string_view path, int flags);

enum class TargetKind { kDirectory, kFile };

// Returns an O_PATH fd of path beneath root_fd, creating what is missing:
// directories (0755) on the way and the last component as a directory or an
// empty file (0644). Creation is relative to the parent's fd with
// mkdirat/openat(O_NOFOLLOW); a symlink met on the way is followed by hand,
// clamped to root_fd, so a dangling symlink's target is created inside.
Result<UniqueFd> CreateInRoot(int root_fd, std::string_view path, TargetKind kind);

// Lexical clean-up, as filepath.Clean: "/a//b/./c/" -> "/a/b/c",
// "x/../../proc" -> "/proc" (".." never goes above "/"). Checks such as
// "only proc on /proc" run on this form, so ".." cannot sneak past them.
std::string CleanPath(std::string_view path);

// The path of an fd for *at/mount(2) calls that need a string: "/proc/self/fd/N".
std::string FdPath(int fd);

}  // namespace berth::rootfs
