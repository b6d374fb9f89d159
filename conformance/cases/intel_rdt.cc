// config-linux.md#intelrdt on a host with a mounted resctrl filesystem:
// the container's CLOS directory, tasks, schemata (written or compared),
// closID rules, removal on delete, and MON groups. Schema values are the
// resctrl root's own lines, so they are valid on any hardware. On a host
// without resctrl (this VM) every case is skipped with that reason.
#include <set>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

std::string ResctrlRoot() {
  auto mounts = ReadFileText("/proc/self/mountinfo");
  if (!mounts) return "";
  size_t at = mounts->find(" - resctrl ");
  if (at == std::string::npos) return "";
  size_t line = mounts->rfind('\n', at);
  auto fields = mounts->substr(line == std::string::npos ? 0 : line + 1, at);
  // id parent major:minor root mount-point ...
  size_t pos = 0;
  for (int i = 0; i < 4 && pos != std::string::npos; ++i) pos = fields.find(' ', pos + 1);
  if (pos == std::string::npos) return "";
  size_t end = fields.find(' ', pos + 1);
  return fields.substr(pos + 1, end - pos - 1);
}

std::string Trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\n");
  size_t e = s.find_last_not_of(" \t\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The root group's schemata line for a resource ("L3", "MB"), or "".
std::string RootLine(const std::string& root, const std::string& resource) {
  auto text = ReadFileText(root + "/schemata");
  if (!text) return "";
  size_t start = 0;
  while (start < text->size()) {
    size_t nl = text->find('\n', start);
    if (nl == std::string::npos) nl = text->size();
    std::string line = Trim(text->substr(start, nl - start));
    start = nl + 1;
    if (line.rfind(resource + ":", 0) == 0) return line;
  }
  return "";
}

bool TasksHave(const std::string& file, pid_t pid) {
  auto text = ReadFileText(file);
  if (!text || pid <= 0) return false;
  std::string needle = std::to_string(pid);
  size_t start = 0;
  while (start < text->size()) {
    size_t nl = text->find('\n', start);
    if (nl == std::string::npos) nl = text->size();
    if (Trim(text->substr(start, nl - start)) == needle) return true;
    start = nl + 1;
  }
  return false;
}

// The schemata file has the line's resource with the same domain values
// (the kernel may reorder or pad, so compare after removing spaces).
bool SchemataHas(const std::string& file, const std::string& line) {
  auto text = ReadFileText(file);
  if (!text) return false;
  std::string flat, want;
  for (char ch : *text)
    if (ch != ' ') flat += ch;
  for (char ch : line)
    if (ch != ' ') want += ch;
  return flat.find(want) != std::string::npos;
}

// Runs the probe asleep; the running container is handed to check(), then
// deleted; after() sees the host once it is gone.
struct RdtRun {
  std::string error;
};

template <typename During, typename After>
RdtRun RunWithRdt(CaseContext& c, const json::Value& intel_rdt, During during, After after) {
  RdtRun out;
  auto b = c.NewBundle();
  if (!b) {
    out.error = "harness: " + b.error().ToString();
    return out;
  }
  b->Linux()["intelRdt"] = intel_rdt;
  b->SetArgs({"/probe", "quiet", "sleep:30"});
  {
    Container ct(c, *b);
    CommandResult create = ct.Create();
    if (!create.ok()) {
      out.error = "create failed: " + create.Describe();
      return out;
    }
    during(b->id, ct.Pid());
    ct.Kill("KILL");
    ct.WaitExit(10000);
    ct.Delete();
  }
  after(b->id);
  return out;
}

bool Prepare(CaseContext& c, std::string* root) {
  *root = ResctrlRoot();
  if (root->empty()) {
    c.SkipRest("host: no resctrl filesystem (no Intel RDT / AMD QoS hardware in this VM)");
    return false;
  }
  return true;
}

}  // namespace

