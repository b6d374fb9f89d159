// Small helpers shared by the case files.
#pragma once

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>

#include "conformance/harness/case.h"
#include "conformance/harness/container.h"
#include "conformance/harness/probe_report.h"
#include "conformance/harness/process.h"

namespace berth::conformance {

inline bool PathExists(const std::string& path) {
  struct stat st;
  return lstat(path.c_str(), &st) == 0;
}

// A new bundle, or the case is aborted (and nullopt returned).
inline std::optional<Bundle> NewBundleOrAbort(CaseContext& c) {
  auto b = c.NewBundle();
  if (!b) {
    c.Abort("harness: cannot make a bundle: " + b.error().ToString());
    return std::nullopt;
  }
  return std::move(*b);
}

// Runs the probe to completion, or aborts the case with the failing step.
inline std::optional<ProbeRun> RunOrAbort(CaseContext& c, Bundle& b) {
  auto run = RunProbe(c, b);
  if (!run) {
    c.Abort(run.error().ToString());
    return std::nullopt;
  }
  return std::move(*run);
}

// Exit code from a wait status; -1 if unknown or killed.
inline int ExitCode(int wait_status) {
  if (wait_status < 0 || !WIFEXITED(wait_status)) return -1;
  return WEXITSTATUS(wait_status);
}

inline std::string Quote(const std::string& s) { return "\"" + s + "\""; }

// The value of "read:PATH" from the report ("" if it failed), and whether it worked.
inline bool ActionOk(const Json& report, const std::string& op, const std::string& arg) {
  const Json* a = ActionResult(report, op, arg);
  return a && a->Find("ok") && a->Find("ok")->as_int() == 1;
}
inline int ActionErrno(const Json& report, const std::string& op, const std::string& arg) {
  const Json* a = ActionResult(report, op, arg);
  return a && a->Find("errno") ? static_cast<int>(a->Find("errno")->as_int()) : -1;
}
inline std::string ActionData(const Json& report, const std::string& op, const std::string& arg) {
  const Json* a = ActionResult(report, op, arg);
  return a && a->Find("data") ? a->Find("data")->as_string() : "";
}

// A short description of what a report field holds, for failure details.
inline std::string Field(const Json& report, const char* dotted) {
  const Json* v = report.At(dotted);
  return v ? v->Dump() : "absent";
}

// Host cgroup v1 directory of a controller for a cgroupsPath like /conformance/<id>.
inline std::string CgroupV1Dir(const std::string& controller, const std::string& cgroups_path) {
  return "/sys/fs/cgroup/" + controller + cgroups_path;
}

}  // namespace berth::conformance
