// config.md "Linux mount options": every option string of the table, each
// observed in the container's mountinfo (per-mount flags, superblock flags,
// propagation), on a tmpfs, a bind mount, or a submount of an rbind for the
// recursive ("r"-prefixed) options.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <optional>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

// flagged_sub: an rbind whose submount was mounted on the host with
// ro,nosuid,nodev,noexec,noatime,nodiratime,nosymfollow, so the recursive
// "clearing" options have something to clear; strict_sub likewise with
// strictatime; strict_bind: a bind of a strictatime host mount.
enum class Source { tmpfs, bind, rbind_sub, shared_bind, flagged_sub, strict_sub, strict_bind };

struct OptionTest {
  int row;  // ordinal in config.md#linux-mount-options
  std::vector<std::string> options;
  Source source;
  // "" when the observation matches; else what was seen. sub is the
  // submount (rbind_sub only).
  std::function<std::string(const MountInfo& m, const std::optional<MountInfo>& sub)> check;
};

std::string Id(int row) { return "config.md#linux-mount-options-" + std::to_string(row); }

std::string Flags(const MountInfo& m) {
  std::string s;
  for (const auto& o : m.mount_options) s += (s.empty() ? "" : ",") + o;
  s += " / super ";
  for (const auto& o : m.super_options) s += o + ",";
  std::string prop = m.Propagation();
  return s + " / " + prop;
}

auto Has(const char* flag) {
  return [flag](const MountInfo& m, const std::optional<MountInfo>&) {
    return m.HasOption(flag) ? "" : std::string("expected per-mount flag ") + flag + ", got " + Flags(m);
  };
}
auto Lacks(const char* flag) {
  return [flag](const MountInfo& m, const std::optional<MountInfo>&) {
    return !m.HasOption(flag) ? "" : std::string("flag ") + flag + " should have been cleared: " + Flags(m);
  };
}
auto Super(const char* flag, bool want) {
  return [flag, want](const MountInfo& m, const std::optional<MountInfo>&) {
    return m.HasSuperOption(flag) == want
               ? ""
               : std::string("superblock option ") + flag + (want ? " missing: " : " present: ") + Flags(m);
  };
}
auto Exists() {
  return [](const MountInfo&, const std::optional<MountInfo>&) { return std::string(); };
}
auto Strict() {
  return [](const MountInfo& m, const std::optional<MountInfo>&) {
    return !m.HasOption("relatime") && !m.HasOption("noatime")
               ? ""
               : "expected strictatime (no relatime/noatime): " + Flags(m);
  };
}
auto Propagation(const char* want) {
  return [want](const MountInfo& m, const std::optional<MountInfo>&) {
    return m.Propagation() == want ? ""
                                   : std::string("expected propagation ") + want + ", got " + m.Propagation();
  };
}
// Checks on the submount of an rbind.
auto Sub(const char* flag, bool want) {
  return [flag, want](const MountInfo&, const std::optional<MountInfo>& sub) -> std::string {
    if (!sub) return "the submount was not carried by the rbind";
    return sub->HasOption(flag) == want
               ? ""
               : std::string("submount flag ") + flag + (want ? " missing: " : " present: ") + Flags(*sub);
  };
}
auto SubStrict() {
  return [](const MountInfo&, const std::optional<MountInfo>& sub) -> std::string {
    if (!sub) return "the submount was not carried by the rbind";
    return !sub->HasOption("relatime") && !sub->HasOption("noatime")
               ? ""
               : "submount not strictatime: " + Flags(*sub);
  };
}

