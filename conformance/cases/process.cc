// config.md process: user, env, cwd, args, rlimits, capabilities,
// noNewPrivileges, oomScoreAdj, terminal and consoleSize.
#include <poll.h>
#include <unistd.h>

#include <chrono>

#include "conformance/cases/common.h"
#include "conformance/harness/console.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

json::Value Rlimit(const char* type, int64_t soft, int64_t hard) {
  json::Value r = json::Value::Object();
  r["type"] = type;
  r["soft"] = soft;
  r["hard"] = hard;
  return r;
}

std::string Hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

void ExpectCaps(const json::Value& report, const char* set, uint64_t want, std::string* problems) {
  auto got = CapabilitySet(report, set);
  if (!got || *got != want)
    *problems +=
        std::string(set) + " " + (got ? Hex(*got) : "unreadable") + " (expected " + Hex(want) + "); ";
}

}  // namespace

CONFORMANCE_CASE(process_user_groups_umask, "runtime.md#start-3", "runtime.md#lifecycle-13") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value& user = b->Process()["user"];
  user["uid"] = 1000;
  user["gid"] = 1001;
  user["additionalGids"] = json::Value::Array({json::Value(5), json::Value(100)});
  user["umask"] = 027;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  for (const auto& id : r["uid"].items)
    if (id.as_int() != 1000) problems += "uid " + Field(r, "uid") + "; ";
  for (const auto& id : r["gid"].items)
    if (id.as_int() != 1001) problems += "gid " + Field(r, "gid") + "; ";
  std::vector<int64_t> groups;
  for (const auto& g : r["groups"].items) groups.push_back(g.as_int());
  bool has5 = false, has100 = false;
  for (auto g : groups) has5 |= g == 5, has100 |= g == 100;
  if (!has5 || !has100) problems += "supplementary groups " + Field(r, "groups") + " (expected 5 and 100); ";
  if (r["umask"].as_int() != 027) problems += "umask " + Field(r, "umask") + " (expected 23 = 027); ";
  c.Expect("runtime.md#start-3", problems.empty(), problems);
  c.Expect("runtime.md#lifecycle-13", problems.empty(), problems);
}

CONFORMANCE_CASE(process_args_env_cwd, "runtime.md#start-3", "config.md#extensibility-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "argument with spaces"});
  b->Process()["env"].Push("CONFORMANCE_VAR=value=with=equals");
  b->Process()["cwd"] = "/tmp";
  b->Process()["futureProcessField"] = "must be ignored";
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  auto args = StringList(r.Find("args"));
  if (args.size() != 2 || args[1] != "argument with spaces") problems += "args " + Field(r, "args") + "; ";
  auto env = StringList(r.Find("env"));
  if (!Contains(env, "CONFORMANCE_VAR=value=with=equals") || !Contains(env, "TERM=xterm"))
    problems += "env " + Field(r, "env") + "; ";
  if (r["cwd"].as_string() != "/tmp") problems += "cwd " + Field(r, "cwd") + "; ";
  c.Expect("runtime.md#start-3", problems.empty(), problems);
  c.Pass("config.md#extensibility-1");
}

CONFORMANCE_CASE(process_cwd_must_be_absolute, "config.md#process-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Process()["cwd"] = "tmp";
  Container ct(c, *b);
  CommandResult r = ct.Create();
  bool rejected = !r.ok() || !ct.Start().ok();
  if (!rejected) {
    ct.WaitExit(10000);
    auto rep = ct.Report();
    rejected = !rep;  // the program did not run
  }
  c.Expect("config.md#process-2", rejected, "a relative cwd \"tmp\" was accepted and the program ran");
}

CONFORMANCE_CASE(rlimits_applied, "config.md#posix-process-2", "config.md#posix-process-3",
                 "config.md#posix-process-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Process()["rlimits"] =
      json::Value::Array({Rlimit("RLIMIT_NOFILE", 500, 600), Rlimit("RLIMIT_NPROC", 900, 1000),
                          Rlimit("RLIMIT_CORE", 0, 4096), Rlimit("RLIMIT_MSGQUEUE", 8192, 16384)});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string missing, soft, hard;
  struct Want {
    const char* type;
    int64_t soft, hard;
  };
  for (Want w : {Want{"RLIMIT_NOFILE", 500, 600}, Want{"RLIMIT_NPROC", 900, 1000},
                 Want{"RLIMIT_CORE", 0, 4096}, Want{"RLIMIT_MSGQUEUE", 8192, 16384}}) {
    const json::Value* got = r.At(std::string("rlimits.") + w.type);
    if (!got || got->items.size() != 2) {
      missing += std::string(w.type) + "; ";
      continue;
    }
    if (got->items[0].as_int() != w.soft)
      soft += std::string(w.type) + " soft " + got->items[0].Dump() + " (expected " + std::to_string(w.soft) +
              "); ";
    if (got->items[1].as_int() != w.hard)
      hard += std::string(w.type) + " hard " + got->items[1].Dump() + " (expected " + std::to_string(w.hard) +
              "); ";
  }
  c.Expect("config.md#posix-process-2", missing.empty(), "getrlimit failed for " + missing);
  c.Expect("config.md#posix-process-3", soft.empty(), soft);
  c.Expect("config.md#posix-process-4", hard.empty(), hard);
}

