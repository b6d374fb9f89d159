#include "conformance/cases/corpus_support.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

namespace berth::conformance {

namespace json = spec::json;

std::vector<std::string> JsonFilesIn(const std::string& dir) {
  std::vector<std::string> files;
  DIR* d = opendir(dir.c_str());
  if (!d) return files;
  for (struct dirent* e; (e = readdir(d));) {
    std::string name = e->d_name;
    if (name.size() > 5 && name.compare(name.size() - 5, 5, ".json") == 0) files.push_back(dir + "/" + name);
  }
  closedir(d);
  std::sort(files.begin(), files.end());
  return files;
}

std::string FixtureName(const std::string& path) {
  std::string base = path.substr(path.rfind('/') + 1);
  return base.substr(0, base.size() - 5);
}

Result<json::Value> LoadJson(const std::string& path) {
  auto text = ReadFileText(path);
  if (!text) return std::move(text).error();
  auto json = json::Parse(*text);
  if (!json) return std::move(json).error().Context(path);
  return json;
}

NamespaceHolders::~NamespaceHolders() {
  for (pid_t pid : pids_) {
    kill(pid, SIGKILL);
    Reaper::Get().Wait(pid, 5000);
  }
}

std::string NsKind(const std::string& oci_type) {
  if (oci_type == "network") return "net";
  if (oci_type == "mount") return "mnt";
  return oci_type;
}

int64_t HostNamespaceInode(const std::string& kind) {
  struct stat st;
  if (stat(("/proc/self/ns/" + kind).c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_ino);
}

Result<std::string> NamespaceHolders::PathFor(const std::string& oci_type) {
  static const std::map<std::string, int> kFlags = {{"pid", CLONE_NEWPID},       {"network", CLONE_NEWNET},
                                                    {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
                                                    {"mount", CLONE_NEWNS},      {"user", CLONE_NEWUSER},
                                                    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}};
  auto it = kFlags.find(oci_type);
  if (it == kFlags.end()) return Error("no namespace type " + oci_type);
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return Error::Sys("pipe2");
  pid_t pid = fork();
  if (pid < 0) return Error::Sys("fork");
  if (pid == 0) {
    close(ready[0]);
    char ok = unshare(it->second) == 0 ? 1 : 0;
    if (write(ready[1], &ok, 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  char ok = 0;
  ssize_t n = read(ready[0], &ok, 1);
  close(ready[0]);
  pids_.push_back(pid);
  if (n != 1 || !ok) return Error("a holder process could not unshare a " + oci_type + " namespace");
  // pid and time namespaces apply to the holder's children: their ns file
  // is *_for_children.
  std::string kind = NsKind(oci_type);
  if (oci_type == "pid" || oci_type == "time") kind += "_for_children";
  return "/proc/" + std::to_string(pid) + "/ns/" + kind;
}

namespace {

void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  for (size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

const std::map<std::string, int>& RlimitNumbers() {
  static const std::map<std::string, int> m = {{"RLIMIT_AS", RLIMIT_AS},
                                               {"RLIMIT_CORE", RLIMIT_CORE},
                                               {"RLIMIT_CPU", RLIMIT_CPU},
                                               {"RLIMIT_DATA", RLIMIT_DATA},
                                               {"RLIMIT_FSIZE", RLIMIT_FSIZE},
                                               {"RLIMIT_LOCKS", RLIMIT_LOCKS},
                                               {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
                                               {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
                                               {"RLIMIT_NICE", RLIMIT_NICE},
                                               {"RLIMIT_NOFILE", RLIMIT_NOFILE},
                                               {"RLIMIT_NPROC", RLIMIT_NPROC},
                                               {"RLIMIT_RSS", RLIMIT_RSS},
                                               {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
                                               {"RLIMIT_RTTIME", RLIMIT_RTTIME},
                                               {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
                                               {"RLIMIT_STACK", RLIMIT_STACK}};
  return m;
}

// The host id that a mapping gives container id 0, or -1.
int64_t HostIdOfRoot(const json::Value& mappings) {
  for (const json::Value& m : mappings.items)
    if (m["containerID"].as_int() == 0 && m["size"].as_int() > 0) return m["hostID"].as_int();
  return -1;
}

uid_t g_shift_uid = 0;
gid_t g_shift_gid = 0;

int ChownEntry(const char* path, const struct stat*, int, struct FTW*) {
  return lchown(path, g_shift_uid, g_shift_gid) == 0 ? 0 : -1;
}

}  // namespace

Status ShiftRootfsOwner(const Bundle& b, uid_t uid, gid_t gid) {
  std::string busybox = b.rootfs + "/bin/busybox";
  auto data = ReadFileText(busybox);
  if (!data) return std::move(data).error();
  if (unlink(busybox.c_str()) != 0) return Error::Sys("unlink " + busybox);
  BERTH_TRY(WriteFileText(busybox, *data, 0755));
  chmod(busybox.c_str(), 0755);
  g_shift_uid = uid;
  g_shift_gid = gid;
  for (const std::string& dir : {b.rootfs, b.dir + "/engine-files", b.dir + "/engine-dirs"})
    if (PathExists(dir) && nftw(dir.c_str(), ChownEntry, 16, FTW_PHYS) != 0)
      return Error::Sys("chown beneath " + dir);
  return Ok();
}

PreparedFixture PrepareFixture(const json::Value& captured, const std::vector<std::string>& probe_args,
                               Bundle& b, NamespaceHolders& holders) {
  PreparedFixture out;
  std::string text = captured.Dump();
  // Namespaces joined by path get a fresh one held by a helper process.
  for (const char* type : {"pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time"}) {
    std::string placeholder = std::string("@NS:") + type + "@";
    if (text.find(placeholder) == std::string::npos) continue;
    auto path = holders.PathFor(type);
    if (!path) {
      out.skip = path.error().ToString();
      return out;
    }
    ReplaceAll(text, placeholder, *path);
    out.notes.push_back(std::string(type) + " namespace joined by path: a fresh one held by the harness");
  }
  std::string args;
  for (const auto& a : probe_args) args += (args.empty() ? "" : ",") + json::Quote(a);
  ReplaceAll(text, "\"@PROBE@\"", args);
  ReplaceAll(text, "@FILE@/", b.dir + "/engine-files/");
  ReplaceAll(text, "@DIR@/", b.dir + "/engine-dirs/");
  ReplaceAll(text, "@CGROUP@", "/conformance/" + b.id);
  ReplaceAll(text, "@BUNDLE@", b.dir);
  ReplaceAll(text, "@ID@", b.id);
  auto parsed = json::Parse(text);
  if (!parsed) {
    out.skip = "harness: the substituted fixture is not JSON: " + parsed.error().ToString();
    return out;
  }
  b.config = std::move(*parsed);
  mkdir((b.dir + "/engine-files").c_str(), 0755);
  mkdir((b.dir + "/engine-dirs").c_str(), 0755);
  for (const json::Value& m : b.config["mounts"].items) {
    const std::string& src = m["source"].as_string();
    if (src.rfind(b.dir + "/engine-dirs/", 0) == 0) {
      mkdir(src.c_str(), 0755);
    } else if (src.rfind(b.dir + "/engine-files/", 0) == 0) {
      std::string name = src.substr(src.rfind('/') + 1);
      if (Status s = WriteFileText(src, name == "hostname" ? b.id + "\n" : ""); !s.ok()) {
        out.skip = "harness: " + s.error().ToString();
        return out;
      }
    } else if (!src.empty() && src[0] == '/' && !PathExists(src)) {
      out.skip = "the host has no " + src + " (a bind source the engine took from its host)";
    }
  }
  // This host lacks CAP_SYS_RESOURCE: no runtime can raise a hard limit
  // above the one it inherits. Lower those, and say so.
  for (json::Value& rl : b.config["process"]["rlimits"].items) {
    auto num = RlimitNumbers().find(rl["type"].as_string());
    struct rlimit own;
    if (num == RlimitNumbers().end() || getrlimit(static_cast<__rlimit_resource>(num->second), &own) != 0)
      continue;
    if (own.rlim_max == RLIM_INFINITY || static_cast<uint64_t>(rl["hard"].as_int()) <= own.rlim_max) continue;
    out.notes.push_back(rl["type"].as_string() + " " + std::to_string(rl["hard"].as_int()) + " lowered to " +
                        std::to_string(own.rlim_max) + " (no CAP_SYS_RESOURCE here)");
    rl["hard"] = static_cast<int64_t>(own.rlim_max);
    if (static_cast<uint64_t>(rl["soft"].as_int()) > own.rlim_max)
      rl["soft"] = static_cast<int64_t>(own.rlim_max);
  }
  if (b.config["process"]["terminal"].as_bool()) {
    b.config["process"]["terminal"] = false;
    out.notes.push_back("process.terminal turned off (the harness reads stdout)");
  }
  b.config["root"]["path"] = "rootfs";
  int64_t uid = HostIdOfRoot(b.config["linux"]["uidMappings"]);
  int64_t gid = HostIdOfRoot(b.config["linux"]["gidMappings"]);
  if (uid >= 0 && gid >= 0) {
    if (Status s = ShiftRootfsOwner(b, static_cast<uid_t>(uid), static_cast<gid_t>(gid)); !s.ok()) {
      out.skip = "harness: " + s.error().ToString();
      return out;
    }
    out.notes.push_back("rootfs owned by the mapped root " + std::to_string(uid) + ", as the engine does");
  }
  return out;
}

// --- seccomp -----------------------------------------------------------------

namespace {

bool ListHas(const json::Value& list, const std::string& value) {
  for (const json::Value& v : list.items)
    if (v.as_string() == value) return true;
  return false;
}

// Engine-form conditions (includes/excludes) for x86_64 and these capabilities.
bool ConditionHolds(const json::Value& cond, const std::vector<std::string>& caps, bool include) {
  if (!cond.is_object()) return include;
  bool arch_listed = cond.Find("arches") && cond["arches"].size() > 0;
  bool arch_match =
      ListHas(cond["arches"], "amd64") || ListHas(cond["arches"], "x86") || ListHas(cond["arches"], "x32");
  bool caps_listed = cond.Find("caps") && cond["caps"].size() > 0;
  bool caps_match = false, caps_all = true;
  for (const json::Value& c : cond["caps"].items) {
    bool has = std::find(caps.begin(), caps.end(), c.as_string()) != caps.end();
    caps_match |= has;
    caps_all &= has;
  }
  if (include) return (!arch_listed || arch_match) && (!caps_listed || caps_all);
  return (arch_listed && arch_match) || (caps_listed && caps_match);
}

}  // namespace

json::Value SeccompToOci(const json::Value& profile, const std::vector<std::string>& capabilities) {
  if (!profile.Find("archMap")) {
    bool engine_form = false;
    for (const json::Value& r : profile["syscalls"].items)
      engine_form |= r.Find("includes") || r.Find("excludes");
    if (!engine_form) return profile;
  }
  json::Value oci = json::Value::Object();
  oci["defaultAction"] = profile["defaultAction"];
  if (profile.Find("defaultErrnoRet")) oci["defaultErrnoRet"] = profile["defaultErrnoRet"];
  oci["architectures"] = json::Value::Strings({"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"});
  for (const char* key : {"flags", "listenerPath", "listenerMetadata"})
    if (profile.Find(key)) oci[key] = profile[key];
  oci["syscalls"] = json::Value::Array();
  for (const json::Value& r : profile["syscalls"].items) {
    if (!ConditionHolds(r["includes"], capabilities, true) ||
        ConditionHolds(r["excludes"], capabilities, false))
      continue;
    json::Value rule = json::Value::Object();
    rule["names"] = r.Find("names") ? r["names"] : json::Value::Strings({r["name"].as_string()});
    rule["action"] = r["action"];
    if (r.Find("errnoRet")) rule["errnoRet"] = r["errnoRet"];
    if (r.Find("args") && r["args"].size() > 0) rule["args"] = r["args"];
    oci["syscalls"].Push(std::move(rule));
  }
  return oci;
}

const std::vector<ProbeSyscall>& ProbeSyscalls() {
  static const std::vector<ProbeSyscall> list = {
      {"getcwd", {"getcwd"}, 0},
      {"getpid", {"getpid"}, 0},
      {"uname", {"uname"}, 0},
      {"keyctl", {"keyctl"}, EOPNOTSUPP},
      {"add_key", {"add_key"}, EFAULT},
      {"close_range", {"close_range"}, EINVAL},
      {"clone3", {"clone3"}, EINVAL},
      {"openat2", {"openat2"}, EINVAL},
      {"faccessat2", {"faccessat2"}, EINVAL},
      {"pidfd_open", {"pidfd_open"}, EINVAL},
      {"unshare", {"unshare"}, 0},
      {"mkdir", {"mkdir", "mkdirat"}, -1},
      {"chmod", {"chmod", "fchmodat", "fchmodat2"}, -1},
      {"sethostname", {"sethostname"}, -1},
  };
  return list;
}

bool SeccompMentions(const json::Value& oci_profile, const std::string& syscall) {
  for (const json::Value& r : oci_profile["syscalls"].items)
    if (ListHas(r["names"], syscall)) return true;
  return false;
}

std::optional<SeccompVerdict> SeccompVerdictFor(const json::Value& oci_profile, const std::string& syscall) {
  SeccompVerdict v;
  v.action = oci_profile["defaultAction"].as_string();
  if (oci_profile.Find("defaultErrnoRet"))
    v.errno_ret = static_cast<int>(oci_profile["defaultErrnoRet"].as_int());
  bool found = false;
  for (const json::Value& r : oci_profile["syscalls"].items) {
    if (!ListHas(r["names"], syscall)) continue;
    if (r.Find("args") && r["args"].size() > 0) return std::nullopt;
    if (found) return std::nullopt;  // two rules: the outcome depends on the runtime's merge
    found = true;
    v.action = r["action"].as_string();
    v.errno_ret = r.Find("errnoRet") ? static_cast<int>(r["errnoRet"].as_int()) : EPERM;
  }
  return v;
}

std::optional<SeccompVerdict> SeccompVerdictFor(const json::Value& oci_profile, const ProbeSyscall& probe) {
  std::optional<SeccompVerdict> first;
  for (const auto& name : probe.kernel_names) {
    auto v = SeccompVerdictFor(oci_profile, name);
    if (!v) return std::nullopt;
    if (first && (first->action != v->action || first->errno_ret != v->errno_ret)) return std::nullopt;
    first = v;
  }
  return first;
}

const std::vector<std::string>& ProbeNeededSyscalls() {
  static const std::vector<std::string> list = {"read",
                                                "write",
                                                "open",
                                                "openat",
                                                "close",
                                                "fstat",
                                                "newfstatat",
                                                "stat",
                                                "lstat",
                                                "statx",
                                                "getdents64",
                                                "readlink",
                                                "readlinkat",
                                                "ioctl",
                                                "getresuid",
                                                "getresgid",
                                                "getgroups",
                                                "umask",
                                                "uname",
                                                "getcwd",
                                                "getpid",
                                                "getppid",
                                                "getsid",
                                                "getpgrp",
                                                "getuid",
                                                "geteuid",
                                                "getgid",
                                                "getegid",
                                                "prlimit64",
                                                "getrlimit",
                                                "sched_getscheduler",
                                                "sched_getparam",
                                                "getpriority",
                                                "ioprio_get",
                                                "personality",
                                                "clock_gettime",
                                                "rt_sigaction",
                                                "rt_sigprocmask",
                                                "rt_sigreturn",
                                                "pause",
                                                "nanosleep",
                                                "clock_nanosleep",
                                                "exit_group",
                                                "exit",
                                                "brk",
                                                "mmap",
                                                "munmap",
                                                "mprotect",
                                                "arch_prctl",
                                                "set_tid_address",
                                                "set_robust_list",
                                                "rseq",
                                                "getrandom",
                                                "lseek",
                                                "access",
                                                "faccessat",
                                                "execve",
                                                "sigaltstack",
                                                "mremap",
                                                "futex",
                                                "madvise"};
  return list;
}

}  // namespace berth::conformance
