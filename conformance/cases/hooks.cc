// config.md hooks and the hook steps of the runtime.md lifecycle: order,
// namespaces, path resolution, state on stdin, failure semantics, timeouts.
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <thread>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

std::string SelfNs(const char* kind) {
  char buf[128] = {0};
  ssize_t n = readlink((std::string("/proc/self/ns/") + kind).c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

// One line a hook appended to the log: "phase mntns pidns utsns stdin-json".
struct HookLine {
  std::string phase, mnt, pid, uts, extra, state;
};

std::vector<HookLine> ReadHookLog(const std::string& path) {
  std::vector<HookLine> out;
  auto text = ReadFileText(path);
  if (!text) return out;
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    HookLine h;
    std::istringstream fields(line);
    fields >> h.phase >> h.mnt >> h.pid >> h.uts >> h.extra;
    std::getline(fields, h.state);
    if (!h.state.empty() && h.state[0] == ' ') h.state.erase(0, 1);
    out.push_back(h);
  }
  return out;
}

const HookLine* FindPhase(const std::vector<HookLine>& log, const std::string& phase) {
  for (const auto& h : log)
    if (h.phase == phase) return &h;
  return nullptr;
}

int IndexOf(const std::vector<HookLine>& log, const std::string& phase) {
  for (size_t i = 0; i < log.size(); ++i)
    if (log[i].phase == phase) return static_cast<int>(i);
  return -1;
}

// A hook running busybox sh: records its phase, namespaces, an extra word
// (whether the program's marker exists) and the state from stdin.
json::Value Hook(const std::string& path, const std::string& phase, const std::string& log,
                 const std::string& marker = "/nonexistent", int exit_code = 0, int sleep_s = 0) {
  json::Value h = json::Value::Object();
  h["path"] = path;
  std::string script = "state=$(cat); ";
  if (sleep_s) script += "sleep " + std::to_string(sleep_s) + "; ";
  script +=
      "if [ -e " + marker + " ]; then m=program-ran; else m=no-program; fi; echo \"" + phase +
      " $(readlink /proc/self/ns/mnt) $(readlink /proc/self/ns/pid) $(readlink /proc/self/ns/uts) $m $state\" >> " +
      log + "; exit " + std::to_string(exit_code);
  h["args"] = json::Value::Strings({"sh", "-c", script});
  h["env"] = json::Value::Strings({"PATH=/bin:/usr/bin"});
  return h;
}

// Paths that exist only on the host, and only in the container rootfs.
struct HookPaths {
  std::string host_only;       // symlink to the host busybox, outside any rootfs
  std::string container_only;  // "/hook-sh" inside the rootfs
  std::string log_dir;         // host dir, bind-mounted at /hooklog
};

std::optional<HookPaths> PrepareHooks(CaseContext& c, Bundle& b) {
  HookPaths p;
  p.host_only = c.dir() + "/host-only-sh";
  p.log_dir = c.dir() + "/hooklog";
  p.container_only = "/hook-sh";
  mkdir(p.log_dir.c_str(), 0777);
  if (symlink(c.env().busybox.c_str(), p.host_only.c_str()) != 0 && errno != EEXIST) {
    c.Abort("harness: symlink failed");
    return std::nullopt;
  }
  if (symlink("bin/busybox", (b.rootfs + "/hook-sh").c_str()) != 0) {
    c.Abort("harness: symlink in rootfs failed");
    return std::nullopt;
  }
  mkdir((b.rootfs + "/hooklog").c_str(), 0755);
  b.AddMount("/hooklog", "bind", p.log_dir, {"rbind", "rw"});
  return p;
}

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

CONFORMANCE_CASE(hooks_run_in_order_namespace_and_phase, "runtime.md#lifecycle-5", "runtime.md#lifecycle-7",
                 "runtime.md#lifecycle-9", "runtime.md#lifecycle-11", "runtime.md#lifecycle-14",
                 "runtime.md#lifecycle-17", "config.md#prestart-1", "config.md#prestart-2",
                 "config.md#prestart-3", "config.md#prestart-4", "config.md#createruntime-hooks-1",
                 "config.md#createruntime-hooks-2", "config.md#createruntime-hooks-3",
                 "config.md#createcontainer-hooks-1", "config.md#createcontainer-hooks-2",
                 "config.md#createcontainer-hooks-3", "config.md#createcontainer-hooks-4",
                 "config.md#startcontainer-hooks-1", "config.md#startcontainer-hooks-2",
                 "config.md#startcontainer-hooks-3", "config.md#poststart-1", "config.md#poststart-2",
                 "config.md#poststart-3", "config.md#poststop-1", "config.md#poststop-2",
                 "config.md#poststop-3", "config.md#posix-platform-hooks-3",
                 "config.md#posix-platform-hooks-4", "config.md#posix-platform-hooks-7",
                 "config.md#posix-platform-hooks-8", "config.md#posix-platform-hooks-9",
                 "config.md#posix-platform-hooks-10", "config.md#posix-platform-hooks-11",
                 "config.md#posix-platform-hooks-12", "config.md#posix-platform-hooks-13",
                 "config.md#posix-platform-hooks-14", "config.md#posix-platform-hooks-15",
                 "config.md#posix-platform-hooks-16", "config.md#posix-platform-hooks-17",
                 "config.md#posix-platform-hooks-18") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto p = PrepareHooks(c, *b);
  if (!p) return;
  std::string host_log = p->log_dir + "/log";
  json::Value& hooks = b->config["hooks"];
  hooks["prestart"].Push(Hook(p->host_only, "prestart-A", host_log));
  hooks["prestart"].Push(Hook(p->host_only, "prestart-B", host_log));
  hooks["createRuntime"].Push(Hook(p->host_only, "createRuntime", host_log));
  // Before pivot_root the host path of the log is still reachable.
  hooks["createContainer"].Push(Hook(p->host_only, "createContainer", host_log));
  hooks["startContainer"].Push(
      Hook(p->container_only, "startContainer", "/hooklog/log", "/hooklog/program-ran"));
  hooks["poststart"].Push(Hook(p->host_only, "poststart", host_log, p->log_dir + "/program-ran", 0, 1));
  hooks["poststop"].Push(Hook(p->host_only, "poststop", host_log));
  b->SetArgs({"/probe", "write:/hooklog/program-ran", "sleep:2"});
  Container ct(c, *b);
  CommandResult create = ct.Create();
  if (!create.ok()) return c.Abort("create with hooks failed: " + create.Describe());
  auto after_create = ReadHookLog(host_log);
  const std::string host_mnt = SelfNs("mnt"), host_pid = SelfNs("pid");
  // Created-phase hooks ran during create, in listed order.
  for (const char* phase : {"prestart-A", "createRuntime", "createContainer"}) {
    std::string id = std::string(phase) == "prestart-A"      ? "config.md#prestart-1"
                     : std::string(phase) == "createRuntime" ? "config.md#createruntime-hooks-1"
                                                             : "config.md#createcontainer-hooks-1";
    c.Expect(id, FindPhase(after_create, phase) != nullptr,
             std::string(phase) + " hook had not run when create returned");
  }
  c.Expect("config.md#poststart-1", FindPhase(after_create, "poststart") == nullptr,
           "the poststart hook ran during create, before start");
  c.Expect("runtime.md#lifecycle-5", FindPhase(after_create, "prestart-A") != nullptr,
           "prestart hook not invoked");
  c.Expect("runtime.md#lifecycle-7", FindPhase(after_create, "createRuntime") != nullptr,
           "createRuntime hook not invoked");
  c.Expect("runtime.md#lifecycle-9", FindPhase(after_create, "createContainer") != nullptr,
           "createContainer hook not invoked");
  c.Expect("config.md#posix-platform-hooks-17",
           IndexOf(after_create, "prestart-A") >= 0 &&
               IndexOf(after_create, "prestart-A") < IndexOf(after_create, "prestart-B"),
           "prestart hooks did not run in the listed order");
  c.Expect("config.md#prestart-2",
           IndexOf(after_create, "prestart-B") >= 0 &&
               IndexOf(after_create, "prestart-B") < IndexOf(after_create, "createRuntime"),
           "prestart hooks did not all run before createRuntime");
  c.Expect("config.md#createcontainer-hooks-2",
           IndexOf(after_create, "createRuntime") >= 0 &&
               IndexOf(after_create, "createRuntime") < IndexOf(after_create, "createContainer"),
           "createContainer did not run after createRuntime");
  CommandResult start = ct.Start();
  if (!start.ok()) return c.Abort("start with hooks failed: " + start.Describe());
  auto after_start = ReadHookLog(host_log);
  const HookLine* sc = FindPhase(after_start, "startContainer");
  const HookLine* ps = FindPhase(after_start, "poststart");
  c.Expect("runtime.md#lifecycle-11", sc != nullptr, "startContainer hook not invoked by start");
  c.Expect("config.md#startcontainer-hooks-1", sc && sc->extra == "no-program",
           sc ? "startContainer ran after the program had started" : "startContainer hook not invoked");
  c.Expect("runtime.md#lifecycle-14", ps != nullptr, "poststart hook not invoked");
  c.Expect(
      "config.md#poststart-1", ps && ps->extra == "program-ran",
      ps ? "poststart ran before the program had executed" : "poststart had not run when start returned");
  ct.WaitExit(20000);
  auto report = ct.Report();
  if (!report) return c.Abort("no probe report: " + report.error().ToString());
  std::string ctr_mnt = "mnt:[" + std::to_string(NamespaceInode(*report, "mnt")) + "]";
  CommandResult del = ct.Delete();
  if (!del.ok()) return c.Abort("delete failed: " + del.Describe());
  auto log = ReadHookLog(host_log);
  const HookLine* stop = FindPhase(log, "poststop");
  c.Expect("runtime.md#lifecycle-17", stop != nullptr, "poststop hook not invoked");
  c.Expect("config.md#poststop-1", stop != nullptr, "poststop had not run when delete returned");
  auto in_runtime_ns = [&](const char* phase, const std::vector<const char*>& ids) {
    const HookLine* h = FindPhase(log, phase);
    bool ok = h && h->mnt == host_mnt && h->pid == host_pid;
    for (const char* id : ids)
      c.Expect(id, ok,
               h ? std::string(phase) + " ran in mnt " + h->mnt + " pid " + h->pid + ", runtime has " +
                       host_mnt + " " + host_pid
                 : std::string(phase) + " did not run");
  };
  in_runtime_ns("prestart-A", {"config.md#prestart-4", "config.md#posix-platform-hooks-4"});
  in_runtime_ns("createRuntime", {"config.md#createruntime-hooks-3", "config.md#posix-platform-hooks-8"});
  in_runtime_ns("poststart", {"config.md#poststart-3", "config.md#posix-platform-hooks-14"});
  in_runtime_ns("poststop", {"config.md#poststop-3", "config.md#posix-platform-hooks-16"});
  auto in_container_ns = [&](const char* phase, const std::vector<const char*>& ids) {
    const HookLine* h = FindPhase(log, phase);
    bool ok = h && h->mnt == ctr_mnt && h->mnt != host_mnt;
    for (const char* id : ids)
      c.Expect(id, ok,
               h ? std::string(phase) + " ran in " + h->mnt + ", container has " + ctr_mnt
                 : std::string(phase) + " did not run");
  };
  in_container_ns("createContainer",
                  {"config.md#createcontainer-hooks-4", "config.md#posix-platform-hooks-10"});
  in_container_ns("startContainer",
                  {"config.md#startcontainer-hooks-3", "config.md#posix-platform-hooks-12"});
  // Paths: host-only paths worked for runtime-namespace phases (and for
  // createContainer, whose path resolves in the runtime namespace); the
  // container-only path worked for startContainer.
  auto ran = [&](const char* phase, const std::vector<const char*>& ids, const std::string& path) {
    for (const char* id : ids)
      c.Expect(id, FindPhase(log, phase) != nullptr,
               std::string(phase) + " hook with path " + path + " did not run");
  };
  ran("prestart-A", {"config.md#prestart-3", "config.md#posix-platform-hooks-3"}, p->host_only);
  ran("createRuntime", {"config.md#createruntime-hooks-2", "config.md#posix-platform-hooks-7"}, p->host_only);
  ran("createContainer", {"config.md#createcontainer-hooks-3", "config.md#posix-platform-hooks-9"},
      p->host_only);
  ran("startContainer", {"config.md#startcontainer-hooks-2", "config.md#posix-platform-hooks-11"},
      p->container_only);
  ran("poststart", {"config.md#poststart-2", "config.md#posix-platform-hooks-13"}, p->host_only);
  ran("poststop", {"config.md#poststop-2", "config.md#posix-platform-hooks-15"}, p->host_only);
  // State on stdin: valid JSON naming this container and bundle, every phase.
  std::string bad;
  for (const auto& h : log) {
    auto state = json::Parse(h.state);
    if (!state) {
      bad += h.phase + ": not JSON (" + h.state.substr(0, 60) + "); ";
      continue;
    }
    if (!state->Find("id") || state->Find("id")->as_string() != b->id)
      bad += h.phase + ": id " + Field(*state, "id") + "; ";
    if (!state->Find("bundle") || state->Find("bundle")->as_string() != b->dir)
      bad += h.phase + ": bundle " + Field(*state, "bundle") + "; ";
    if (!state->Find("status")) bad += h.phase + ": no status; ";
  }
  c.Expect("config.md#posix-platform-hooks-18", bad.empty() && log.size() >= 7,
           "hook stdin state: " + bad + " (" + std::to_string(log.size()) + " hook lines)");
}

