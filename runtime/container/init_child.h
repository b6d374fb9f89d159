// The container init, CHILD side: runs in the process clone3() made, from the
// namespaces to execve of the user process, in the order the spec and the
// security notes require. Never returns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/container/sync.h"
#include "runtime/process/seccomp.h"
#include "runtime/rootfs/rootfs.h"
#include "spec/config.h"

namespace berth::container {

struct InitContext {
  const spec::Config* config = nullptr;  // the parent's copy (clone copies memory)
  rootfs::RootfsOptions rootfs;
  std::string container_id;
  SyncSocket* sync = nullptr;  // the child's end
  int exec_fifo_fd = -1;       // O_PATH fd of <state dir>/exec.fifo
  // O_PATH fd of the init's /proc/self/fd, opened before entering the root,
  // which need not have a /proc: the fifo is reopened through it.
  int own_fds_dir = -1;
  int console_socket_fd = -1;  // connected console socket, or -1
  int extra_fds = 0;           // fds 3 .. 3+extra-1 are handed to the process
  bool new_user_ns = false;    // the init gets a new user namespace
  // Staged entry (ns::NeedsStagedEntry): the CLONE_NEW* flags to unshare
  // after joining; the init is then forked inside them. 0: clone3 made them.
  bool staged = false;
  uint64_t unshare_flags = 0;
  bool no_new_keyring = false;
  // process::ChangedSignalDispositions() of the parent, reset by the init.
  uint64_t changed_signals = ~uint64_t{0};
  std::optional<process::SeccompFilter> seccomp;
  int seccomp_listener_fd = -1;  // connected to linux.seccomp.listenerPath on the host, or -1
};

// Runs the init sequence. Before the container is "created" a failure goes
// to the parent over the sync socket; afterwards (startContainer hooks,
// seccomp, execve) it is written to the exec fifo, where `start` reads it.
[[noreturn]] void RunInit(InitContext& ctx);

}  // namespace berth::container