CONFORMANCE_CASE(rlimits_duplicate_or_unknown_rejected, "config.md#posix-process-5",
                 "config.md#posix-process-1", "config.md#valid-values-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Process()["rlimits"] =
      json::Value::Array({Rlimit("RLIMIT_NOFILE", 500, 600), Rlimit("RLIMIT_NOFILE", 700, 800)});
  Container dup(c, *b);
  c.Expect("config.md#posix-process-5", !dup.Create().ok() || !dup.Start().ok(),
           "two RLIMIT_NOFILE entries were accepted");
  auto b2 = NewBundleOrAbort(c);
  if (!b2) return;
  b2->Process()["rlimits"] = json::Value::Array({Rlimit("RLIMIT_NOT_A_LIMIT", 1, 1)});
  Container unknown(c, *b2);
  bool rejected = !unknown.Create().ok() || !unknown.Start().ok();
  c.Expect("config.md#posix-process-1", rejected, "rlimit type RLIMIT_NOT_A_LIMIT was accepted");
  c.Expect("config.md#valid-values-1", rejected, "rlimit type RLIMIT_NOT_A_LIMIT was accepted");
}

CONFORMANCE_CASE(capabilities_root_sets, "runtime.md#start-3", "config.md#linux-process-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value& caps = b->Process()["capabilities"];
  std::vector<std::string> bounding = {"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"};
  caps["bounding"] = json::Value::Strings(bounding);
  caps["effective"] = json::Value::Strings(bounding);
  caps["permitted"] = json::Value::Strings(bounding);
  caps["inheritable"] = json::Value::Array();
  caps.Erase("ambient");
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string problems;
  uint64_t want = CapabilityMask(bounding);
  ExpectCaps(run->report, "CapBnd", want, &problems);
  ExpectCaps(run->report, "CapEff", want, &problems);
  ExpectCaps(run->report, "CapPrm", want, &problems);
  ExpectCaps(run->report, "CapInh", 0, &problems);
  ExpectCaps(run->report, "CapAmb", 0, &problems);
  c.Expect("runtime.md#start-3", problems.empty(), problems);
  // A capability this host's runtime does not hold (no CAP_SYS_RESOURCE here).
  auto b2 = NewBundleOrAbort(c);
  if (!b2) return;
  auto own = ReadFileText("/proc/self/status");
  bool lacks_sys_resource = own && own->find("CapBnd:\t000001fffeffffff") != std::string::npos;
  if (!lacks_sys_resource)
    return c.Skip("config.md#linux-process-2",
                  "the harness holds CAP_SYS_RESOURCE; nothing ungrantable to ask for");
  (*b2).Process()["capabilities"]["bounding"].Push("CAP_SYS_RESOURCE");
  Container ct(c, *b2);
  CommandResult r = ct.Create();
  c.Expect("config.md#linux-process-2", r.ok(),
           "create failed when asked for the ungrantable CAP_SYS_RESOURCE: " + r.Describe());
}

