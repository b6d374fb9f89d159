// `berth run` (runc's semantics; crun's libcrun_container_run is the same
// split): Create then Start, and without detach stay in the foreground as the
// init's parent until it exits. The CLI only parses flags into RunOptions.
#pragma once

#include "runtime/base/error.h"
#include "runtime/container/container.h"

namespace berth::container {

struct RunOptions {
  CreateOptions create;
  // -d: return once started; the init is left to whoever reaps orphans.
  bool detach = false;
  // --keep (foreground only, as runc): leave the stopped container for
  // `state` and `delete` instead of deleting it once the process has exited.
  bool keep = false;
};

// Creates and starts the container. A failed start deletes it (nothing left
// behind, as for a failed Create). Detached: returns 0 once started. In the
// foreground: signals sent to the caller are forwarded to the init, its pty is
// relayed to the caller's stdio when process.terminal is set and no
// --console-socket was given, every child is reaped (the caller becomes a
// child subreaper), and the init's exit status is returned as a shell reports
// it (128 + signal when killed); the container is then deleted unless keep.
Result<int> Run(const RuntimeOptions& runtime, const RunOptions& options);

}  // namespace berth::container
