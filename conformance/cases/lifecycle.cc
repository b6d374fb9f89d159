// runtime.md: lifecycle, state, and the create/start/kill/delete operations
// with each of their error cases.
#include <signal.h>

#include <chrono>
#include <thread>

#include "conformance/cases/common.h"
#include "conformance/harness/schema.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

void Sleep(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

}  // namespace

CONFORMANCE_CASE(create_does_not_run_program_until_start, "runtime.md#create-3", "runtime.md#create-5",
                 "runtime.md#lifecycle-3", "runtime.md#lifecycle-13", "runtime.md#start-3",
                 "runtime.md#operations-1", "runtime.md#scope-of-a-container-1", "runtime.md#lifecycle-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "print:USER-PROGRAM-RAN"});
  Container ct(c, *b);
  CommandResult create = ct.Create();
  if (!create.ok()) return c.Abort("create failed: " + create.Describe());
  c.Pass("runtime.md#lifecycle-1");
  std::string status = ct.Status();
  c.Expect("runtime.md#create-3", status == "created",
           "expected status \"created\" after create, got " + Quote(status));
  Sleep(300);
  std::string early = ct.Stdout();
  c.Expect("runtime.md#create-5", early.empty(),
           "the program wrote output before start: " + early.substr(0, 120));
  c.Expect("runtime.md#lifecycle-3", early.empty() && ct.Pid() > 0,
           "expected a live init pid and no program output after create; pid " + std::to_string(ct.Pid()) +
               ", output " + Quote(early.substr(0, 80)));
  CommandResult start = ct.Start();
  if (!start.ok()) return c.Abort("start failed: " + start.Describe());
  auto exited = ct.WaitExit(20000);
  std::string out = ct.Stdout();
  bool ran = out.find("USER-PROGRAM-RAN") != std::string::npos;
  c.Expect("runtime.md#start-3", ran,
           "program output missing after start; stdout: " + Quote(out.substr(0, 120)));
  c.Expect("runtime.md#lifecycle-13", ran && exited.has_value(), "program did not run to completion");
  c.Expect("runtime.md#operations-1", ran, "create/start/state did not all work");
  c.Expect("runtime.md#scope-of-a-container-1", ct.Status() == "stopped",
           "state after exit: expected \"stopped\", got " + Quote(ct.Status()));
}

CONFORMANCE_CASE(state_matches_schema_in_every_status, "runtime.md#state-3", "runtime.md#query-state-3",
                 "runtime.md#state-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "quiet", "sleep:30"});
  b->config["annotations"]["org.example.conformance"] = "yes";
  Container ct(c, *b);
  SchemaChecker schema(c.env().spec_dir + "/schema");
  auto check = [&](const std::string& expect_status) {
    auto state = c.runtime().StateJson(ct.id());
    if (!state) return c.Fail("runtime.md#query-state-3", "state failed: " + state.error().ToString());
    auto errors = schema.Check(*state, "state-schema.json");
    c.Expect(
        "runtime.md#state-3", errors.empty(),
        expect_status + ": state does not match state-schema.json: " + (errors.empty() ? "" : errors[0]));
    std::string status = state->Find("status") ? state->Find("status")->as_string() : "";
    bool standard = status == "creating" || status == "created" || status == "running" || status == "stopped";
    c.Expect("runtime.md#state-2", standard,
             "status " + Quote(status) + " is not a state defined by the spec");
    std::string problems;
    if (status != expect_status)
      problems += "status " + Quote(status) + " (expected " + expect_status + "); ";
    if (!state->Find("id") || state->Find("id")->as_string() != ct.id())
      problems += "id " + Field(*state, "id") + "; ";
    if (!state->Find("bundle") || state->Find("bundle")->as_string() != b->dir)
      problems += "bundle " + Field(*state, "bundle") + " (expected " + b->dir + "); ";
    if (expect_status != "stopped") {
      const json::Value* pid = state->Find("pid");
      if (!pid || pid->as_int() <= 0 || pid->as_int() != ct.Pid())
        problems += "pid " + Field(*state, "pid") + " (pid file says " + std::to_string(ct.Pid()) + "); ";
    }
    const json::Value* ann = state->At("annotations");
    if (!ann || !ann->Find("org.example.conformance") ||
        ann->Find("org.example.conformance")->as_string() != "yes")
      problems += "annotations " + Field(*state, "annotations") + "; ";
    c.Expect("runtime.md#query-state-3", problems.empty(), expect_status + ": " + problems);
  };
  CommandResult create = ct.Create();
  if (!create.ok()) return c.Abort("create failed: " + create.Describe());
  check("created");
  if (!ct.Start().ok()) return c.Abort("start failed");
  check("running");
  ct.Kill("KILL");
  ct.WaitExit(10000);
  check("stopped");
}