CONFORMANCE_CASE(capabilities_non_root_ambient, "runtime.md#start-3") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Process()["user"]["uid"] = 1000;
  b->Process()["user"]["gid"] = 1000;
  json::Value& caps = b->Process()["capabilities"];
  caps["bounding"] = json::Value::Strings({"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  for (const char* set : {"effective", "permitted", "inheritable", "ambient"})
    caps[set] = json::Value::Strings({"CAP_KILL"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string problems;
  uint64_t kill = CapabilityMask({"CAP_KILL"});
  ExpectCaps(run->report, "CapBnd", CapabilityMask({"CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"}),
             &problems);
  for (const char* set : {"CapEff", "CapPrm", "CapInh", "CapAmb"})
    ExpectCaps(run->report, set, kill, &problems);
  c.Expect("runtime.md#start-3", problems.empty(), problems);
}

// Capabilities are the exception to "invalid values are errors": a name the
// runtime cannot map is logged as a warning and the container still runs.
CONFORMANCE_CASE(capability_unknown_name_is_a_warning, "config.md#linux-process-1", "runtime.md#warnings-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  for (const char* set : {"bounding", "effective", "permitted"})
    b->Process()["capabilities"][set].Push("CAP_NOT_A_CAPABILITY");
  Container ct(c, *b);
  CommandResult create = ct.Create();
  bool ran = create.ok() && ct.Start().ok() && ct.WaitExit(20000).has_value() && ct.Report().ok();
  c.Expect("runtime.md#warnings-1", ran,
           "the container did not run with an unknown capability name: " + create.Describe());
  c.Expect("config.md#linux-process-1", ct.Stderr().find("CAP_NOT_A_CAPABILITY") != std::string::npos,
           "no warning naming CAP_NOT_A_CAPABILITY on the runtime's stderr");
}

CONFORMANCE_CASE(no_new_privileges_honoured, "runtime.md#start-3") {
  for (bool nnp : {true, false}) {
    auto b = NewBundleOrAbort(c);
    if (!b) return;
    b->Process()["noNewPrivileges"] = nnp;
    auto run = RunOrAbort(c, *b);
    if (!run) return;
    std::string got =
        run->report.At("status.NoNewPrivs") ? run->report.At("status.NoNewPrivs")->as_string() : "?";
    c.Expect("runtime.md#start-3", got == (nnp ? "1" : "0"),
             std::string("noNewPrivileges ") + (nnp ? "true" : "false") + " but NoNewPrivs is " + got);
  }
}

CONFORMANCE_CASE(oom_score_adj_set_and_unset, "config.md#linux-process-3", "config.md#linux-process-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Process()["oomScoreAdj"] = 500;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  c.Expect("config.md#linux-process-3", run->report["oom_score_adj"].as_string() == "500",
           "oom_score_adj is " + Field(run->report, "oom_score_adj") + ", expected 500");
  // Unset: the value the runtime itself was started with must be kept.
  auto b2 = NewBundleOrAbort(c);
  if (!b2) return;
  Container ct(c, *b2);
  CreateOptions o;
  o.wrapper = {"/bin/sh", "-c", "echo 123 > /proc/self/oom_score_adj && exec \"$0\" \"$@\""};
  CommandResult create = ct.Create(o);
  if (!create.ok()) return c.Abort("create failed: " + create.Describe());
  if (!ct.Start().ok()) return c.Abort("start failed");
  ct.WaitExit(20000);
  auto rep = ct.Report();
  if (!rep) return c.Abort(rep.error().ToString());
  c.Expect("config.md#linux-process-4", (*rep)["oom_score_adj"].as_string() == "123",
           "oomScoreAdj unset, runtime started with 123, container has " + Field(*rep, "oom_score_adj"));
}

CONFORMANCE_CASE(console_size_ignored_without_terminal, "config.md#process-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Process()["consoleSize"]["height"] = 40;
  b->Process()["consoleSize"]["width"] = 120;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  c.Expect("config.md#process-1", run->report.At("tty.isatty")->as_int() == 0,
           "terminal false with consoleSize: stdin is a terminal");
}

CONFORMANCE_CASE(terminal_via_console_socket, "runtime.md#start-3", "runtime.md#create-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Process()["terminal"] = true;
  b->Process()["consoleSize"]["height"] = 33;
  b->Process()["consoleSize"]["width"] = 111;
  b->SetArgs({"/probe", "stat:/dev/console"});
  ConsoleSocket sock;
  if (Status s = sock.Listen(c.dir() + "/console.sock"); !s.ok())
    return c.Abort("harness: " + s.error().ToString());
  Container ct(c, *b);
  CreateOptions o;
  o.console_socket = sock.path();
  CommandResult create = ct.Create(o);
  if (!create.ok()) return c.Abort("create with terminal failed: " + create.Describe());
  auto master = sock.ReceiveMaster(5000);
  if (!master) return c.Abort("no pty master on the console socket: " + master.error().ToString());
  if (!ct.Start().ok()) {
    close(*master);
    return c.Abort("start failed");
  }
  // Read until the slave side closes (EIO) or 15 s pass.
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd pfd{*master, POLLIN, 0};
    if (poll(&pfd, 1, 200) <= 0) {
      if (ct.WaitExit(1).has_value() && !out.empty()) break;
      continue;
    }
    char buf[8192];
    ssize_t n = read(*master, buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(*master);
  auto report = ParseProbeOutput(out);
  if (!report) return c.Abort("no probe report on the terminal: " + report.error().ToString());
  std::string problems;
  const json::Value& r = *report;
  if (r.At("tty.isatty")->as_int() != 1) problems += "stdin is not a terminal; ";
  if (r.At("tty.rows") == nullptr || r.At("tty.rows")->as_int() != 33 || r.At("tty.cols")->as_int() != 111)
    problems += "window size " + Field(r, "tty") + " (expected 33x111); ";
  if (r.At("tty.sid_is_pid")->as_int() != 1 || r.At("tty.foreground")->as_int() != 1)
    problems += "not a session leader with the terminal as controlling tty: " + Field(r, "tty") + "; ";
  for (const char* fd : {"0", "1", "2"}) {
    const json::Value* f = r.At(std::string("fds.") + fd);
    if (!f || (f->as_string().rfind("/dev/pts/", 0) != 0 && f->as_string() != "/dev/console"))
      problems += std::string("fd ") + fd + " is " + (f ? f->as_string() : "closed") + "; ";
  }
  c.Expect("runtime.md#start-3", problems.empty(), problems);
  const json::Value* console = ActionResult(r, "stat", "/dev/console");
  const json::Value* st = console ? console->Find("stat") : nullptr;
  bool pts = st && (*st)["type"].as_string() == "char" && (*st)["major"].as_int() == 136;
  c.Expect("runtime.md#create-4", pts,
           "/dev/console is not the pty slave (char 136:N): " + (st ? st->Dump() : std::string("absent")));
}

}  // namespace berth::conformance