CONFORMANCE_CASE(intel_rdt_container_group, "config-linux.md#intelrdt-1", "config-linux.md#intelrdt-8",
                 "config-linux.md#intelrdt-11", "config-linux.md#intelrdt-14",
                 "config-linux.md#intelrdt-19") {
  std::string root;
  if (!Prepare(c, &root)) return;
  std::string l3 = RootLine(root, "L3");
  if (l3.empty()) return c.SkipRest("host: resctrl has no L3 allocation");
  json::Value rdt = json::Value::Object();
  rdt["l3CacheSchema"] = l3;
  RdtRun r = RunWithRdt(
      c, rdt,
      [&](const std::string& id, pid_t pid) {
        std::string dir = root + "/" + id;
        c.Expect("config-linux.md#intelrdt-14", PathExists(dir),
                 "no resctrl group " + dir + " without closID");
        c.Expect("config-linux.md#intelrdt-1", TasksHave(dir + "/tasks", pid),
                 dir + "/tasks lacks the container's pid");
        bool written = SchemataHas(dir + "/schemata", l3);
        c.Expect("config-linux.md#intelrdt-11", written, dir + "/schemata lacks " + l3);
        c.Expect("config-linux.md#intelrdt-8", written, dir + "/schemata lacks " + l3);
      },
      [&](const std::string& id) {
        c.Expect("config-linux.md#intelrdt-19", !PathExists(root + "/" + id),
                 "the group the runtime made was not removed");
      });
  if (!r.error.empty()) c.Abort(r.error);
}

CONFORMANCE_CASE(intel_rdt_both_schemas_and_schemata_field, "config-linux.md#intelrdt-9",
                 "config-linux.md#intelrdt-12") {
  std::string root;
  if (!Prepare(c, &root)) return;
  std::string l3 = RootLine(root, "L3"), mb = RootLine(root, "MB");
  if (l3.empty() || mb.empty()) return c.SkipRest("host: resctrl lacks L3 or MB allocation");
  json::Value both = json::Value::Object();
  both["l3CacheSchema"] = l3;
  both["memBwSchema"] = mb;
  RdtRun r = RunWithRdt(
      c, both,
      [&](const std::string& id, pid_t) {
        std::string f = root + "/" + id + "/schemata";
        c.Expect("config-linux.md#intelrdt-9", SchemataHas(f, l3) && SchemataHas(f, mb),
                 f + " lacks " + l3 + " or " + mb);
      },
      [](const std::string&) {});
  if (!r.error.empty()) return c.Abort(r.error);
  json::Value field = json::Value::Object();
  field["schemata"] = json::Value::Strings({l3});
  r = RunWithRdt(
      c, field,
      [&](const std::string& id, pid_t) {
        std::string f = root + "/" + id + "/schemata";
        c.Expect("config-linux.md#intelrdt-12", SchemataHas(f, l3),
                 f + " lacks " + l3 + " from the schemata field");
      },
      [](const std::string&) {});
  if (!r.error.empty()) c.Abort(r.error);
}

CONFORMANCE_CASE(intel_rdt_preconfigured_closid, "config-linux.md#intelrdt-13", "config-linux.md#intelrdt-17",
                 "config-linux.md#intelrdt-18", "config-linux.md#intelrdt-20") {
  std::string root;
  if (!Prepare(c, &root)) return;
  std::string clos = "conformance-pre-" + std::to_string(getpid());
  std::string dir = root + "/" + clos;
  if (mkdir(dir.c_str(), 0755) != 0) return c.SkipRest("host: cannot create a resctrl group (no free CLOS?)");
  auto before = ReadFileText(dir + "/schemata");
  json::Value rdt = json::Value::Object();
  rdt["closID"] = clos;
  RdtRun r = RunWithRdt(
      c, rdt,
      [&](const std::string&, pid_t pid) {
        bool assigned = TasksHave(dir + "/tasks", pid);
        c.Expect("config-linux.md#intelrdt-17", assigned,
                 "the container is not in the pre-configured group " + clos);
        c.Expect("config-linux.md#intelrdt-18", assigned,
                 "the container is not in the pre-configured group " + clos);
        auto now = ReadFileText(dir + "/schemata");
        c.Expect("config-linux.md#intelrdt-13", before && now && *before == *now,
                 "schemata of " + clos + " changed although no schema was set");
      },
      [&](const std::string&) {
        c.Expect("config-linux.md#intelrdt-20", PathExists(dir),
                 "the pre-configured group " + clos + " was removed");
      });
  if (!r.error.empty()) c.Abort(r.error);
  rmdir(dir.c_str());
  // A closID that does not exist, with no schema to create it from: an error.
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["intelRdt"]["closID"] = "conformance-missing-" + std::to_string(getpid());
  Container ct(c, *b);
  c.Expect("config-linux.md#intelrdt-18", !ct.Create().ok(),
           "a closID with no directory and no schema was accepted");
}