namespace {

// A hook of the given phase exits 1: the operation must fail and the
// container must not be left running.
void FailingHookCase(CaseContext& c, const std::string& phase, const std::string& id) {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto p = PrepareHooks(c, *b);
  if (!p) return;
  std::string log = p->log_dir + "/log";
  bool in_container = phase == "startContainer";
  b->config["hooks"][phase].Push(Hook(in_container ? p->container_only : p->host_only, phase,
                                      in_container ? "/hooklog/log" : log, "/nonexistent", 1));
  b->SetArgs({"/probe", "write:/hooklog/program-ran", "sleep:5"});
  Container ct(c, *b);
  CommandResult create = ct.Create();
  bool create_phase = phase == "prestart" || phase == "createRuntime" || phase == "createContainer";
  if (create_phase) {
    c.Expect(id, !create.ok(), "create succeeded although a " + phase + " hook exited 1");
    std::string status = ct.Status();
    c.Expect(id, status.empty() || status == "stopped",
             "after the failed " + phase + " hook the container is " + Quote(status));
  } else {
    if (!create.ok()) return c.Abort("create failed: " + create.Describe());
    CommandResult start = ct.Start();
    c.Expect(id, !start.ok(), "start succeeded although a " + phase + " hook exited 1");
    Sleep(300);
    std::string status = ct.Status();
    c.Expect(id, status.empty() || status == "stopped",
             "after the failed " + phase + " hook the container is " + Quote(status));
  }
  if (phase != "poststart")
    c.Expect(id, !PathExists(p->log_dir + "/program-ran"),
             "the program ran although a " + phase + " hook failed");
}

}  // namespace