std::vector<OptionTest> Table() {
  using S = Source;
  return {
      {2, {"sync", "async"}, S::tmpfs, Super("sync", false)},
      {3, {"noatime", "atime"}, S::tmpfs, Lacks("noatime")},
      {4,
       {},
       S::bind,
       [](const MountInfo& m, const std::optional<MountInfo>&) {
         return m.root.size() >= 6 && m.root.substr(m.root.size() - 6) == "/plain"
                    ? ""
                    : "bind mount root is " + m.root;
       }},
      {5,
       {"defaults"},
       S::tmpfs,
       [](const MountInfo& m, const std::optional<MountInfo>&) {
         return m.HasOption("rw") && !m.HasOption("nosuid") && !m.HasOption("nodev") && !m.HasOption("noexec")
                    ? ""
                    : "defaults should be rw,suid,dev,exec: " + Flags(m);
       }},
      {6, {"nodev", "dev"}, S::tmpfs, Lacks("nodev")},
      {7, {"nodiratime", "diratime"}, S::tmpfs, Lacks("nodiratime")},
      {8, {"dirsync"}, S::tmpfs, Super("dirsync", true)},
      {9, {"noexec", "exec"}, S::tmpfs, Lacks("noexec")},
      {10, {"iversion"}, S::tmpfs, Exists()},
      {11, {"lazytime"}, S::tmpfs, Super("lazytime", true)},
      {12, {"loud"}, S::tmpfs, Exists()},
      {13, {"noatime"}, S::tmpfs, Has("noatime")},
      {14, {"nodev"}, S::tmpfs, Has("nodev")},
      {15, {"nodiratime"}, S::tmpfs, Has("nodiratime")},
      {16, {"noexec"}, S::tmpfs, Has("noexec")},
      {17, {"noiversion"}, S::tmpfs, Exists()},
      {18, {"lazytime", "nolazytime"}, S::tmpfs, Super("lazytime", false)},
      {19, {"norelatime"}, S::tmpfs, Exists()},
      {20, {"nostrictatime"}, S::strict_bind, Has("relatime")},
      {21, {"nosuid"}, S::tmpfs, Has("nosuid")},
      {22, {"nosymfollow"}, S::tmpfs, Has("nosymfollow")},
      {23, {"private"}, S::shared_bind, Propagation("private")},
      {24, {"ratime"}, S::flagged_sub, Sub("noatime", false)},
      {25,
       {},
       S::rbind_sub,
       [](const MountInfo&, const std::optional<MountInfo>& sub) {
         return sub ? "" : std::string("rbind did not carry the submount");
       }},
      {26, {"rdev"}, S::flagged_sub, Sub("nodev", false)},
      {27, {"rdiratime"}, S::flagged_sub, Sub("nodiratime", false)},
      {28, {"relatime"}, S::strict_bind, Has("relatime")},
      {30, {"rexec"}, S::flagged_sub, Sub("noexec", false)},
      {31, {"rnoatime"}, S::rbind_sub, Sub("noatime", true)},
      {32, {"rnodiratime"}, S::rbind_sub, Sub("nodiratime", true)},
      {33, {"rnoexec"}, S::rbind_sub, Sub("noexec", true)},
      {34, {"rnorelatime"}, S::rbind_sub, Exists()},
      {35, {"rnostrictatime"}, S::strict_sub, Sub("relatime", true)},
      {36, {"rnosuid"}, S::rbind_sub, Sub("nosuid", true)},
      {37, {"rnosymfollow"}, S::rbind_sub, Sub("nosymfollow", true)},
      {38, {"ro"}, S::tmpfs, Has("ro")},
      {39, {"rprivate"}, S::shared_bind, Propagation("private")},
      {40, {"rrelatime"}, S::strict_sub, Sub("relatime", true)},
      {41, {"rro"}, S::rbind_sub, Sub("ro", true)},
      {42, {"rrw"}, S::flagged_sub, Sub("rw", true)},
      {43, {"rshared"}, S::shared_bind, Propagation("shared")},
      {44, {"rslave"}, S::shared_bind, Propagation("slave")},
      {45, {"rstrictatime"}, S::rbind_sub, SubStrict()},
      {46, {"rsuid"}, S::flagged_sub, Sub("nosuid", false)},
      {47, {"rsymfollow"}, S::flagged_sub, Sub("nosymfollow", false)},
      {48, {"runbindable"}, S::shared_bind, Propagation("unbindable")},
      {49, {"ro", "rw"}, S::tmpfs, Has("rw")},
      {50, {"shared"}, S::shared_bind, Propagation("shared")},
      {51, {"silent"}, S::tmpfs, Exists()},
      {52, {"slave"}, S::shared_bind, Propagation("slave")},
      {53, {"strictatime"}, S::tmpfs, Strict()},
      {54, {"nosuid", "suid"}, S::tmpfs, Lacks("nosuid")},
      {55, {"nosymfollow", "symfollow"}, S::tmpfs, Lacks("nosymfollow")},
      {56, {"sync"}, S::tmpfs, Super("sync", true)},
      {57, {"unbindable"}, S::shared_bind, Propagation("unbindable")},
      // Unknown options are filesystem data (tmpfs size= and mode=).
      {62,
       {"size=2m", "mode=0700"},
       S::tmpfs,
       [](const MountInfo& m, const std::optional<MountInfo>&) {
         bool size = false, mode = false;
         for (const auto& o : m.super_options) size |= o == "size=2048k", mode |= o == "mode=700";
         return size && mode ? "" : "expected size=2048k,mode=700 in the superblock options: " + Flags(m);
       }},
  };
}

