// The parent/child synchronisation protocol of `create`, over a
// SOCK_SEQPACKET socketpair (one message per packet, boundaries kept).
//
//   parent (berth create)                        child (container init)
//   ---------------------                        ----------------------
//   clone3(CLONE_NEW*) ------------------------> JoinNamespaces
//
//   (staged entry, ns::NeedsStagedEntry: clone3 creates no namespace; the
//   child joins, then unshares, and forks the init inside them)
//   clone3() ----------------------------------> JoinNamespaces, unshare(CLONE_NEW*)
//                <------------------------------- kUnshared
//   id maps of the new user namespace
//   kMappingsDone ----------------------------->  become root, clone3(CLONE_PARENT)
//                <------------------------------- kInitPid(pid); the first child exits
//   (the init, the runtime's child too, goes on with the same socket)
//
//   id maps (not staged)
//   kSetupDone -------------------------------->  become root in new userns,
//   ---- in parallel: the cgroup attach is off the critical path ----
//   cgroup AddProcess + resources, intelRdt,     rootfs: propagation, rootfs bind,
//   net devices (a cold v1 cgroup.procs write    config mounts up to the first
//   waits for an RCU grace period, ~8 ms)        "cgroup" mount
//   kInCgroup -------------------------------->  (waited for only where needed:
//                                                 before unsharing a new cgroup
//                                                 namespace, a "cgroup" mount, the
//                                                 device nodes, else before
//                                                 kRootfsReady)
//   ---- end of the parallel part ----           UnshareLateNamespaces, rest of
//                                                 PrepareRootfs
//                <------------------------------- kRootfsReady
//   prestart + createRuntime hooks
//   kHooksDone(state JSON) -------------------->  createContainer hooks, EnterRootfs,
//                                                 sysctl, hostname, console, process
//                                                 attributes, user, caps, LSM, seccomp,
//                                                 chdir (verified)
//                <------------------------------- kCreated
//   write state.json + pid file, exit            block on exec.fifo until `start`
//
// `exec` speaks the same messages (runtime/exec/exec.h draws it):
//
//   parent (berth exec)                          intermediate child, then the process
//   -------------------                          ------------------------------------
//   clone3 (into the unified cgroup) ----------> non-dumpable
//   ---- in parallel ----
//   attach the intermediate (v1, resctrl)        setns(pidfd), chroot
//   kInCgroup -------------------------------->  (waited for before the fork)
//   ---- end of the parallel part ----           clone3(CLONE_PARENT): the process,
//                                                 born in the cgroups
//                <------------------------------- kInitPid(pid); the intermediate exits
//   kSetupDone(listener message), only with a     (the process prepares meanwhile;
//   seccomp listener -------------------------->  waits for it before kError or execve)
//                <------------------------------- kError, or EOF: execve succeeded
//
// If the child fails during the parallel part its kError is queued before
// kRootfsReady would be: the parent's later send of kInCgroup may fail
// (EPIPE), and the wait for kRootfsReady then reports the child's error.
//
// Either side may instead send kError(errno, text): the child when a step
// fails (the parent then kills it and cleans up), the parent when its own step
// fails (the child exits). End of file means the peer died. Every wait names
// the message it expects and rejects any other.
//
// A child that failed has sent its kError before exiting, so a parent step
// that fails afterwards (a send hitting EPIPE, a write to the dead init's
// cgroup or id maps) is a consequence: the parent reports the child's error
// (PendingPeerError) rather than its own.
//
// Framing: a message is one or more packets of at most kSyncChunkBytes,
// each "type, errno, flags" + a slice of the payload; all but the last carry
// kSyncMore. So a payload of any size (the state JSON with tens of MB of
// annotations) crosses the socket, whatever its buffer size.
#pragma once

#include <sys/types.h>
#include <cstddef>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/base/error.h"

namespace berth::container {

enum class SyncType : uint32_t {
  kSetupDone = 1,
  kRootfsReady = 2,
  kHooksDone = 3,
  kCreated = 4,
  kError = 5,
  kUnshared = 6,
  kMappingsDone = 7,
  kInitPid = 8,
  kInCgroup = 9,  // create: the init is in its cgroup(s), resources applied;
                  // exec: the intermediate is, so what it forks is born there
};

std::string_view SyncTypeName(SyncType type);

inline constexpr size_t kSyncChunkBytes = size_t{64} * 1024;
// Messages above this are refused (EMSGSIZE) rather than buffered.
inline constexpr size_t kSyncMaxPayloadBytes = 512u << 20;
inline constexpr uint32_t kSyncMore = 1;

struct SyncMessage {
  SyncType type = SyncType::kError;
  int32_t error_code = 0;  // errno of a kError
  std::string payload;     // kError: the message; kHooksDone: the state JSON;
                           // kInitPid: the init's (exec: the process's) pid
                           // (decimal); kSetupDone of exec (sent only with
                           // a seccomp listener): the listener message
};

// One packet, decoded (exposed for the fuzzer): EPROTO when it is shorter
// than its header, of an unknown type, or has unknown flags.
struct SyncPacket {
  SyncType type = SyncType::kError;
  int32_t error_code = 0;
  bool more = false;
  std::string_view payload;
};
Result<SyncPacket> DecodeSyncPacket(std::string_view packet);

// One end of the socketpair. Owns the fd.
class SyncSocket {
 public:
  explicit SyncSocket(int fd = -1) : fd_(fd) {}
  SyncSocket(SyncSocket&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  SyncSocket& operator=(SyncSocket&& other) noexcept;
  SyncSocket(const SyncSocket&) = delete;
  SyncSocket& operator=(const SyncSocket&) = delete;
  ~SyncSocket();

  // A connected SOCK_SEQPACKET|SOCK_CLOEXEC pair: {parent end, child end}.
  static Result<std::pair<SyncSocket, SyncSocket>> Pair();

  int fd() const { return fd_; }
  void Close();

  Status Send(const SyncMessage& message);
  Status Send(SyncType type, std::string payload = "");
  // Sends kError carrying the error's errno and text.
  Status SendError(const Error& error);

  // Receives one message; end of file is an error (ECONNRESET).
  Result<SyncMessage> Receive();

  // A kError the peer sent and this end has not read yet, without blocking:
  // after the peer died, its report is still queued here.
  std::optional<Error> PendingPeerError();

  // Receives the next message and requires it to be `expected`. A kError from
  // the peer comes back as that Error; anything else is a protocol error.
  Result<SyncMessage> WaitFor(SyncType expected);

 private:
  int fd_;
};

// The payload of kInitPid (create's staged entry: the init; exec: the
// process the intermediate child cloned): a positive decimal pid, anything
// else an EPROTO error.
Result<pid_t> ParseReportedPid(const SyncMessage& message);

}  // namespace berth::container