CONFORMANCE_CASE(prestart_hook_failure_stops_container, "runtime.md#lifecycle-6") {
  FailingHookCase(c, "prestart", "runtime.md#lifecycle-6");
}
CONFORMANCE_CASE(createruntime_hook_failure_stops_container, "runtime.md#lifecycle-8") {
  FailingHookCase(c, "createRuntime", "runtime.md#lifecycle-8");
}
CONFORMANCE_CASE(createcontainer_hook_failure_stops_container, "runtime.md#lifecycle-10") {
  FailingHookCase(c, "createContainer", "runtime.md#lifecycle-10");
}
CONFORMANCE_CASE(startcontainer_hook_failure_stops_container, "runtime.md#lifecycle-12") {
  FailingHookCase(c, "startContainer", "runtime.md#lifecycle-12");
}
CONFORMANCE_CASE(poststart_hook_failure_stops_container, "runtime.md#lifecycle-15") {
  FailingHookCase(c, "poststart", "runtime.md#lifecycle-15");
}

CONFORMANCE_CASE(poststop_hook_failure_is_only_a_warning, "runtime.md#lifecycle-18",
                 "runtime.md#warnings-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto p = PrepareHooks(c, *b);
  if (!p) return;
  std::string log = p->log_dir + "/log";
  b->config["hooks"]["poststop"].Push(Hook(p->host_only, "poststop-fails", log, "/nonexistent", 1));
  b->config["hooks"]["poststop"].Push(Hook(p->host_only, "poststop-next", log));
  auto run = RunProbe(c, *b);  // includes delete
  if (!run) return c.Abort(run.error().ToString());
  auto lines = ReadHookLog(log);
  c.Expect("runtime.md#lifecycle-18", FindPhase(lines, "poststop-next") != nullptr,
           "the poststop hook after a failing one did not run");
  c.Expect("runtime.md#warnings-1", c.runtime().Status(b->id).empty(),
           "delete did not complete after a poststop hook failed (the container still exists)");
}