// Host-side sources: a plain directory, one with a tmpfs submount (for
// rbind), and a shared tmpfs (for propagation options).
struct Sources {
  std::string plain, rsrc, shsrc, flagged, strict, strict_top;
  bool ok = false;
  ~Sources() {
    for (const auto& m : {rsrc + "/sub", shsrc, flagged + "/sub", strict + "/sub", strict_top})
      if (m.size() > 4) umount2(m.c_str(), MNT_DETACH);
  }
};

void Prepare(CaseContext& c, Sources* s) {
  s->plain = c.dir() + "/plain";
  s->rsrc = c.dir() + "/rsrc";
  s->shsrc = c.dir() + "/shsrc";
  mkdir(s->plain.c_str(), 0755);
  mkdir(s->rsrc.c_str(), 0755);
  mkdir((s->rsrc + "/sub").c_str(), 0755);
  mkdir(s->shsrc.c_str(), 0755);
  s->flagged = c.dir() + "/flagged";
  s->strict = c.dir() + "/strict";
  s->strict_top = c.dir() + "/stricttop";
  for (const auto& d : {s->flagged, s->flagged + "/sub", s->strict, s->strict + "/sub", s->strict_top})
    mkdir(d.c_str(), 0755);
  s->ok = WriteFileText(s->plain + "/hello", "hi").ok() &&
          mount("tmpfs", (s->flagged + "/sub").c_str(), "tmpfs",
                MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_NOSYMFOLLOW,
                "size=1m") == 0 &&
          mount("tmpfs", (s->strict + "/sub").c_str(), "tmpfs", MS_STRICTATIME, "size=1m") == 0 &&
          mount("tmpfs", s->strict_top.c_str(), "tmpfs", MS_STRICTATIME, "size=1m") == 0 &&
          mount("tmpfs", (s->rsrc + "/sub").c_str(), "tmpfs", 0, "size=1m") == 0 &&
          mount("tmpfs", s->shsrc.c_str(), "tmpfs", 0, "size=1m") == 0 &&
          mount(nullptr, s->shsrc.c_str(), nullptr, MS_SHARED, nullptr) == 0;
}

void AddOptionMount(Bundle& b, const Sources& s, const OptionTest& t) {
  std::string dest = "/m/o" + std::to_string(t.row);
  mkdir((b.rootfs + "/m").c_str(), 0755);
  mkdir((b.rootfs + dest).c_str(), 0755);
  std::vector<std::string> opts = t.options;
  switch (t.source) {
    case Source::tmpfs: b.AddMount(dest, "tmpfs", "tmpfs", opts); break;
    case Source::bind:
      opts.insert(opts.begin(), "bind");
      b.AddMount(dest, "none", s.plain, opts);
      break;
    case Source::rbind_sub:
      opts.insert(opts.begin(), "rbind");
      b.AddMount(dest, "none", s.rsrc, opts);
      break;
    case Source::shared_bind:
      opts.insert(opts.begin(), "bind");
      b.AddMount(dest, "none", s.shsrc, opts);
      break;
    case Source::flagged_sub:
      opts.insert(opts.begin(), "rbind");
      b.AddMount(dest, "none", s.flagged, opts);
      break;
    case Source::strict_sub:
      opts.insert(opts.begin(), "rbind");
      b.AddMount(dest, "none", s.strict, opts);
      break;
    case Source::strict_bind:
      opts.insert(opts.begin(), "bind");
      b.AddMount(dest, "none", s.strict_top, opts);
      break;
  }
}

