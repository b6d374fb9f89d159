// Small helpers shared by the case files.
#pragma once

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <optional>
#include <string>
#include <vector>

#include "conformance/harness/case.h"
#include "conformance/harness/container.h"
#include "conformance/harness/probe_report.h"
#include "conformance/harness/process.h"

namespace berth::conformance {

namespace json = spec::json;

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
inline bool ActionOk(const json::Value& report, const std::string& op, const std::string& arg) {
  const json::Value* a = ActionResult(report, op, arg);
  return a && a->Find("ok") && a->Find("ok")->as_int() == 1;
}
inline int ActionErrno(const json::Value& report, const std::string& op, const std::string& arg) {
  const json::Value* a = ActionResult(report, op, arg);
  return a && a->Find("errno") ? static_cast<int>(a->Find("errno")->as_int()) : -1;
}
inline std::string ActionData(const json::Value& report, const std::string& op, const std::string& arg) {
  const json::Value* a = ActionResult(report, op, arg);
  return a && a->Find("data") ? a->Find("data")->as_string() : "";
}

// A short description of what a report field holds, for failure details.
inline std::string Field(const json::Value& report, const char* dotted) {
  const json::Value* v = report.At(dotted);
  return v ? v->Dump() : "absent";
}

// Host cgroup v1 directory of a controller for a cgroupsPath like /conformance/<id>.
inline std::string CgroupV1Dir(const std::string& controller, const std::string& cgroups_path) {
  return "/sys/fs/cgroup/" + controller + cgroups_path;
}

// What is wrong with the default devices the probe's "dev" listing shows
// (config-linux.md "Default Devices"): null zero full random urandom tty as
// char devices with their numbers and mode 0666, /dev/ptmx a symlink to
// pts/ptmx or char 5:2. Empty when all are right.
inline std::string DefaultDevicesProblems(const json::Value& report) {
  std::string problems;
  const json::Value* dev = report.Find("dev");
  std::vector<json::Value> entries = dev ? dev->items : std::vector<json::Value>{};
  struct Expected {
    const char* path;
    int major, minor;
  };
  for (auto [name, major, minor] : {Expected{"/dev/null", 1, 3},
                                    {"/dev/zero", 1, 5},
                                    {"/dev/full", 1, 7},
                                    {"/dev/random", 1, 8},
                                    {"/dev/urandom", 1, 9},
                                    {"/dev/tty", 5, 0}}) {
    const json::Value* found = nullptr;
    for (const auto& d : entries)
      if (d["path"].as_string() == name) found = &d;
    if (!found) {
      problems += std::string(name) + " missing; ";
    } else if ((*found)["type"].as_string() != "char" || (*found)["major"].as_int() != major ||
               (*found)["minor"].as_int() != minor || (*found)["mode"].as_int() != 0666) {
      problems += std::string(name) + " is " + found->Dump() + " (expected char " + std::to_string(major) +
                  ":" + std::to_string(minor) + " mode 0666); ";
    }
  }
  bool ptmx = false;
  for (const auto& d : entries)
    if (d["path"].as_string() == "/dev/ptmx")
      ptmx = (d["type"].as_string() == "symlink" && d["target"].as_string() == "pts/ptmx") ||
             (d["type"].as_string() == "char" && d["major"].as_int() == 5 && d["minor"].as_int() == 2);
  if (!ptmx) problems += "/dev/ptmx is neither a symlink to pts/ptmx nor char 5:2; ";
  return problems;
}

}  // namespace berth::conformance