CONFORMANCE_CASE(create_rejects_duplicate_id, "runtime.md#create-2", "runtime.md#state-1") {
  auto b1 = NewBundleOrAbort(c);
  auto b2 = NewBundleOrAbort(c);
  if (!b1 || !b2) return;
  b1->SetArgs({"/probe", "quiet", "sleep:30"});
  b2->id = b1->id;
  Container first(c, *b1);
  if (!first.Create().ok()) return c.Abort("first create failed");
  pid_t pid_before = first.Pid();
  b2->Write().ok();
  CommandResult dup = c.runtime().Create(b2->id, b2->dir);
  c.Expect("runtime.md#create-2", !dup.ok(), "creating a second container with id " + b1->id + " succeeded");
  auto state = c.runtime().StateJson(b1->id);
  bool unchanged = state && state->Find("bundle") && state->Find("bundle")->as_string() == b1->dir &&
                   state->Find("pid") && state->Find("pid")->as_int() == pid_before;
  c.Expect("runtime.md#state-1", unchanged,
           "the first container's state changed after the duplicate create: " +
               (state ? state->Dump() : state.error().ToString()));
}

CONFORMANCE_CASE(create_rejects_invalid_id, "runtime.md#create-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  if (!b->Write().ok()) return c.Abort("cannot write config");
  for (const std::string& bad : {std::string("../escape-") + b->id, std::string("a/b"), std::string("")}) {
    CommandResult r = c.runtime().Create(bad, b->dir);
    c.Expect("runtime.md#create-2", !r.ok(), "create with invalid id " + Quote(bad) + " succeeded");
    if (r.ok()) c.runtime().Delete(bad, true);
  }
  c.Expect("runtime.md#create-2", !PathExists(c.runtime().root() + "/../escape-" + b->id),
           "an id with ../ created state outside the runtime root");
}

CONFORMANCE_CASE(create_requires_bundle_and_id, "runtime.md#create-1", "bundle.md#container-format-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  CommandResult no_id = c.runtime().Run({"create", "--bundle", b->dir});
  c.Expect("runtime.md#create-1", !no_id.ok(), "create without a container id succeeded");
  // No config.json in the bundle (only a differently named file).
  if (!WriteFileText(b->dir + "/config.other.json", b->config.Dump()).ok()) return c.Abort("write failed");
  CommandResult no_config = c.runtime().Create(b->id, b->dir);
  c.Expect("bundle.md#container-format-1", !no_config.ok(),
           "create succeeded with no config.json in the bundle");
  CommandResult missing = c.runtime().Create(c.NewId(), c.dir() + "/no-such-bundle");
  c.Expect("runtime.md#create-1", !missing.ok(), "create with a nonexistent bundle path succeeded");
  c.Expect("bundle.md#container-format-1", c.runtime().Status(b->id).empty(),
           "a container exists after the failed create");
}

CONFORMANCE_CASE(failed_create_leaves_nothing, "runtime.md#create-6", "runtime.md#lifecycle-2",
                 "runtime.md#errors-1", "config-linux.md#namespaces-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  // The network namespace path names a uts namespace: must be an error.
  b->AddNamespace("network", "/proc/self/ns/uts");
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config-linux.md#namespaces-4", !r.ok(),
           "create succeeded with a network namespace path that is a uts namespace");
  c.Expect("runtime.md#lifecycle-2", !r.ok(), "an impossible config did not generate an error");
  std::string status = ct.Status();
  c.Expect("runtime.md#create-6", !r.ok() && status.empty(),
           "after the failed create the container exists with status " + Quote(status));
  std::string leftovers;
  for (const char* ctl : {"pids", "memory", "devices", "freezer"})
    if (PathExists(CgroupV1Dir(ctl, "/conformance/" + b->id))) leftovers += std::string(ctl) + " cgroup; ";
  if (PathExists(c.runtime().root() + "/" + b->id)) leftovers += "state directory; ";
  c.Expect("runtime.md#errors-1", leftovers.empty(), "the failed create left: " + leftovers);
}