void Judge(CaseContext& c, const json::Value& report, const OptionTest& t) {
  std::string dest = "/m/o" + std::to_string(t.row);
  auto m = FindMount(report, dest);
  if (!m)
    return c.Fail(Id(t.row),
                  "no mount at " + dest + " for options " + json::Value::Strings(t.options).Dump());
  std::string problem = t.check(*m, FindMount(report, dest + "/sub"));
  c.Expect(Id(t.row), problem.empty(), json::Value::Strings(t.options).Dump() + ": " + problem);
}

}  // namespace

CONFORMANCE_CASE(linux_mount_options, "config.md#linux-mount-options-1", "config.md#linux-mount-options-61") {
  Sources sources;
  Prepare(c, &sources);
  if (!sources.ok) return c.Abort("harness: cannot prepare mount sources");
  auto table = Table();
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  for (const auto& t : table) AddOptionMount(*b, sources, t);
  // One container for the whole table; if some option breaks create, bisect
  // so that every row still gets its own verdict.
  std::function<void(size_t, size_t, Bundle*)> run_rows = [&](size_t lo, size_t hi, Bundle* bundle) {
    std::optional<Bundle> own;
    if (!bundle) {
      own = NewBundleOrAbort(c);
      if (!own) return;
      for (size_t i = lo; i < hi; ++i) AddOptionMount(*own, sources, table[i]);
      bundle = &*own;
    }
    auto run = RunProbe(c, *bundle);
    if (run) {
      for (size_t i = lo; i < hi; ++i) Judge(c, run->report, table[i]);
    } else if (hi - lo == 1) {
      c.Fail(Id(table[lo].row),
             json::Value::Strings(table[lo].options).Dump() + ": " + run.error().ToString());
    } else {
      size_t mid = (lo + hi) / 2;
      run_rows(lo, mid, nullptr);
      run_rows(mid, hi, nullptr);
    }
  };
  run_rows(0, table.size(), &*b);
  // The table's lead sentence holds when every MUST row holds.
  static const int kShouldRows[] = {22, 24, 26, 27, 30, 31, 32, 33, 34, 35,
                                    36, 37, 40, 41, 42, 45, 46, 47, 55, 62};
  std::string failed_musts;
  for (const auto& t : table) {
    bool should = false;
    for (int r : kShouldRows) should |= r == t.row;
    if (!should && c.OutcomeOf(Id(t.row)) != Outcome::pass)
      failed_musts += json::Value::Strings(t.options).Dump() + " ";
  }
  c.Expect("config.md#linux-mount-options-1", failed_musts.empty(),
           "MUST options not honoured: " + failed_musts);
  // mount(8) documents "defaults" as rw,suid,dev,exec,auto,nouser,async.
  c.Expect("config.md#linux-mount-options-61",
           c.OutcomeOf(Id(5)) == Outcome::pass && c.OutcomeOf(Id(2)) == Outcome::pass,
           "\"defaults\" or \"async\" did not behave as mount(8) documents");
}

CONFORMANCE_CASE(mount_option_remount, "config.md#linux-mount-options-29") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  mkdir((b->rootfs + "/m").c_str(), 0755);
  mkdir((b->rootfs + "/m/re").c_str(), 0755);
  b->AddMount("/m/re", "tmpfs", "tmpfs", {"size=1m"});
  b->AddMount("/m/re", "tmpfs", "tmpfs", {"remount", "ro"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  int count = 0;
  for (const auto& m : MountsOf(run->report)) count += m.mount_point == "/m/re";
  auto m = FindMount(run->report, "/m/re");
  c.Expect("config.md#linux-mount-options-29", m && m->HasOption("ro") && count == 1,
           "after remount,ro: " + std::to_string(count) + " mounts at /m/re, top " +
               (m ? Flags(*m) : std::string("absent")));
}

}  // namespace berth::conformance

namespace berth::conformance {

// idmap/ridmap without any mapping to use (no mount mappings, no user
// namespace) must be an error; runtimes that ignore the option mount the
// directory unmapped instead.
CONFORMANCE_CASE(idmap_without_mappings_is_error, "config.md#linux-mount-options-58",
                 "config.md#linux-mount-options-59") {
  for (auto [option, row] : {std::pair{"idmap", 58}, std::pair{"ridmap", 59}}) {
    auto b = NewBundleOrAbort(c);
    if (!b) return;
    std::string src = c.dir() + "/idmap-src-" + option;
    mkdir(src.c_str(), 0755);
    mkdir((b->rootfs + "/idm").c_str(), 0755);
    b->AddMount("/idm", "none", src, {option == std::string("idmap") ? "bind" : "rbind", option});
    Container ct(c, *b);
    CommandResult r = ct.Create();
    c.Expect("config.md#linux-mount-options-" + std::to_string(row), !r.ok(),
             std::string("\"") + option +
                 "\" without uidMappings/gidMappings and without a user namespace was accepted");
  }
}

}  // namespace berth::conformance

