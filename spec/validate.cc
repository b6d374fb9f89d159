// Validation of the platform-neutral parts of config.json: version, root,
// process, mounts, hooks. Linux parts are in validate_linux.cc.
#include "spec/validate.h"

#include <set>

#include "spec/validate_internal.h"

namespace berth::spec {

namespace validate {

std::string At(const std::string& path, size_t index) { return path + "[" + std::to_string(index) + "]"; }

bool IsAbsolute(std::string_view path) { return !path.empty() && path.front() == '/'; }

bool IsCpuList(std::string_view list) {
  if (list.empty()) return false;
  size_t i = 0;
  auto number = [&](uint64_t& out) {
    size_t start = i;
    out = 0;
    while (i < list.size() && list[i] >= '0' && list[i] <= '9') {
      out = out * 10 + static_cast<uint64_t>(list[i] - '0');
      if (out > 1u << 20) return false;  // far beyond any CPU or node count
      ++i;
    }
    return i > start;
  };
  for (;;) {
    uint64_t lo = 0, hi = 0;
    if (!number(lo)) return false;
    if (i < list.size() && list[i] == '-') {
      ++i;
      if (!number(hi) || hi < lo) return false;
    }
    if (i == list.size()) return true;
    if (list[i] != ',') return false;
    ++i;
  }
}

void CheckName(Report& r, const std::string& path, const NameSet& set, std::string_view name) {
  if (!set.Contains(name)) r.Add(path, "unknown " + std::string(set.noun) + " \"" + std::string(name) + "\"");
}

void CheckIdMappings(Report& r, const std::string& path, const std::vector<IdMapping>& maps) {
  // The kernel accepts at most 340 lines in uid_map/gid_map.
  if (maps.size() > 340) {
    r.Add(path, "more than 340 mappings");
    return;  // and no quadratic overlap check on a huge list
  }
  constexpr uint64_t kIdSpace = uint64_t{1} << 32;
  for (size_t i = 0; i < maps.size(); ++i) {
    const IdMapping& m = maps[i];
    std::string at = At(path, i);
    if (m.size == 0) {
      r.Add(at + ".size", "must be greater than 0");
      continue;
    }
    if (uint64_t{m.containerID} + m.size > kIdSpace)
      r.Add(at, "containerID + size overflows the 32-bit id space");
    if (uint64_t{m.hostID} + m.size > kIdSpace) r.Add(at, "hostID + size overflows the 32-bit id space");
    for (size_t j = 0; j < i; ++j) {
      const IdMapping& o = maps[j];
      if (o.size == 0) continue;
      auto overlap = [](uint64_t a, uint64_t an, uint64_t b, uint64_t bn) {
        return a < b + bn && b < a + an;
      };
      if (overlap(m.containerID, m.size, o.containerID, o.size))
        r.Add(at, "containerID range overlaps " + At(path, j));
      if (overlap(m.hostID, m.size, o.hostID, o.size)) r.Add(at, "hostID range overlaps " + At(path, j));
    }
  }
}

namespace {

void CheckEnv(Report& r, const std::string& path, const std::vector<std::string>& env) {
  for (size_t i = 0; i < env.size(); ++i) {
    size_t eq = env[i].find('=');
    if (eq == std::string::npos)
      r.Add(At(path, i), "must be KEY=VALUE (missing '=')");
    else if (eq == 0)
      r.Add(At(path, i), "must be KEY=VALUE (empty KEY)");
  }
}

// "/proc", "/proc/", "//proc" all name /proc.
bool IsProcDestination(std::string_view dest) {
  std::string norm;
  for (char c : dest)
    if (c != '/' || norm.empty() || norm.back() != '/') norm += c;
  while (norm.size() > 1 && norm.back() == '/') norm.pop_back();
  return norm == "/proc" || norm == "proc";
}

void CheckProcess(Report& r, const Process& p) {
  if (p.args.empty())
    r.Add("process.args", "must not be empty");
  else if (p.args[0].empty())
    r.Add("process.args[0]", "must not be empty");
  if (!IsAbsolute(p.cwd)) r.Add("process.cwd", "must be an absolute path");
  CheckEnv(r, "process.env", p.env);
  if (p.user.umask && *p.user.umask > 0777) r.Add("process.user.umask", "must be <= 0777");
  if (p.capabilities) {
    const Capabilities& c = *p.capabilities;
    for (const auto& [name, set] : {std::pair{"bounding", &c.bounding},
                                    {"effective", &c.effective},
                                    {"inheritable", &c.inheritable},
                                    {"permitted", &c.permitted},
                                    {"ambient", &c.ambient}})
      for (size_t i = 0; i < set->size(); ++i)
        if (!names::IsWellFormedCapabilityName((*set)[i]))
          r.Add(At(std::string("process.capabilities.") + name, i),
                "malformed capability name \"" + (*set)[i] + "\"");
  }
  std::set<std::string> rlimit_types;
  for (size_t i = 0; i < p.rlimits.size(); ++i) {
    const Rlimit& l = p.rlimits[i];
    std::string at = At("process.rlimits", i);
    CheckName(r, at + ".type", kRlimitTypeSet, l.type);
    if (!rlimit_types.insert(l.type).second) r.Add(at + ".type", "duplicate rlimit " + l.type);
    if (l.soft > l.hard) r.Add(at, "soft limit exceeds hard limit");
  }
  if (p.oomScoreAdj && (*p.oomScoreAdj < -1000 || *p.oomScoreAdj > 1000))
    r.Add("process.oomScoreAdj", "must be in [-1000, 1000]");
  if (p.scheduler) {
    const Scheduler& s = *p.scheduler;
    CheckName(r, "process.scheduler.policy", kSchedulerPolicySet, s.policy);
    for (size_t i = 0; i < s.flags.size(); ++i)
      CheckName(r, At("process.scheduler.flags", i), kSchedulerFlagSet, s.flags[i]);
    if (s.nice && (*s.nice < -20 || *s.nice > 19)) r.Add("process.scheduler.nice", "must be in [-20, 19]");
    bool realtime = s.policy == "SCHED_FIFO" || s.policy == "SCHED_RR";
    if (s.priority && realtime && (*s.priority < 1 || *s.priority > 99))
      r.Add("process.scheduler.priority", "must be in [1, 99] for " + s.policy);
    if (s.priority && !realtime && *s.priority != 0)
      r.Add("process.scheduler.priority", "must be 0 for " + s.policy);
    if (s.policy == "SCHED_DEADLINE") {
      if (!s.runtime || !s.deadline)
        r.Add("process.scheduler", "SCHED_DEADLINE needs runtime and deadline");
      else if (*s.runtime > *s.deadline || (s.period && *s.period != 0 && *s.deadline > *s.period))
        r.Add("process.scheduler", "must satisfy runtime <= deadline <= period");
    } else if (s.runtime || s.deadline || s.period) {
      r.Add("process.scheduler", "runtime, deadline and period apply to SCHED_DEADLINE only");
    }
  }
  if (p.ioPriority) {
    CheckName(r, "process.ioPriority.class", kIoPriorityClassSet, p.ioPriority->class_);
    if (p.ioPriority->priority < 0 || p.ioPriority->priority > 7)
      r.Add("process.ioPriority.priority", "must be in [0, 7]");
  }
  if (p.execCPUAffinity) {
    if (!p.execCPUAffinity->initial.empty() && !IsCpuList(p.execCPUAffinity->initial))
      r.Add("process.execCPUAffinity.initial", "must be a CPU list like \"0-3,7\"");
    if (!p.execCPUAffinity->final.empty() && !IsCpuList(p.execCPUAffinity->final))
      r.Add("process.execCPUAffinity.final", "must be a CPU list like \"0-3,7\"");
  }
}

void CheckMounts(Report& r, const std::vector<Mount>& mounts) {
  for (size_t i = 0; i < mounts.size(); ++i) {
    const Mount& m = mounts[i];
    std::string at = At("mounts", i);
    // Relative destinations are deprecated but allowed (relative to "/").
    if (m.destination.empty()) r.Add(at + ".destination", "must not be empty");
    // A fake /proc would redirect the runtime's own writes (CVE-2019-16884).
    if (IsProcDestination(m.destination) && m.type != "proc")
      r.Add(at, "only a proc filesystem may be mounted on /proc");
    if (m.uidMappings.empty() != m.gidMappings.empty())
      r.Add(at, "uidMappings and gidMappings must be given together");
    CheckIdMappings(r, at + ".uidMappings", m.uidMappings);
    CheckIdMappings(r, at + ".gidMappings", m.gidMappings);
  }
}

void CheckHooks(Report& r, const Hooks& h) {
  for (const auto& [phase, list] : {std::pair{"prestart", &h.prestart},
                                    {"createRuntime", &h.createRuntime},
                                    {"createContainer", &h.createContainer},
                                    {"startContainer", &h.startContainer},
                                    {"poststart", &h.poststart},
                                    {"poststop", &h.poststop}}) {
    for (size_t i = 0; i < list->size(); ++i) {
      const Hook& hook = (*list)[i];
      std::string at = At(std::string("hooks.") + phase, i);
      if (!IsAbsolute(hook.path)) r.Add(at + ".path", "must be an absolute path");
      if (hook.timeout && *hook.timeout <= 0) r.Add(at + ".timeout", "must be greater than 0");
      CheckEnv(r, at + ".env", hook.env);
    }
  }
}

}  // namespace
}  // namespace validate

bool IsSemVer(std::string_view v) {
  auto numeric = [](std::string_view s) {
    if (s.empty() || (s.size() > 1 && s[0] == '0')) return false;
    for (char c : s)
      if (c < '0' || c > '9') return false;
    return true;
  };
  auto identifiers = [&](std::string_view s, bool is_prerelease) {
    if (s.empty()) return false;
    size_t start = 0;
    for (;;) {
      size_t dot = s.find('.', start);
      std::string_view id = s.substr(start, dot == std::string_view::npos ? dot : dot - start);
      if (id.empty()) return false;
      bool all_digits = true;
      for (char c : id) {
        bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        if (!alnum && c != '-') return false;
        if (c < '0' || c > '9') all_digits = false;
      }
      if (is_prerelease && all_digits && !numeric(id)) return false;  // leading zero
      if (dot == std::string_view::npos) return true;
      start = dot + 1;
    }
  };
  size_t plus = v.find('+');
  if (plus != std::string_view::npos) {
    if (!identifiers(v.substr(plus + 1), false)) return false;
    v = v.substr(0, plus);
  }
  size_t dash = v.find('-');
  if (dash != std::string_view::npos) {
    if (!identifiers(v.substr(dash + 1), true)) return false;
    v = v.substr(0, dash);
  }
  size_t d1 = v.find('.');
  if (d1 == std::string_view::npos) return false;
  size_t d2 = v.find('.', d1 + 1);
  if (d2 == std::string_view::npos) return false;
  return numeric(v.substr(0, d1)) && numeric(v.substr(d1 + 1, d2 - d1 - 1)) && numeric(v.substr(d2 + 1));
}

std::string AbsoluteMountDestination(const Mount& mount) {
  if (validate::IsAbsolute(mount.destination)) return mount.destination;
  return "/" + mount.destination;
}

std::vector<std::string> Validate(const Config& c) {
  validate::Report r;
  if (!IsSemVer(c.ociVersion))
    r.Add("ociVersion", "must be a SemVer 2.0.0 version, got \"" + c.ociVersion + "\"");
  if (!c.root)
    r.Add("root", "required");
  else if (c.root->path.empty())
    r.Add("root.path", "must not be empty");
  if (!c.process)
    r.Add("process", "required");
  else
    validate::CheckProcess(r, *c.process);
  validate::CheckMounts(r, c.mounts);
  if (c.hooks) validate::CheckHooks(r, *c.hooks);
  validate::CheckLinux(r, c);
  return r.Take();
}

Status ValidateForCreate(const Config& config) {
  std::vector<std::string> problems = Validate(config);
  if (problems.empty()) return Ok();
  std::string msg = "invalid config: ";
  for (size_t i = 0; i < problems.size(); ++i) {
    if (i) msg += "; ";
    msg += problems[i];
  }
  return Error(msg);
}

}  // namespace berth::spec