CONFORMANCE_CASE(operations_require_an_id, "runtime.md#start-1", "runtime.md#kill-1", "runtime.md#delete-1",
                 "runtime.md#query-state-1", "runtime.md#query-state-2") {
  c.Expect("runtime.md#start-1", !c.runtime().Run({"start"}).ok(), "start without an id succeeded");
  c.Expect("runtime.md#kill-1", !c.runtime().Run({"kill"}).ok(), "kill without an id succeeded");
  c.Expect("runtime.md#delete-1", !c.runtime().Run({"delete"}).ok(), "delete without an id succeeded");
  c.Expect("runtime.md#query-state-1", !c.runtime().Run({"state"}).ok(), "state without an id succeeded");
  std::string id = c.NewId();
  c.Expect("runtime.md#query-state-2", !c.runtime().State(id).ok(),
           "state of a nonexistent container succeeded");
  c.Expect("runtime.md#start-1", !c.runtime().Start(id).ok(), "start of a nonexistent container succeeded");
  c.Expect("runtime.md#kill-1", !c.runtime().Kill(id, "KILL").ok(),
           "kill of a nonexistent container succeeded");
  c.Expect("runtime.md#delete-1", !c.runtime().Delete(id).ok(),
           "delete of a nonexistent container succeeded");
}

CONFORMANCE_CASE(start_only_from_created, "runtime.md#start-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "quiet", "sleep:30"});
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create failed");
  if (!ct.Start().ok()) return c.Abort("start failed");
  pid_t pid = ct.Pid();
  CommandResult again = ct.Start();
  c.Expect("runtime.md#start-2", !again.ok(), "starting a running container succeeded");
  c.Expect("runtime.md#start-2", ct.Status() == "running" && kill(pid, 0) == 0,
           "the running container was affected by the second start: status " + Quote(ct.Status()));
  ct.Kill("KILL");
  ct.WaitExit(10000);
  CommandResult stopped = ct.Start();
  c.Expect("runtime.md#start-2", !stopped.ok(), "starting a stopped container succeeded");
  c.Expect("runtime.md#start-2", ct.Status() == "stopped",
           "status after start of a stopped container: " + Quote(ct.Status()));
}

CONFORMANCE_CASE(start_requires_process, "runtime.md#start-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->config.Erase("process");
  Container ct(c, *b);
  CommandResult create = ct.Create();
  bool failed = !create.ok() || !ct.Start().ok();
  c.Expect("runtime.md#start-4", failed, "create and start both succeeded without process");
}

CONFORMANCE_CASE(kill_delivers_signal, "runtime.md#kill-3", "runtime.md#kill-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "quiet", "wait-signal"});
  Container ct(c, *b);
  if (!ct.Create().ok() || !ct.Start().ok()) return c.Abort("create/start failed");
  Sleep(200);  // let the probe install its handlers
  CommandResult k = ct.Kill("USR1");
  if (!k.ok()) return c.Abort("kill USR1 failed: " + k.Describe());
  auto status = ct.WaitExit(10000);
  std::string out = ct.Stdout();
  c.Expect("runtime.md#kill-3", out.find("\"signal\":10") != std::string::npos,
           "expected the program to receive SIGUSR1 (10); its output: " + Quote(out.substr(0, 100)) +
               (status ? ", " + DescribeWaitStatus(*status) : ", still running"));
  CommandResult after = ct.Kill("KILL");
  c.Expect("runtime.md#kill-2", !after.ok(), "kill of a stopped container succeeded");
  c.Expect("runtime.md#kill-2", ct.Status() == "stopped",
           "status after kill of a stopped container: " + Quote(ct.Status()));
}