namespace berth::conformance {
namespace {

json::Value IdMap(int container_id, int host_id, int size) {
  json::Value map = json::Value::Object();
  map["containerID"] = container_id;
  map["hostID"] = host_id;
  map["size"] = size;
  return json::Value::Array({map});
}

// A source directory with a file owned by uid/gid 0 and one by 2000.
std::string IdmapSource(CaseContext& c, const std::string& name) {
  std::string src = c.dir() + "/" + name;
  mkdir(src.c_str(), 0755);
  for (auto [file, id] : {std::pair{"/by0", 0}, std::pair{"/by2000", 2000}}) {
    int fd = open((src + file).c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (fd >= 0) close(fd);
    if (chown((src + file).c_str(), id, id) != 0) return "";
  }
  return src;
}

int64_t StatUid(const json::Value& report, const std::string& path) {
  const json::Value* a = ActionResult(report, "stat", path);
  return a && a->Find("stat") ? (*a->Find("stat"))["uid"].as_int() : -1;
}

}  // namespace

// The mount's own uidMappings/gidMappings are its idmapping: on-disk id 0
// shows as 1000 through the mount, ids outside the map as the overflow id.
CONFORMANCE_CASE(idmap_mount_uses_the_mount_mappings, "config.md#linux-mount-options-58") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string src = IdmapSource(c, "idmap-mapped");
  if (src.empty()) return c.Abort("harness: cannot chown the idmap source files");
  mkdir((b->rootfs + "/idm").c_str(), 0755);
  b->AddMount("/idm", "none", src, {"bind", "idmap"});
  json::Value& mount = b->config["mounts"].items.back();
  mount["uidMappings"] = IdMap(0, 1000, 10);
  mount["gidMappings"] = IdMap(0, 1000, 10);
  b->SetArgs({"/probe", "stat:/idm/by0", "stat:/idm/by2000"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  int64_t by0 = StatUid(run->report, "/idm/by0"), by2000 = StatUid(run->report, "/idm/by2000");
  c.Expect("config.md#linux-mount-options-58", by0 == 1000 && by2000 != 2000 && by2000 >= 0,
           "through an idmap mount with map 0->1000 (10): on-disk uid 0 shows as " + std::to_string(by0) +
               " (expected 1000), on-disk 2000 as " + std::to_string(by2000) +
               " (expected the overflow uid)");
}

// Inside a user namespace, idmap without mount mappings takes the
// container's (spec: MAY): host-owned files then show their on-disk ids.
CONFORMANCE_CASE(idmap_mount_in_a_user_namespace, "config.md#linux-mount-options-58") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string src = IdmapSource(c, "idmap-userns");
  if (src.empty()) return c.Abort("harness: cannot chown the idmap source files");
  b->AddNamespace("user");
  b->Linux()["uidMappings"] = IdMap(0, 300000, 65536);
  b->Linux()["gidMappings"] = IdMap(0, 300000, 65536);
  auto& mounts = b->config["mounts"].items;  // host cgroups cannot be mounted in a user namespace
  for (auto it = mounts.begin(); it != mounts.end();)
    it = (*it)["destination"].as_string() == "/sys/fs/cgroup" ? mounts.erase(it) : it + 1;
  mkdir((b->rootfs + "/idm").c_str(), 0755);
  b->AddMount("/idm", "none", src, {"bind", "idmap"});
  b->SetArgs({"/probe", "stat:/idm/by0", "stat:/idm/by2000"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  int64_t by0 = StatUid(run->report, "/idm/by0"), by2000 = StatUid(run->report, "/idm/by2000");
  c.Expect("config.md#linux-mount-options-58", by0 == 0 && by2000 == 2000,
           "in a user namespace mapping 0->300000, through an idmap mount: on-disk uid 0 shows as " +
               std::to_string(by0) + ", 2000 as " + std::to_string(by2000) + " (expected 0 and 2000)");
}

}  // namespace berth::conformance
