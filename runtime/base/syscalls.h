// The kernel seam: every raw system call berth makes that glibc does not wrap
// (or wraps only in newer versions), in one place, each a thin inline
// wrapper with the kernel's return convention (-1 and errno on failure).
// Callers include this instead of <sys/syscall.h>. The new mount API
// (fsopen, fsconfig, fsmount, move_mount, open_tree, mount_setattr) is
// glibc's own (2.36+, <sys/mount.h>) and is used from there.
#pragma once

#include <linux/capability.h>
#include <linux/openat2.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

namespace berth::sys {

// The kernel's struct clone_args (v0 layout, 64 bytes).
struct CloneArgs {
  uint64_t flags = 0;
  uint64_t pidfd = 0;
  uint64_t child_tid = 0;
  uint64_t parent_tid = 0;
  uint64_t exit_signal = 0;
  uint64_t stack = 0;
  uint64_t stack_size = 0;
  uint64_t tls = 0;
  uint64_t set_tid = 0;
  uint64_t set_tid_size = 0;
  uint64_t cgroup = 0;  // with CLONE_INTO_CGROUP: an fd of a cgroup v2 directory
};
// The first layout (5.3): kernels before 5.7 refuse the longer one.
inline constexpr size_t kCloneArgsSizeVer0 = 64;

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

// clone3(2) used like fork(): the child returns 0 with a copy of the memory.
// `size` is kCloneArgsSizeVer0 unless a later field (cgroup) is used.
inline pid_t Clone3(CloneArgs& args, size_t size = kCloneArgsSizeVer0) {
  return static_cast<pid_t>(syscall(SYS_clone3, &args, size));
}

inline int PidfdOpen(pid_t pid, unsigned flags) {
  return static_cast<int>(syscall(SYS_pidfd_open, pid, flags));
}

inline int PidfdSendSignal(int pidfd, int sig, siginfo_t* info, unsigned flags) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, info, flags));
}

inline int CloseRange(unsigned first, unsigned last, unsigned flags) {
  return static_cast<int>(syscall(SYS_close_range, first, last, flags));
}

inline int Openat2(int dir_fd, const char* path, open_how* how) {
  return static_cast<int>(syscall(SYS_openat2, dir_fd, path, how, sizeof *how));
}

inline int PivotRoot(const char* new_root, const char* put_old) {
  return static_cast<int>(syscall(SYS_pivot_root, new_root, put_old));
}

// keyctl(KEYCTL_JOIN_SESSION_KEYRING, name): a new session keyring.
inline long KeyctlJoinSessionKeyring(const char* name) {
  constexpr int kKeyctlJoinSessionKeyring = 1;  // <linux/keyctl.h>
  return syscall(SYS_keyctl, kKeyctlJoinSessionKeyring, name);
}

inline long Seccomp(unsigned operation, unsigned long flags, void* args) {
  return syscall(SYS_seccomp, operation, flags, args);
}

inline int Capget(__user_cap_header_struct* header, __user_cap_data_struct* data) {
  return static_cast<int>(syscall(SYS_capget, header, data));
}

inline int Capset(__user_cap_header_struct* header, const __user_cap_data_struct* data) {
  return static_cast<int>(syscall(SYS_capset, header, data));
}

// attr: the kernel's struct sched_attr (not in glibc's headers).
inline int SchedSetattr(pid_t pid, void* attr, unsigned flags) {
  return static_cast<int>(syscall(SYS_sched_setattr, pid, attr, flags));
}

inline int IoprioSet(int which, int who, int ioprio) {
  return static_cast<int>(syscall(SYS_ioprio_set, which, who, ioprio));
}

inline long SetMempolicy(int mode, const unsigned long* nodemask, unsigned long maxnode) {
  return syscall(SYS_set_mempolicy, mode, nodemask, maxnode);
}

inline long Bpf(int command, void* attr, unsigned size) { return syscall(SYS_bpf, command, attr, size); }

}  // namespace berth::sys
