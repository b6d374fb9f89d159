// config-linux.md seccomp: actions and errno values, invalid errnoRet, and
// the listenerPath protocol (SCMP_ACT_NOTIFY) with the container process
// state it sends.
#include <sys/socket.h>

#include <thread>

#include "conformance/cases/common.h"
#include "conformance/harness/console.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

json::Value Rule(const std::vector<std::string>& names, const char* action) {
  json::Value r = json::Value::Object();
  r["names"] = json::Value::Strings(names);
  r["action"] = action;
  return r;
}

json::Value Profile(const char* default_action) {
  json::Value s = json::Value::Object();
  s["defaultAction"] = default_action;
  s["architectures"] = json::Value::Strings({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
  s["syscalls"] = json::Value::Array();
  return s;
}

}  // namespace

CONFORMANCE_CASE(seccomp_errno_action_applied, "runtime.md#create-4", "runtime.md#start-3") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value s = Profile("SCMP_ACT_ALLOW");
  json::Value mk = Rule({"mkdir", "mkdirat"}, "SCMP_ACT_ERRNO");
  mk["errnoRet"] = 95;  // EOPNOTSUPP: distinguishable from any real mkdir failure
  s["syscalls"].Push(mk);
  s["syscalls"].Push(Rule({"chmod", "fchmodat", "fchmodat2"}, "SCMP_ACT_ERRNO"));  // default errno EPERM
  b->Linux()["seccomp"] = s;
  b->config["root"]["readonly"] = false;
  b->SetArgs({"/probe", "syscall:mkdir", "syscall:chmod", "syscall:getcwd"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (r.At("status.Seccomp") == nullptr || r.At("status.Seccomp")->as_string() != "2")
    problems += "Seccomp mode " + Field(r, "status.Seccomp") + " (expected 2, filter); ";
  if (ActionErrno(r, "syscall", "mkdir") != 95)
    problems +=
        "mkdir errno " + std::to_string(ActionErrno(r, "syscall", "mkdir")) + " (expected errnoRet 95); ";
  if (ActionErrno(r, "syscall", "chmod") != EPERM)
    problems += "chmod errno " + std::to_string(ActionErrno(r, "syscall", "chmod")) + " (expected EPERM); ";
  if (!ActionOk(r, "syscall", "getcwd")) problems += "an allowed syscall (getcwd) failed; ";
  c.Expect("runtime.md#create-4", problems.empty(), problems);
  c.Expect("runtime.md#start-3", problems.empty(), problems);
}

CONFORMANCE_CASE(seccomp_kill_action, "runtime.md#create-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value s = Profile("SCMP_ACT_ALLOW");
  s["syscalls"].Push(Rule({"sethostname"}, "SCMP_ACT_KILL"));
  b->Linux()["seccomp"] = s;
  b->SetArgs({"/probe", "quiet", "print:before", "syscall:sethostname"});
  Container ct(c, *b);
  if (!ct.Create().ok() || !ct.Start().ok()) return c.Abort("create/start failed");
  auto status = ct.WaitExit(10000);
  if (!status) return c.Abort("the program did not end");
  if (*status < 0)
    return c.Skip("runtime.md#create-4",
                  "the init was not re-parented to the harness; its exit status is unknown");
  int sig = WIFSIGNALED(*status) ? WTERMSIG(*status) : 0;
  c.Expect("runtime.md#create-4", sig == SIGSYS || sig == SIGKILL,
           "SCMP_ACT_KILL on sethostname: the program ended with " + DescribeWaitStatus(*status));
}

CONFORMANCE_CASE(seccomp_errno_on_action_without_errno_fails, "config-linux.md#seccomp-1",
                 "config-linux.md#seccomp-8") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value s = Profile("SCMP_ACT_ALLOW");
  json::Value bad = Rule({"mkdir"}, "SCMP_ACT_KILL");
  bad["errnoRet"] = 5;
  s["syscalls"].Push(bad);
  b->Linux()["seccomp"] = s;
  Container ct(c, *b);
  c.Expect("config-linux.md#seccomp-8", !ct.Create().ok(), "errnoRet on an SCMP_ACT_KILL rule was accepted");
  auto b2 = NewBundleOrAbort(c);
  if (!b2) return;
  json::Value s2 = Profile("SCMP_ACT_ALLOW");
  s2["defaultErrnoRet"] = 5;
  b2->Linux()["seccomp"] = s2;
  Container ct2(c, *b2);
  c.Expect("config-linux.md#seccomp-1", !ct2.Create().ok(),
           "defaultErrnoRet with defaultAction SCMP_ACT_ALLOW was accepted");
}

CONFORMANCE_CASE(seccomp_listener_receives_state_and_fd, "config-linux.md#seccomp-2",
                 "config-linux.md#seccomp-3", "config-linux.md#seccomp-4",
                 "config-linux.md#the-container-process-state-1",
                 "config-linux.md#the-container-process-state-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  ConsoleSocket listener;
  if (Status st = listener.Listen(c.dir() + "/seccomp.sock"); !st.ok())
    return c.Abort("harness: " + st.error().ToString());
  json::Value s = Profile("SCMP_ACT_ALLOW");
  s["listenerPath"] = listener.path();
  s["listenerMetadata"] = "conformance-metadata";
  s["syscalls"].Push(Rule({"mkdir", "mkdirat"}, "SCMP_ACT_NOTIFY"));
  b->Linux()["seccomp"] = s;
  b->SetArgs({"/probe", "syscall:mkdir"});
  Container ct(c, *b);
  // The runtime connects during create or start; receive concurrently.
  Result<ConsoleSocket::Message> msg = Error("not received");
  std::thread receiver([&] { msg = listener.Receive(20000); });
  CommandResult create = ct.Create();
  CommandResult start = create.ok() ? ct.Start() : create;
  receiver.join();
  if (!create.ok()) return c.Abort("create with a seccomp listener failed: " + create.Describe());
  if (!msg) return c.Abort("no connection on listenerPath: " + msg.error().ToString());
  // Closing the notify fd unblocks the notified syscall (ENOSYS).
  for (int fd : msg->fds) close(fd);
  if (start.ok()) ct.WaitExit(10000);
  c.Expect("config-linux.md#seccomp-2", msg->socket_type == SOCK_STREAM,
           "the listener connection is not SOCK_STREAM");
  auto state = json::Parse(msg->payload);
  c.Expect("config-linux.md#seccomp-3", state.ok(),
           "the payload is not one JSON document: " + msg->payload.substr(0, 120));
  c.Expect("config-linux.md#seccomp-4", msg->closed_after,
           "the runtime did not close the connection after the state");
  std::string problems;
  if (state) {
    for (const char* key : {"ociVersion", "fds", "pid", "metadata", "state"})
      if (!state->Find(key)) problems += std::string("no \"") + key + "\"; ";
    if ((*state)["metadata"].as_string() != "conformance-metadata")
      problems += "metadata " + Field(*state, "metadata") + "; ";
    if (state->At("state.id") == nullptr || state->At("state.id")->as_string() != b->id)
      problems += "state.id " + Field(*state, "state.id") + "; ";
    if ((*state)["fds"].size() != msg->fds.size())
      problems +=
          "fds lists " + Field(*state, "fds") + " but " + std::to_string(msg->fds.size()) + " fds came; ";
  }
  if (msg->fds.empty()) problems += "no file descriptor was sent; ";
  c.Expect("config-linux.md#the-container-process-state-1", problems.empty(), problems);
  c.Expect("config-linux.md#the-container-process-state-2", !msg->fds.empty(),
           "no fds in the listener message");
}

CONFORMANCE_CASE(seccomp_listener_unreachable_is_error, "config-linux.md#seccomp-5") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value s = Profile("SCMP_ACT_ALLOW");
  s["listenerPath"] = c.dir() + "/nobody-listens.sock";
  s["syscalls"].Push(Rule({"mkdir"}, "SCMP_ACT_NOTIFY"));
  b->Linux()["seccomp"] = s;
  Container ct(c, *b);
  bool failed = !ct.Create().ok() || !ct.Start().ok();
  c.Expect("config-linux.md#seccomp-5", failed,
           "sending to a listenerPath nobody listens on did not generate an error");
}

}  // namespace berth::conformance
