// The corpus: configs that real engines handed their runtime on this kind
// of host (fixtures/engines/*.json, captured by tools/capture-configs), each
// run through create / state / start / exec / kill / state / delete, and what
// the probe sees compared with what the config asks: namespaces (new, joined,
// inherited), hostname, user and groups, capabilities, rlimits,
// noNewPrivileges, cwd, env, oom_score_adj, the read-only root, every mount,
// masked and read-only paths, devices and the default devices, sysctls and
// seccomp (a denied and an allowed syscall). One case per fixture.
#include <sys/resource.h>

#include <chrono>
#include <thread>

#include "conformance/cases/corpus_support.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

constexpr const char* kExecId = "engines#exec-joins-the-container";

std::vector<std::string> Strings(const json::Value& array) {
  std::vector<std::string> out;
  for (const json::Value& v : array.items) out.push_back(v.as_string());
  return out;
}

std::string Hex(uint64_t v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

uint64_t OwnBoundingSet() {
  auto status = ReadFileText("/proc/self/status");
  if (!status) return ~uint64_t{0};
  size_t at = status->find("CapBnd:");
  if (at == std::string::npos) return ~uint64_t{0};
  return std::strtoull(status->c_str() + at + 7, nullptr, 16);
}

// Waits for the probe's report line on the container's stdout.
Result<json::Value> WaitForReport(Container& ct, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    std::string out = ct.Stdout();
    if (out.find('\n') != std::string::npos) return ParseProbeOutput(out);
    if (std::chrono::steady_clock::now() >= deadline)
      return Error("no probe report within " + std::to_string(timeout_ms) +
                   " ms; stderr: " + ct.Stderr().substr(0, 300));
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

struct Problems {
  std::string text;
  void Add(const std::string& s) { text += s + "; "; }
  bool ok() const { return text.empty(); }
};

void CheckNamespaces(const json::Value& cfg, const json::Value& r, Problems* created, Problems* joined,
                     Problems* inherited, const std::map<std::string, std::string>& joined_paths) {
  std::map<std::string, const json::Value*> listed;
  for (const json::Value& ns : cfg["linux"]["namespaces"].items) listed[ns["type"].as_string()] = &ns;
  for (const char* type : {"pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time"}) {
    std::string kind = NsKind(type);
    int64_t seen = NamespaceInode(r, kind);
    int64_t host = HostNamespaceInode(kind);
    if (seen <= 0 || host <= 0) continue;
    auto it = listed.find(type);
    if (it == listed.end()) {
      if (seen != host) inherited->Add(std::string(type) + " not listed but not the runtime's namespace");
    } else if (it->second->Find("path")) {
      struct stat st;
      const std::string& path = (*it->second)["path"].as_string();
      if (stat(path.c_str(), &st) == 0 && static_cast<int64_t>(st.st_ino) != seen)
        joined->Add(std::string(type) + " inode " + std::to_string(seen) + " is not that of " + path);
    } else if (seen == host) {
      created->Add(std::string(type) + " listed without path but the runtime's namespace is used");
    }
  }
  (void)joined_paths;
}

// Capabilities as execve(2) leaves them: root keeps inheritable | bounding,
// any other user only the ambient set.
void CheckCapabilities(const json::Value& cfg, const json::Value& r, bool root, Problems* p) {
  const json::Value& caps = cfg["process"]["capabilities"];
  uint64_t host = OwnBoundingSet();
  uint64_t bnd = CapabilityMask(Strings(caps["bounding"])) & host;
  uint64_t inh = CapabilityMask(Strings(caps["inheritable"])) & host;
  // An ambient capability must be permitted and inheritable (prctl(2)).
  uint64_t amb =
      CapabilityMask(Strings(caps["ambient"])) & host & inh & CapabilityMask(Strings(caps["permitted"]));
  uint64_t prm = root ? (inh | bnd | amb) : amb;
  if (!caps.is_object()) return;  // no capabilities object: the runtime's choice
  for (auto [set, want] : {std::pair<const char*, uint64_t>{"CapBnd", bnd},
                           {"CapInh", inh},
                           {"CapAmb", amb},
                           {"CapPrm", prm},
                           {"CapEff", prm}}) {
    auto got = CapabilitySet(r, set);
    if (!got || *got != want)
      p->Add(std::string(set) + " " + (got ? Hex(*got) : "unreadable") + " (expected " + Hex(want) + ")");
  }
}

void CheckRlimits(const json::Value& cfg, const json::Value& r, Problems* p) {
  for (const json::Value& rl : cfg["process"]["rlimits"].items) {
    const std::string& type = rl["type"].as_string();
    const json::Value* seen = r["rlimits"].Find(type);
    if (!seen || seen->size() != 2) {
      p->Add(type + " not readable");
      continue;
    }
    auto as_limit = [](int64_t v) { return v == -1 ? static_cast<int64_t>(RLIM_INFINITY) : v; };
    if (as_limit(seen->items[0].as_int()) != rl["soft"].as_int() ||
        as_limit(seen->items[1].as_int()) != rl["hard"].as_int())
      p->Add(type + " " + seen->Dump() + " (expected [" + std::to_string(rl["soft"].as_int()) + "," +
             std::to_string(rl["hard"].as_int()) + "])");
  }
}

void CheckMounts(const json::Value& cfg, const json::Value& r, Problems* p) {
  for (const json::Value& m : cfg["mounts"].items) {
    const std::string& dest = m["destination"].as_string();
    auto options = Strings(m["options"]);
    auto mi = FindMount(r, dest);
    if (!mi) {
      p->Add("no mount at " + dest);
      continue;
    }
    std::string type = m["type"].as_string();
    bool bind = type == "bind" || Contains(options, "bind") || Contains(options, "rbind");
    bool type_ok = bind || type.empty() || mi->fs_type == type ||
                   (type == "cgroup" && (mi->fs_type == "tmpfs" || mi->fs_type == "cgroup2"));
    if (!type_ok) p->Add(dest + " is " + mi->fs_type + " (expected " + type + ")");
    if (Contains(options, "ro") && !mi->HasOption("ro")) {
      std::string seen;
      for (const auto& o : mi->mount_options) seen += (seen.empty() ? "" : ",") + o;
      p->Add(dest + " is not read-only (" + mi->fs_type + " " + seen + ")");
    }
    if (Contains(options, "nosuid") && !mi->HasOption("nosuid")) p->Add(dest + " lacks nosuid");
    if (Contains(options, "noexec") && !mi->HasOption("noexec")) p->Add(dest + " lacks noexec");
    if (Contains(options, "nodev") && !mi->HasOption("nodev")) p->Add(dest + " lacks nodev");
  }
}

void CheckMaskedAndReadonly(const json::Value& cfg, const json::Value& r, Problems* masked,
                            Problems* readonly) {
  for (const json::Value& v : cfg["linux"]["maskedPaths"].items) {
    const std::string& path = v.as_string();
    const json::Value* a = ActionResult(r, "stat", path);
    const json::Value* st = a ? a->Find("stat") : nullptr;
    if (!st || st->Find("errno")) continue;  // absent: nothing to mask
    const std::string& type = (*st)["type"].as_string();
    if (type == "dir") {
      const json::Value* ls = ActionResult(r, "ls", path);
      if (!ls || !ls->Find("entries") || (*ls)["entries"].size() != 0) masked->Add(path + " lists entries");
    } else if (!(type == "char" && (*st)["major"].as_int() == 1 && (*st)["minor"].as_int() == 3)) {
      masked->Add(path + " is a " + type + ", not /dev/null");
    }
  }
  for (const json::Value& v : cfg["linux"]["readonlyPaths"].items) {
    const std::string& path = v.as_string();
    const json::Value* a = ActionResult(r, "stat", path);
    const json::Value* st = a ? a->Find("stat") : nullptr;
    if (!st || st->Find("errno")) continue;
    auto mi = FindMount(r, path);
    if (!mi || !mi->HasOption("ro")) readonly->Add(path + " is not a read-only mount");
  }
}

const json::Value* DevEntry(const json::Value& r, const std::string& path) {
  for (const json::Value& d : r["dev"].items)
    if (d["path"].as_string() == path) return &d;
  const json::Value* a = ActionResult(r, "stat", path);
  return a ? a->Find("stat") : nullptr;
}

void CheckDevices(const json::Value& cfg, const json::Value& r, Problems* configured, Problems* defaults) {
  for (const json::Value& d : cfg["linux"]["devices"].items) {
    const std::string& path = d["path"].as_string();
    const json::Value* st = DevEntry(r, path);
    if (!st || st->Find("errno")) {
      configured->Add(path + " missing");
      continue;
    }
    std::string want = d["type"].as_string() == "b" ? "block" : "char";
    if ((*st)["type"].as_string() != want || (*st)["major"].as_int() != d["major"].as_int() ||
        (*st)["minor"].as_int() != d["minor"].as_int())
      configured->Add(path + " is " + st->Dump());
    else if (d.Find("fileMode") && ((*st)["mode"].as_int() & 0777) != (d["fileMode"].as_int() & 0777))
      configured->Add(path + " mode " + std::to_string((*st)["mode"].as_int()) + " (expected fileMode " +
                      std::to_string(d["fileMode"].as_int()) + ")");
  }
  static const struct {
    const char* path;
    int major, minor;
  } kDefault[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                  {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (const auto& d : kDefault) {
    const json::Value* st = DevEntry(r, d.path);
    if (!st || (*st)["type"].as_string() != "char" || (*st)["major"].as_int() != d.major ||
        (*st)["minor"].as_int() != d.minor)
      defaults->Add(std::string(d.path) + (st ? " is " + st->Dump() : " missing"));
  }
  const json::Value* ptmx = DevEntry(r, "/dev/ptmx");
  if (!ptmx) defaults->Add("/dev/ptmx missing");
}

void CheckSeccomp(const json::Value& cfg, const json::Value& r, Problems* p, std::string* seen) {
  const json::Value* profile = cfg["linux"].Find("seccomp");
  std::string mode = r.At("status.Seccomp") ? r.At("status.Seccomp")->as_string() : "absent";
  if (!profile) {
    if (mode != "0") p->Add("Seccomp mode " + mode + " without a profile");
    return;
  }
  if (mode != "2") p->Add("Seccomp mode " + mode + " (expected 2, filter)");
  for (const auto& sc : ProbeSyscalls()) {
    auto v = SeccompVerdictFor(*profile, sc);
    if (!v) continue;
    const json::Value* a = ActionResult(r, "syscall", sc.probe_name);
    if (!a) continue;
    int got = a->Find("ok") && (*a)["ok"].as_int() == 1 ? 0 : static_cast<int>((*a)["errno"].as_int());
    if (v->action == "SCMP_ACT_ERRNO") {
      if (got != v->errno_ret)
        p->Add(std::string(sc.probe_name) + " errno " + std::to_string(got) + " (the profile returns " +
               std::to_string(v->errno_ret) + ")");
      else
        *seen += std::string(seen->empty() ? "" : ", ") + sc.probe_name + " denied";
    } else if ((v->action == "SCMP_ACT_ALLOW" || v->action == "SCMP_ACT_LOG") && sc.allowed_errno >= 0 &&
               got != sc.allowed_errno) {
      p->Add(std::string(sc.probe_name) + " errno " + std::to_string(got) + " (allowed: expected " +
             std::to_string(sc.allowed_errno) + ")");
    }
  }
}

// The probe's arguments: stat/ls for masked and read-only paths and devices,
// sysctl reads, syscalls the profile judges, then wait for a signal.
std::vector<std::string> ProbeArgs(const json::Value& cfg) {
  std::vector<std::string> args = {"/probe"};
  for (const json::Value& v : cfg["linux"]["maskedPaths"].items) {
    args.push_back("stat:" + v.as_string());
    args.push_back("ls:" + v.as_string());
  }
  for (const json::Value& v : cfg["linux"]["readonlyPaths"].items) args.push_back("stat:" + v.as_string());
  for (const json::Value& d : cfg["linux"]["devices"].items) args.push_back("stat:" + d["path"].as_string());
  for (const auto& [key, value] : cfg["linux"]["sysctl"].members) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    args.push_back("read:" + path);
  }
  const json::Value* profile = cfg["linux"].Find("seccomp");
  for (const auto& sc : ProbeSyscalls()) {
    if (sc.allowed_errno < 0) continue;  // the side effects depend on privileges
    auto v = profile ? SeccompVerdictFor(*profile, sc) : std::nullopt;
    if (profile && (!v || (v->action != "SCMP_ACT_ERRNO" && v->action != "SCMP_ACT_ALLOW" &&
                           v->action != "SCMP_ACT_LOG")))
      continue;
    args.push_back(std::string("syscall:") + sc.probe_name);
  }
  args.push_back("wait-signal");
  return args;
}

void RunFixture(CaseContext& c, const std::string& path) {
  auto captured = LoadJson(path);
  if (!captured) return c.Abort("harness: " + captured.error().ToString());
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  NamespaceHolders holders;
  // Probe arguments depend on the config; the captured one has the same lists.
  PreparedFixture prep = PrepareFixture(*captured, ProbeArgs(*captured), *b, holders);
  if (!prep.skip.empty()) return c.SkipRest(prep.skip);
  std::string notes;
  for (const auto& n : prep.notes) notes += n + "; ";
  const json::Value& cfg = b->config;

  // Capabilities this host cannot grant (its bounding set lacks them).
  uint64_t asked = 0;
  for (const char* set : {"bounding", "effective", "permitted", "inheritable", "ambient"})
    asked |= CapabilityMask(Strings(cfg["process"]["capabilities"][set]));
  uint64_t ungrantable = asked & ~OwnBoundingSet();

  Container ct(c, *b);
  CommandResult create = ct.Create();
  if (ungrantable)
    c.Expect("config.md#linux-process-2", create.ok(),
             "capabilities " + Hex(ungrantable) +
                 " are not in this host's bounding set and create failed: " + create.Describe());
  if (!create.ok()) return c.Abort(notes + "create failed: " + create.Describe());
  c.Pass("runtime.md#create-3", notes);
  std::string status = ct.Status();
  c.Expect("runtime.md#query-state-3", status == "created", "state after create: \"" + status + "\"");
  CommandResult start = ct.Start();
  if (!start.ok()) return c.Abort(notes + "start failed: " + start.Describe());
  auto report = WaitForReport(ct, 15000);
  if (!report) return c.Abort(notes + report.error().ToString());
  const json::Value& r = *report;
  status = ct.Status();
  c.Expect("runtime.md#query-state-3", status == "running",
           "state while the program runs: \"" + status + "\"");

  Problems created, joined, inherited;
  CheckNamespaces(cfg, r, &created, &joined, &inherited, {});
  c.Expect("config-linux.md#namespaces-5", created.ok(), created.text);
  c.Expect("config-linux.md#namespaces-3", joined.ok(), joined.text);
  c.Expect("config-linux.md#namespaces-6", inherited.ok(), inherited.text);

  Problems process;
  const json::Value& user = cfg["process"]["user"];
  for (const json::Value& id : r["uid"].items)
    if (id.as_int() != user["uid"].as_int())
      process.Add("uid " + Field(r, "uid") + " (expected " + user["uid"].Dump() + ")");
  for (const json::Value& id : r["gid"].items)
    if (id.as_int() != user["gid"].as_int())
      process.Add("gid " + Field(r, "gid") + " (expected " + user["gid"].Dump() + ")");
  for (const json::Value& g : user["additionalGids"].items) {
    bool found = false;
    for (const json::Value& have : r["groups"].items) found |= have.as_int() == g.as_int();
    if (!found) process.Add("supplementary group " + g.Dump() + " missing from " + Field(r, "groups"));
  }
  CheckCapabilities(cfg, r, user["uid"].as_int() == 0, &process);
  bool nnp = cfg["process"]["noNewPrivileges"].as_bool();
  if (Field(r, "status.NoNewPrivs") != (nnp ? "\"1\"" : "\"0\""))
    process.Add("NoNewPrivs " + Field(r, "status.NoNewPrivs"));
  if (cfg["process"].Find("cwd") && r["cwd"].as_string() != cfg["process"]["cwd"].as_string())
    process.Add("cwd " + Field(r, "cwd"));
  auto env = StringList(r.Find("env"));
  for (const json::Value& e : cfg["process"]["env"].items)
    if (!Contains(env, e.as_string())) process.Add("env lacks " + e.as_string());
  if (cfg["linux"].Find("namespaces") && cfg.Find("hostname") &&
      r["hostname"].as_string() != cfg["hostname"].as_string())
    process.Add("hostname " + Field(r, "hostname") + " (expected " + cfg["hostname"].Dump() + ")");
  c.Expect("runtime.md#start-3", process.ok(), notes + process.text);

  Problems limits;
  CheckRlimits(cfg, r, &limits);
  c.Expect("config.md#posix-process-3", limits.ok(), notes + limits.text);
  c.Expect("config.md#posix-process-4", limits.ok(), notes + limits.text);
  if (cfg["process"].Find("oomScoreAdj"))
    c.Expect("config.md#linux-process-3",
             r["oom_score_adj"].as_string() == std::to_string(cfg["process"]["oomScoreAdj"].as_int()),
             "oom_score_adj " + Field(r, "oom_score_adj"));

  auto root = FindMount(r, "/");
  bool ro = cfg["root"]["readonly"].as_bool();
  c.Expect("config.md#root-5", root && root->HasOption("ro") == ro,
           std::string("root is ") + (root && root->HasOption("ro") ? "read-only" : "writable") +
               ", readonly is " + (ro ? "true" : "false"));

  Problems mounts, masked, readonly, sysctl, seccomp, devices, defaults;
  CheckMounts(cfg, r, &mounts);
  CheckMaskedAndReadonly(cfg, r, &masked, &readonly);
  for (const auto& [key, value] : cfg["linux"]["sysctl"].members) {
    std::string path = "/proc/sys/" + key;
    for (size_t i = 10; i < path.size(); ++i)
      if (path[i] == '.') path[i] = '/';
    // The kernel separates multi-value sysctls with tabs: compare words.
    auto words = [](const std::string& s) {
      std::string out;
      for (char ch : s) {
        bool space = ch == ' ' || ch == '\t' || ch == '\n';
        if (!space)
          out += ch;
        else if (!out.empty() && out.back() != ' ')
          out += ' ';
      }
      if (!out.empty() && out.back() == ' ') out.pop_back();
      return out;
    };
    std::string got = ActionData(r, "read", path);
    if (words(got) != words(value.as_string()))
      sysctl.Add(key + " is \"" + got + "\" (expected \"" + value.as_string() + "\")");
  }
  std::string denied;
  CheckSeccomp(cfg, r, &seccomp, &denied);
  CheckDevices(cfg, r, &devices, &defaults);
  std::string applied = mounts.text + masked.text + readonly.text + sysctl.text + seccomp.text;
  c.Expect("runtime.md#create-4", applied.empty(), applied);
  c.Expect("config.md#mounts-1", mounts.ok(), mounts.text);
  if (cfg["linux"].Find("devices")) c.Expect("config-linux.md#devices-1", devices.ok(), devices.text);
  c.Expect("config-linux.md#default-devices-1", defaults.ok(), defaults.text);

  // exec: a second process joins the container's namespaces with the
  // config's user, capabilities and seccomp filter.
  CommandOptions opts;
  opts.timeout_ms = 20000;
  CommandResult exec = c.runtime().Run({"exec", b->id, "/probe"}, opts);
  auto er = exec.ok() ? ParseProbeOutput(exec.out) : Result<json::Value>(Error(exec.Describe()));
  if (!er) {
    c.Fail(kExecId, "exec failed: " + er.error().ToString());
  } else {
    Problems ep;
    for (const char* kind : {"cgroup", "ipc", "mnt", "net", "pid", "uts", "user", "time"})
      if (NamespaceInode(*er, kind) != NamespaceInode(r, kind))
        ep.Add(std::string(kind) + " namespace differs from the init's");
    for (const char* key :
         {"uid", "gid", "status.CapEff", "status.CapBnd", "status.NoNewPrivs", "status.Seccomp"})
      if (Field(*er, key) != Field(r, key))
        ep.Add(std::string(key) + " " + Field(*er, key) + " (init: " + Field(r, key) + ")");
    c.Expect(kExecId, ep.ok(), ep.text);
  }

  CommandResult kill = ct.Kill("TERM");
  auto exited = kill.ok() ? ct.WaitExit(10000) : std::nullopt;
  c.Expect("runtime.md#kill-3", kill.ok() && exited.has_value(),
           kill.ok() ? "SIGTERM did not end the probe" : "kill failed: " + kill.Describe());
  if (exited) {
    // The runtime may notice the exit a moment later.
    for (int i = 0; i < 200 && ct.Status() == "running"; ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    status = ct.Status();
    c.Expect("runtime.md#query-state-3", status == "stopped",
             "state after the program ended: \"" + status + "\"");
    CommandResult del = ct.Delete();
    c.Expect("runtime.md#delete-3", del.ok() && !c.runtime().State(b->id).ok(),
             del.ok() ? "state still answers after delete" : "delete failed: " + del.Describe());
  }
}

CaseGeneratorRegistrar corpus_generator([](const std::string& fixtures_dir) {
  std::vector<CaseDefinition> cases;
  for (const auto& path : JsonFilesIn(fixtures_dir + "/engines")) {
    cases.push_back(
        {"corpus_" + FixtureName(path),
         {"runtime.md#create-3", "runtime.md#query-state-3", "runtime.md#start-3", "runtime.md#create-4",
          "config-linux.md#default-devices-1", kExecId, "runtime.md#kill-3"},
         [path](CaseContext& c) { RunFixture(c, path); }});
  }
  return cases;
});

}  // namespace
}  // namespace berth::conformance
