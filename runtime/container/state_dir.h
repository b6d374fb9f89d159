// A container's state directory, <root>/<id>:
//
//   init         "PID STARTTIME CREATED_UNIX_NS\n" of the container init, written
//                right after clone (so a half-created container can be cleaned up)
//   cgroup       the cgroup manager's serialized form, written BEFORE the
//                first mkdir (intent: a killed create stays deletable)
//   intelrdt     the resctrl group (linux.intelRdt), for exec and delete;
//                its intent is written before the group is made
//   config.json  the config the container was created from (hooks for delete)
//   exec.fifo    present while the container is "created"; `start` opens it
//   state.json   the OCI state, written LAST: its presence marks create complete
//
// Every file is written atomically (temp file in the same dir + rename).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"

namespace berth::container {

inline constexpr std::string_view kInitFile = "init";
inline constexpr std::string_view kCgroupFile = "cgroup";
inline constexpr std::string_view kIntelRdtFile = "intelrdt";
inline constexpr std::string_view kConfigFile = "config.json";
inline constexpr std::string_view kExecFifo = "exec.fifo";
inline constexpr std::string_view kStateFile = "state.json";

// Container ids as runc accepts them: [A-Za-z0-9_+.-]+, not "." or "..".
Status ValidateContainerId(std::string_view id);

// Writes `content` to `path` via a temp file in the same directory + rename,
// so readers see the old file or the new one, never a partial one.
Status WriteFileAtomic(const std::string& path, std::string_view content, mode_t mode);

struct InitRecord {
  pid_t pid = 0;
  uint64_t start_time = 0;  // /proc/PID/stat field 22
  int64_t created_ns = 0;   // CLOCK_REALTIME at create, for `list`
};
std::string FormatInitRecord(const InitRecord& record);
Result<InitRecord> ParseInitRecord(std::string_view text);

// The facts a status is derived from, and the derivation (pure).
enum class DerivedStatus { creating, created, running, stopped, paused };
struct StatusFacts {
  bool complete = false;      // state.json present
  bool init_alive = false;    // pid alive with the recorded start time
  bool fifo_present = false;  // exec.fifo present
  bool frozen = false;        // cgroup frozen
};
DerivedStatus DeriveStatus(const StatusFacts& facts);

class StateDir {
 public:
  // mkdir <root> (0700, with parents) and <root>/<id> (0711) exclusively:
  // an existing directory is "container with id ... already exists".
  static Result<StateDir> Create(const std::string& root, std::string_view id);
  // Opens an existing state dir: "container ... does not exist" otherwise.
  static Result<StateDir> Open(const std::string& root, std::string_view id);
  // Ids of every state dir under root (none when root does not exist).
  static Result<std::vector<std::string>> ListIds(const std::string& root);

  const std::string& path() const { return path_; }
  const std::string& id() const { return id_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }
  bool Exists(std::string_view name) const;

  Status Write(std::string_view name, std::string_view content, mode_t mode = 0600) const;
  Result<std::string> Read(std::string_view name) const;
  // Removes the files inside and the directory; ok when already gone.
  Status Remove() const;

 private:
  StateDir(std::string path, std::string id) : path_(std::move(path)), id_(std::move(id)) {}
  std::string path_;
  std::string id_;
};

}  // namespace berth::container