CONFORMANCE_CASE(intel_rdt_closid_created_and_compared, "config-linux.md#intelrdt-15",
                 "config-linux.md#intelrdt-16") {
  std::string root;
  if (!Prepare(c, &root)) return;
  std::string l3 = RootLine(root, "L3");
  if (l3.empty()) return c.SkipRest("host: resctrl has no L3 allocation");
  std::string clos = "conformance-new-" + std::to_string(getpid());
  json::Value rdt = json::Value::Object();
  rdt["closID"] = clos;
  rdt["l3CacheSchema"] = l3;
  RdtRun r = RunWithRdt(
      c, rdt,
      [&](const std::string&, pid_t pid) {
        c.Expect("config-linux.md#intelrdt-15", TasksHave(root + "/" + clos + "/tasks", pid),
                 "the closID group " + clos + " was not created with the container in it");
      },
      [](const std::string&) {});
  if (!r.error.empty()) {
    rmdir((root + "/" + clos).c_str());
    return c.Abort(r.error);
  }
  // The group now exists with the root's L3 line: a different value must be
  // refused (compared, not written).
  size_t eq = l3.find('=');
  std::string other = l3;
  if (eq != std::string::npos && eq + 1 < l3.size())
    other.replace(eq + 1, l3.find(';', eq) - eq - 1, l3[eq + 1] == '1' ? "3" : "1");
  auto b = NewBundleOrAbort(c);
  if (b) {
    b->Linux()["intelRdt"]["closID"] = clos;
    b->Linux()["intelRdt"]["l3CacheSchema"] = other;
    Container ct(c, *b);
    c.Expect("config-linux.md#intelrdt-16", !ct.Create().ok(),
             "an existing closID whose schemata differs from " + other + " was accepted");
  }
  rmdir((root + "/" + clos).c_str());
}

CONFORMANCE_CASE(intel_rdt_root_and_absent, "config-linux.md#intelrdt-3", "config-linux.md#intelrdt-4") {
  std::string root;
  if (!Prepare(c, &root)) return;
  json::Value rdt = json::Value::Object();
  rdt["closID"] = "/";
  RdtRun r = RunWithRdt(
      c, rdt,
      [&](const std::string&, pid_t pid) {
        c.Expect("config-linux.md#intelrdt-4", TasksHave(root + "/tasks", pid),
                 "closID \"/\": the container is not in the root group");
      },
      [](const std::string&) {});
  if (!r.error.empty()) return c.Abort(r.error);
  auto before = ReadFileText(root + "/schemata");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "quiet", "sleep:30"});
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create failed");
  auto after = ReadFileText(root + "/schemata");
  c.Expect("config-linux.md#intelrdt-3",
           !PathExists(root + "/" + b->id) && before && after && *before == *after,
           "without intelRdt the runtime made a resctrl group or changed the root schemata");
}

CONFORMANCE_CASE(intel_rdt_monitoring_group, "config-linux.md#intelrdt-21", "config-linux.md#intelrdt-22",
                 "config-linux.md#intelrdt-23") {
  std::string root;
  if (!Prepare(c, &root)) return;
  if (!PathExists(root + "/mon_groups")) return c.SkipRest("host: resctrl has no monitoring");
  std::string l3 = RootLine(root, "L3");
  json::Value rdt = json::Value::Object();
  rdt["enableMonitoring"] = true;
  if (!l3.empty()) rdt["l3CacheSchema"] = l3;
  std::string mon;
  RdtRun r = RunWithRdt(
      c, rdt,
      [&](const std::string& id, pid_t pid) {
        std::string group = l3.empty() ? root : root + "/" + id;
        mon = group + "/mon_groups/" + id;
        c.Expect("config-linux.md#intelrdt-21", PathExists(mon), "no MON group " + mon);
        c.Expect("config-linux.md#intelrdt-22", TasksHave(mon + "/tasks", pid),
                 mon + "/tasks lacks the container's pid");
      },
      [&](const std::string&) {
        c.Expect("config-linux.md#intelrdt-23", !mon.empty() && !PathExists(mon),
                 "the MON group " + mon + " was not deleted");
      });
  if (!r.error.empty()) c.Abort(r.error);
}

}  // namespace berth::conformance