CONFORMANCE_CASE(kill_created_container, "runtime.md#kill-3") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create failed");
  CommandResult k = ct.Kill("KILL");
  c.Expect("runtime.md#kill-3", k.ok(), "kill of a created container failed: " + k.Describe());
  auto status = ct.WaitExit(10000);
  c.Expect("runtime.md#kill-3", status.has_value(), "the created container's init survived SIGKILL");
  c.Expect("runtime.md#kill-3", ct.Stdout().empty(),
           "the program ran although the container was never started");
}

CONFORMANCE_CASE(delete_only_when_stopped, "runtime.md#delete-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "quiet", "sleep:30"});
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create failed");
  CommandResult created = ct.Delete();
  c.Expect("runtime.md#delete-2", !created.ok(), "delete of a created container succeeded");
  c.Expect("runtime.md#delete-2", ct.Status() == "created",
           "status after refused delete: " + Quote(ct.Status()));
  if (!ct.Start().ok()) return c.Abort("start failed");
  CommandResult running = ct.Delete();
  c.Expect("runtime.md#delete-2", !running.ok(), "delete of a running container succeeded");
  c.Expect("runtime.md#delete-2", ct.Status() == "running" && kill(ct.Pid(), 0) == 0,
           "the running container was affected by the refused delete: " + Quote(ct.Status()));
}

CONFORMANCE_CASE(delete_removes_what_create_made, "runtime.md#delete-3", "runtime.md#lifecycle-16",
                 "config-linux.md#cgroups-path-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create failed");
  std::string cg = CgroupV1Dir("pids", "/conformance/" + b->id);
  c.Expect("config-linux.md#cgroups-path-2", PathExists(cg),
           "absolute cgroupsPath /conformance/" + b->id + " not found under the pids mount: " + cg);
  if (!ct.Start().ok()) return c.Abort("start failed");
  ct.WaitExit(20000);
  CommandResult del = ct.Delete();
  if (!del.ok()) return c.Abort("delete failed: " + del.Describe());
  std::string left;
  if (!c.runtime().Status(b->id).empty()) left += "container still known to state; ";
  for (const char* ctl : {"pids", "memory", "cpu", "devices", "freezer", "blkio"})
    if (PathExists(CgroupV1Dir(ctl, "/conformance/" + b->id))) left += std::string(ctl) + " cgroup; ";
  c.Expect("runtime.md#delete-3", left.empty(), "after delete: " + left);
  c.Expect("runtime.md#lifecycle-16", left.empty() && kill(ct.Pid(), 0) != 0, "after delete: " + left);
}

CONFORMANCE_CASE(delete_keeps_resources_it_did_not_create, "runtime.md#delete-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string shared = c.dir() + "/shared";
  mkdir(shared.c_str(), 0755);
  if (!WriteFileText(shared + "/keep", "data").ok()) return c.Abort("write failed");
  b->AddMount("/mnt", "bind", shared, {"rbind", "rw"});
  b->Linux()["cgroupsPath"] = "/conformance-shared/" + b->id;
  std::string parent = CgroupV1Dir("pids", "/conformance-shared");
  mkdir(parent.c_str(), 0755);
  auto run = RunOrAbort(c, *b);
  c.Expect("runtime.md#delete-4", PathExists(shared + "/keep"),
           "a bind-mounted host file disappeared after delete");
  c.Expect("runtime.md#delete-4", PathExists(parent),
           "the pre-existing parent cgroup " + parent + " was removed");
  rmdir(parent.c_str());
  if (run) c.Pass("runtime.md#delete-4");
}

CONFORMANCE_CASE(config_edits_after_create_have_no_effect, "runtime.md#lifecycle-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create failed");
  Bundle edited = *b;
  edited.config["hostname"] = "edited-after-create";
  edited.SetArgs({"/probe", "print:EDITED-ARGS"});
  if (!edited.Write().ok()) return c.Abort("rewrite failed");
  if (!ct.Start().ok()) return c.Abort("start failed");
  ct.WaitExit(20000);
  auto report = ct.Report();
  if (!report) return c.Abort(report.error().ToString());
  std::string out = ct.Stdout();
  c.Expect("runtime.md#lifecycle-4",
           (*report)["hostname"].as_string() == "conformance" && out.find("EDITED-ARGS") == std::string::npos,
           "edits to config.json after create took effect: hostname " + Field(*report, "hostname"));
}

}  // namespace berth::conformance
