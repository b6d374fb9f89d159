// Seccomp profiles from elsewhere, with every action and flag of
// config-linux.md#seccomp: each profile in fixtures/seccomp/ (whatever is
// there at run time; OCI form or the engines' own form) and each distinct
// profile embedded in an engine's captured config, run
//   - with one more rule giving a probe syscall the profile does not mention
//     each action (SCMP_ACT_KILL, KILL_PROCESS, KILL_THREAD, TRAP, ERRNO,
//     TRACE, ALLOW, LOG, NOTIFY), judged by how the syscall returned or how
//     the process ended;
//   - with each flag (SECCOMP_FILTER_FLAG_TSYNC, LOG, SPEC_ALLOW,
//     WAIT_KILLABLE_RECV) and an ERRNO rule: the container must start with
//     the filter applied, or be refused with an error when the runtime does
//     not claim the flag in `features`.
// Profiles that deny by default get an ALLOW rule for the probe's own
// syscalls that they do not mention, so that the probe can report.
#include <sys/socket.h>
#include <sys/un.h>

#include <set>
#include <thread>

#include "conformance/cases/corpus_support.h"
#include "conformance/harness/console.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

constexpr int kRuleErrno = 71;  // EPROTO: no probe syscall fails so by itself

const char* const kActions[] = {"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
                                "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
const char* const kFlags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                              "SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};

struct NamedProfile {
  std::string name;
  json::Value oci;
};

// The default bundle's capabilities resolve engine-form includes/excludes.
std::vector<std::string> DefaultCapabilities() {
  return {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
}

std::vector<NamedProfile> Profiles(const std::string& fixtures_dir) {
  std::vector<NamedProfile> out;
  for (const auto& path : JsonFilesIn(fixtures_dir + "/seccomp")) {
    auto json = LoadJson(path);
    if (json) out.push_back({FixtureName(path), SeccompToOci(*json, DefaultCapabilities())});
  }
  std::set<std::string> seen;
  for (const auto& path : JsonFilesIn(fixtures_dir + "/engines")) {
    auto json = LoadJson(path);
    if (!json) continue;
    const json::Value* s = json->At("linux.seccomp");
    if (!s || !seen.insert(s->Dump()).second) continue;
    out.push_back({"embedded-" + FixtureName(path), *s});
  }
  return out;
}

// A probe syscall with a known result when allowed that the profile does
// not name (so that one added rule decides it).
const ProbeSyscall* Target(const json::Value& profile) {
  for (const char* name : {"keyctl", "add_key", "openat2", "faccessat2", "pidfd_open", "close_range"})
    for (const auto& sc : ProbeSyscalls())
      if (sc.probe_name == std::string(name) && !SeccompMentions(profile, sc.kernel_names[0])) return &sc;
  return nullptr;
}

bool DeniesByDefault(const json::Value& profile) {
  const std::string& a = profile["defaultAction"].as_string();
  return a != "SCMP_ACT_ALLOW" && a != "SCMP_ACT_LOG";
}

// The profile plus an ALLOW rule for what the probe needs.
json::Value WithProbeAllowances(json::Value profile) {
  if (!DeniesByDefault(profile)) return profile;
  std::vector<std::string> allow;
  for (const auto& name : ProbeNeededSyscalls())
    if (!SeccompMentions(profile, name)) allow.push_back(name);
  json::Value rule = json::Value::Object();
  rule["names"] = json::Value::Strings(allow);
  rule["action"] = "SCMP_ACT_ALLOW";
  if (!allow.empty()) profile["syscalls"].Push(std::move(rule));
  return profile;
}

json::Value Rule(const std::string& name, const std::string& action) {
  json::Value r = json::Value::Object();
  r["names"] = json::Value::Strings({name});
  r["action"] = action;
  if (action == "SCMP_ACT_ERRNO") r["errnoRet"] = kRuleErrno;
  return r;
}

bool ActionEqualsDefault(const json::Value& profile, const std::string& action) {
  if (profile["defaultAction"].as_string() != action) return false;
  if (action != "SCMP_ACT_ERRNO") return true;
  int def = profile.Find("defaultErrnoRet") ? static_cast<int>(profile["defaultErrnoRet"].as_int()) : EPERM;
  return def == kRuleErrno;
}

int SyscallErrno(const json::Value& report, const std::string& name) {
  const json::Value* a = ActionResult(report, "syscall", name);
  if (!a) return -1;
  return (*a)["ok"].as_int() == 1 ? 0 : static_cast<int>((*a)["errno"].as_int());
}

struct VariantRun {
  CommandResult create, start;
  std::optional<int> wait_status;
  Result<json::Value> report = Error("no report");
};

// create + start + wait, with a listener on listenerPath that closes every
// notify fd it receives (the notified syscall then fails with ENOSYS).
VariantRun RunVariant(CaseContext& c, Bundle& b, ConsoleSocket* listener) {
  VariantRun o;
  Container ct(c, b);
  std::vector<int> fds;
  std::thread receiver;
  if (listener)
    receiver = std::thread([&] {
      auto msg = listener->Receive(15000);
      if (msg)
        for (int fd : msg->fds) close(fd);
    });
  o.create = ct.Create();
  o.start = o.create.ok() ? ct.Start() : o.create;
  if (!o.create.ok() || !o.start.ok()) {
    // Unblock the receiver if nobody connected.
    if (listener) {
      int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
      struct sockaddr_un addr {};
      addr.sun_family = AF_UNIX;
      snprintf(addr.sun_path, sizeof addr.sun_path, "%s", listener->path().c_str());
      // Best effort: a refused connection means the receiver is not waiting.
      (void)connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      close(s);
    }
  } else {
    o.wait_status = ct.WaitExit(15000);
    o.report = ct.Report();
  }
  if (receiver.joinable()) receiver.join();
  return o;
}

void RunActionCase(CaseContext& c, const NamedProfile& p, const std::string& action) {
  const ProbeSyscall* target = Target(p.oci);
  if (!target) return c.SkipRest("the profile names every probe syscall with a known result");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value profile = WithProbeAllowances(p.oci);
  profile.Erase("listenerPath");
  profile.Erase("flags");
  bool by_default = ActionEqualsDefault(profile, action);
  if (!by_default) profile["syscalls"].Push(Rule(target->kernel_names[0], action));
  std::optional<ConsoleSocket> listener;
  if (action == "SCMP_ACT_NOTIFY" || profile["defaultAction"].as_string() == "SCMP_ACT_NOTIFY") {
    listener.emplace();
    if (Status s = listener->Listen(c.dir() + "/agent.sock"); !s.ok())
      return c.Abort("harness: " + s.error().ToString());
    profile["listenerPath"] = listener->path();
  }
  b->Linux()["seccomp"] = profile;
  b->SetArgs({"/probe", std::string("syscall:") + target->probe_name});
  VariantRun o = RunVariant(c, *b, listener ? &*listener : nullptr);
  std::string what =
      p.name + " + " + target->probe_name + " -> " + action + (by_default ? " (the default)" : "");
  if (!o.create.ok()) return c.Fail("runtime.md#create-4", what + ": create failed: " + o.create.Describe());
  if (!o.start.ok()) return c.Fail("runtime.md#create-4", what + ": start failed: " + o.start.Describe());
  if (!o.wait_status) return c.Fail("runtime.md#create-4", what + ": the probe did not end");
  bool kills = action == "SCMP_ACT_KILL" || action == "SCMP_ACT_KILL_PROCESS" ||
               action == "SCMP_ACT_KILL_THREAD" || action == "SCMP_ACT_TRAP";
  if (kills) {
    if (*o.wait_status < 0)
      return c.Skip("runtime.md#create-4", what + ": the exit status is not observable here");
    int sig = WIFSIGNALED(*o.wait_status) ? WTERMSIG(*o.wait_status) : 0;
    return c.Expect(
        "runtime.md#create-4", sig == SIGSYS,
        what + ": expected death by SIGSYS, the probe ended with " + DescribeWaitStatus(*o.wait_status) +
            (o.report
                 ? " after reporting errno " + std::to_string(SyscallErrno(*o.report, target->probe_name))
                 : ""));
  }
  if (!o.report)
    return c.Fail("runtime.md#create-4", what + ": no report: " + o.report.error().ToString() + "; stderr " +
                                             o.create.err.substr(0, 200));
  int want = action == "SCMP_ACT_ERRNO"                                  ? kRuleErrno
             : action == "SCMP_ACT_TRACE" || action == "SCMP_ACT_NOTIFY" ? ENOSYS
                                                                         : target->allowed_errno;
  if (by_default && action == "SCMP_ACT_ERRNO")
    want = profile.Find("defaultErrnoRet") ? static_cast<int>(profile["defaultErrnoRet"].as_int()) : EPERM;
  int got = SyscallErrno(*o.report, target->probe_name);
  std::string mode = Field(*o.report, "status.Seccomp");
  c.Expect(
      "runtime.md#create-4", got == want && mode == "\"2\"",
      what + ": errno " + std::to_string(got) + " (expected " + std::to_string(want) + "), Seccomp " + mode);
}

// The runtime's `features` claims about a flag: "supported", "known" or "".
std::string FlagClaim(CaseContext& c, const std::string& flag) {
  CommandResult r = c.runtime().Run({"features"});
  auto j = r.ok() ? json::Parse(r.out) : Result<json::Value>(Error("no features"));
  if (!j) return "";
  for (const json::Value& f : (*j)["linux"]["seccomp"]["supportedFlags"].items)
    if (f.as_string() == flag) return "supported";
  for (const json::Value& f : (*j)["linux"]["seccomp"]["knownFlags"].items)
    if (f.as_string() == flag) return "known";
  return "";
}

void RunFlagCase(CaseContext& c, const NamedProfile& p, const std::string& flag) {
  const ProbeSyscall* target = Target(p.oci);
  if (!target) return c.SkipRest("the profile names every probe syscall with a known result");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value profile = WithProbeAllowances(p.oci);
  profile.Erase("listenerPath");
  profile["flags"] = json::Value::Strings({flag});
  profile["syscalls"].Push(Rule(target->kernel_names[0], "SCMP_ACT_ERRNO"));
  std::optional<ConsoleSocket> listener;
  if (flag == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") {
    // The kernel takes this flag only with a listener (a NOTIFY rule).
    // On a syscall the probe never makes (taken out of the profile's own
    // rules): only the filter's load matters.
    const std::string unused = "vhangup";
    json::Value kept = json::Value::Array();
    for (json::Value rule : profile["syscalls"].items) {
      json::Value names = json::Value::Array();
      for (const json::Value& n : rule["names"].items)
        if (n.as_string() != unused) names.Push(n);
      if (names.size() == 0) continue;
      rule["names"] = names;
      kept.Push(std::move(rule));
    }
    profile["syscalls"] = kept;
    profile["syscalls"].Push(Rule(unused, "SCMP_ACT_NOTIFY"));
    listener.emplace();
    if (Status s = listener->Listen(c.dir() + "/agent.sock"); !s.ok())
      return c.Abort("harness: " + s.error().ToString());
    profile["listenerPath"] = listener->path();
  }
  b->Linux()["seccomp"] = profile;
  b->SetArgs({"/probe", std::string("syscall:") + target->probe_name});
  VariantRun o = RunVariant(c, *b, listener ? &*listener : nullptr);
  std::string claim = FlagClaim(c, flag);
  std::string what = p.name + " with " + flag;
  if (!o.create.ok() || !o.start.ok()) {
    const CommandResult& failed = o.create.ok() ? o.start : o.create;
    if (claim == "supported")
      return c.Fail("runtime.md#create-4",
                    what + ": `features` lists it in supportedFlags, yet: " + failed.Describe());
    if (claim == "known") {
      // The host may lack a flag the runtime knows; but if the same profile
      // fails without the flag too, the flag is not the reason.
      auto plain = NewBundleOrAbort(c);
      if (!plain) return;
      json::Value without = WithProbeAllowances(p.oci);
      without.Erase("listenerPath");
      without.Erase("flags");
      without["syscalls"].Push(Rule(target->kernel_names[0], "SCMP_ACT_ERRNO"));
      plain->Linux()["seccomp"] = without;
      plain->SetArgs({"/probe", std::string("syscall:") + target->probe_name});
      VariantRun base = RunVariant(c, *plain, nullptr);
      if (!base.create.ok() || !base.start.ok())
        return c.Fail("runtime.md#create-4",
                      what + ": refused, and the profile fails without the flag as well: " +
                          (base.create.ok() ? base.start : base.create).Describe());
      return c.Skip(
          "runtime.md#create-4",
          what + ": refused (known, and no supportedFlags says the host has it): " + failed.Describe());
    }
    c.Pass("runtime.md#create-6",
           what + ": a flag the runtime does not claim was refused with an error: " + failed.Describe());
    return c.Skip("runtime.md#create-4", what + ": refused (the runtime does not claim this flag)");
  }
  if (!o.report) return c.Fail("runtime.md#create-4", what + ": no report: " + o.report.error().ToString());
  int got = SyscallErrno(*o.report, target->probe_name);
  std::string mode = Field(*o.report, "status.Seccomp");
  if (got != kRuleErrno || mode != "\"2\"")
    return c.Fail("runtime.md#create-4", what + ": errno " + std::to_string(got) + " (expected " +
                                             std::to_string(kRuleErrno) + "), Seccomp " + mode);
  if (flag != "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return c.Pass("runtime.md#create-4");
  // SPEC_ALLOW is observable only where the kernel forces the speculative
  // store bypass mitigation on seccomp tasks (spec_store_bypass_disable=seccomp).
  auto vuln = ReadFileText("/sys/devices/system/cpu/vulnerabilities/spec_store_bypass");
  if (!vuln || vuln->find("seccomp") == std::string::npos)
    return c.Pass(
        "runtime.md#create-4",
        "filter applied; SPEC_ALLOW itself is not observable: this CPU's mitigation is not forced by seccomp");
  std::string ssb = Field(*o.report, "status.Speculation_Store_Bypass");
  c.Expect("runtime.md#create-4", ssb.find("force mitigated") == std::string::npos,
           what + ": Speculation_Store_Bypass " + ssb + " (SPEC_ALLOW must leave it unforced)");
}

CaseGeneratorRegistrar seccomp_generator([](const std::string& fixtures_dir) {
  std::vector<CaseDefinition> cases;
  for (const auto& p : Profiles(fixtures_dir)) {
    for (const char* action : kActions)
      cases.push_back({"seccomp_" + p.name + "_" + action,
                       {"runtime.md#create-4"},
                       [p, action = std::string(action)](CaseContext& c) { RunActionCase(c, p, action); }});
    for (const char* flag : kFlags)
      cases.push_back({"seccomp_" + p.name + "_" + flag,
                       {"runtime.md#create-4", "runtime.md#create-6"},
                       [p, flag = std::string(flag)](CaseContext& c) {
                         RunFlagCase(c, p, flag);
                         c.SkipRest("judged only when the runtime refuses a flag it does not claim");
                       }});
  }
  return cases;
});

}  // namespace
}  // namespace berth::conformance