CONFORMANCE_CASE(hook_timeout_kills_hook_and_fails, "runtime.md#lifecycle-6") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto p = PrepareHooks(c, *b);
  if (!p) return;
  // The hook process itself sleeps (exec), so killing it ends it.
  json::Value hook = json::Value::Object();
  hook["path"] = p->host_only;
  hook["args"] = json::Value::Strings(
      {"sh", "-c", "cat >/dev/null; echo started >> " + p->log_dir + "/log; exec sleep 30"});
  hook["timeout"] = 1;
  b->config["hooks"]["prestart"].Push(hook);
  Container ct(c, *b);
  auto t0 = std::chrono::steady_clock::now();
  CommandResult create = ct.Create();
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  c.Expect("runtime.md#lifecycle-6", !create.ok(), "create succeeded although the prestart hook timed out");
  c.Expect("runtime.md#lifecycle-6", secs < 15,
           "create took " + std::to_string(secs) + " s: the 1 s hook timeout was not enforced");
  c.Expect("runtime.md#lifecycle-6", !ReadHookLog(p->log_dir + "/log").empty(), "the hook never started");
}

CONFORMANCE_CASE(hook_timeout_must_be_positive, "config.md#posix-platform-hooks-2",
                 "config.md#posix-platform-hooks-6", "config.md#valid-values-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto p = PrepareHooks(c, *b);
  if (!p) return;
  json::Value hook = Hook(p->host_only, "zero", p->log_dir + "/log");
  hook["timeout"] = 0;
  b->config["hooks"]["prestart"].Push(hook);
  Container ct(c, *b);
  CommandResult create = ct.Create();
  c.Expect("config.md#posix-platform-hooks-2", !create.ok(), "a hook with timeout 0 was accepted");
  c.Expect("config.md#valid-values-1", !create.ok(), "invalid hook timeout 0 did not generate an error");
  auto b2 = NewBundleOrAbort(c);
  if (!b2) return;
  json::Value hook2 = Hook(p->host_only, "zero-runtime", p->log_dir + "/log2");
  hook2["timeout"] = -1;
  b2->config["hooks"]["createRuntime"].Push(hook2);
  Container ct2(c, *b2);
  c.Expect("config.md#posix-platform-hooks-6", !ct2.Create().ok(),
           "a createRuntime hook with timeout -1 was accepted");
}

CONFORMANCE_CASE(hook_path_must_be_absolute, "config.md#posix-platform-hooks-1",
                 "config.md#posix-platform-hooks-5") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto p = PrepareHooks(c, *b);
  if (!p) return;
  json::Value hook = Hook("bin/busybox", "relative", p->log_dir + "/log");
  b->config["hooks"]["prestart"].Push(hook);
  Container ct(c, *b);
  CommandResult create = ct.Create();
  bool ran = !ReadHookLog(p->log_dir + "/log").empty();
  c.Expect("config.md#posix-platform-hooks-1", !create.ok() && !ran,
           "a hook with the relative path bin/busybox was run");
  c.Expect("config.md#posix-platform-hooks-5", !create.ok(), "create accepted a relative hook path");
}

}  // namespace berth::conformance
