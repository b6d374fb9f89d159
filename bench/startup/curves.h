// How cost grows (docs/benchmarks.md, "Curves"): the lifecycle commands with
// 0, 100 and 1,000 containers present, throughput with 1..8 concurrent
// callers, `delete --force` of a container holding 100 processes, and every
// command's peak RSS. All runtimes are measured in one run, interleaved: each
// iteration runs every runtime once, in an order that rotates.
//
// The containers "present" are started containers of a static pause (one
// sleeping process each): a created-but-not-started container keeps the
// runtime's init waiting (runc's is a Go process of ~10 MiB), a started one
// only the payload. Every runtime has the same number at every point, so the
// host-wide cost (processes, cgroups, namespaces) is the same for all.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/startup/stats.h"
#include "runtime/base/error.h"

namespace berth::bench {

struct CurveRuntime {
  std::string name;        // "berth", "runc", "crun"
  std::string path;        // the binary
  std::string state_root;  // its --root
};

struct CurveSetup {
  std::vector<CurveRuntime> runtimes;
  std::string true_bundle;                  // args ["/bin/true"]
  std::string pause_bundle;                 // args ["/bin/pause"]
  std::string spawn_bundle;                 // args ["/bin/spawn", "<spawn_processes>"]
  std::string id_prefix;                    // every container id made here starts with it
  std::vector<int> sizes = {0, 100, 1000};  // containers present
  std::vector<int> callers = {1, 2, 4, 8};  // concurrent `run`s in flight
  int spawn_processes = 100;
  int iterations = 10;
};

// Registers curve_throughput/C, curve_delete_100_processes and
// curve_lifecycle/N (in growing N: the population only grows). Their
// samples go to new rows in `rows` (family "create @N", ...). Run without
// random interleaving: the interleaving is inside each benchmark.
void RegisterCurves(const CurveSetup& setup, std::vector<std::unique_ptr<SummaryRow>>* rows);

// Deletes (--force) every container in the runtimes' state roots whose id
// starts with id_prefix, then removes the cgroup directories under
// /sys/fs/cgroup whose name starts with id_prefix that a runtime left.
// Safe to call any number of times; the last error, if any.
Status TearDownCurves(const CurveSetup& setup);

// SIGINT, SIGTERM and SIGHUP set a flag instead of killing the benchmark, so
// that the teardown still runs; benchmarks stop at the next command.
void InstallCurveStopHandlers();
bool CurveStopRequested();

// The children of `pid` listed by /proc/PID/task/PID/children (for waiting
// until the spawn payload has all its processes).
Result<int> CountChildren(int pid);

// Directories under `root` (depth-first, deepest first) whose name starts
// with `prefix`, not following symlinks, at most `max_depth` levels down.
std::vector<std::string> FindDirsWithPrefix(const std::string& root, const std::string& prefix,
                                            int max_depth);

}  // namespace berth::bench
