// config.json "process": user, capabilities, rlimits, scheduler, I/O priority.
#include "spec/config_json.h"
#include "spec/config_json_internal.h"
#include "spec/json_read.h"
#include "spec/names.h"

namespace berth::spec {

using json::ObjectReader;

static Status Read(const Value& v, const std::string& path, ConsoleSize& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("height", out.height));
  BERTH_TRY(o.Required("width", out.width));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, User& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("uid", out.uid));
  BERTH_TRY(o.Field("gid", out.gid));
  BERTH_TRY(o.Field("umask", out.umask));
  BERTH_TRY(o.Field("additionalGids", out.additionalGids));
  BERTH_TRY(o.Field("username", out.username));
  return Ok();
}

// Unknown but well-formed names are kept: the runtime warns and ignores them.
static Status ReadCapabilityList(const ObjectReader& o, std::string_view key, std::vector<std::string>& out) {
  BERTH_TRY(o.Field(key, out));
  for (size_t i = 0; i < out.size(); ++i) {
    if (!names::IsWellFormedCapabilityName(out[i]))
      return json::PathError(json::IndexPath(o.PathOf(key), i),
                             "expected a capability name like \"CAP_KILL\", got \"" + out[i] + "\"");
  }
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Capabilities& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(ReadCapabilityList(o, "bounding", out.bounding));
  BERTH_TRY(ReadCapabilityList(o, "effective", out.effective));
  BERTH_TRY(ReadCapabilityList(o, "inheritable", out.inheritable));
  BERTH_TRY(ReadCapabilityList(o, "permitted", out.permitted));
  BERTH_TRY(ReadCapabilityList(o, "ambient", out.ambient));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Rlimit& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.RequiredName("type", kRlimitTypeSet, out.type));
  BERTH_TRY(o.Required("hard", out.hard));
  BERTH_TRY(o.Required("soft", out.soft));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Scheduler& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.RequiredName("policy", kSchedulerPolicySet, out.policy));
  BERTH_TRY(o.Field("nice", out.nice));
  BERTH_TRY(o.Field("priority", out.priority));
  BERTH_TRY(o.Names("flags", kSchedulerFlagSet, out.flags));
  BERTH_TRY(o.Field("runtime", out.runtime));
  BERTH_TRY(o.Field("deadline", out.deadline));
  BERTH_TRY(o.Field("period", out.period));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, IoPriority& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.RequiredName("class", kIoPriorityClassSet, out.class_));
  BERTH_TRY(o.Field("priority", out.priority));
  return Ok();
}

// A CPU list as the schema allows it: digits, ',', '-' and spaces.
static Status ReadCpuList(const Value& v, const std::string& path, std::string& out) {
  BERTH_TRY(json::Read(v, path, out));
  for (char c : out)
    if (!((c >= '0' && c <= '9') || c == ',' || c == '-' || c == ' '))
      return json::PathError(path, "expected a CPU list like \"0-3,7\", got \"" + out + "\"");
  return Ok();
}

static Status Read(const Value& v, const std::string& path, ExecCpuAffinity& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("initial", out.initial, ReadCpuList));
  BERTH_TRY(o.Field("final", out.final, ReadCpuList));
  return Ok();
}

Status Read(const Value& v, const std::string& path, Process& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("terminal", out.terminal));
  BERTH_TRY(o.Field("consoleSize", out.consoleSize));
  BERTH_TRY(o.Field("user", out.user));
  BERTH_TRY(o.Field("args", out.args));
  BERTH_TRY(o.Field("commandLine", out.commandLine));
  BERTH_TRY(o.Field("env", out.env));
  BERTH_TRY(o.Required("cwd", out.cwd));
  BERTH_TRY(o.Field("capabilities", out.capabilities));
  BERTH_TRY(o.Field("rlimits", out.rlimits));
  BERTH_TRY(o.Field("noNewPrivileges", out.noNewPrivileges));
  BERTH_TRY(o.Field("apparmorProfile", out.apparmorProfile));
  BERTH_TRY(o.Field("oomScoreAdj", out.oomScoreAdj));
  BERTH_TRY(o.Field("selinuxLabel", out.selinuxLabel));
  BERTH_TRY(o.Field("scheduler", out.scheduler));
  BERTH_TRY(o.Field("ioPriority", out.ioPriority));
  BERTH_TRY(o.Field("execCPUAffinity", out.execCPUAffinity));
  return Ok();
}

Result<Process> ParseProcess(std::string_view text) {
  json::Value doc = BERTH_TRY(json::Parse(text));
  Process process;
  BERTH_TRY(Read(doc, "", process));
  return process;
}

// ---------------------------------------------------------------- writing

void WriteProcess(json::Writer& w, const Process& p) {
  w.BeginObject();
  if (p.terminal) {
    w.Key("terminal");
    w.Bool(true);
  }
  if (p.consoleSize) {
    w.Key("consoleSize");
    w.BeginObject();
    put::Int(w, "height", p.consoleSize->height);
    put::Int(w, "width", p.consoleSize->width);
    w.EndObject();
  }
  w.Key("user");
  w.BeginObject();
  put::Int(w, "uid", p.user.uid);
  put::Int(w, "gid", p.user.gid);
  put::Int(w, "umask", p.user.umask);
  if (!p.user.additionalGids.empty()) {
    w.Key("additionalGids");
    w.BeginArray();
    for (uint32_t g : p.user.additionalGids) w.Uint(g);
    w.EndArray();
  }
  put::String(w, "username", p.user.username);
  w.EndObject();
  put::Strings(w, "args", p.args);
  put::String(w, "commandLine", p.commandLine);
  put::Strings(w, "env", p.env);
  w.Key("cwd");
  w.String(p.cwd);
  if (p.capabilities) {
    const Capabilities& c = *p.capabilities;
    w.Key("capabilities");
    w.BeginObject();
    put::Strings(w, "bounding", c.bounding);
    put::Strings(w, "effective", c.effective);
    put::Strings(w, "inheritable", c.inheritable);
    put::Strings(w, "permitted", c.permitted);
    put::Strings(w, "ambient", c.ambient);
    w.EndObject();
  }
  if (!p.rlimits.empty()) {
    w.Key("rlimits");
    w.BeginArray();
    for (const auto& r : p.rlimits) {
      w.BeginObject();
      w.Key("type");
      w.String(r.type);
      put::Int(w, "hard", r.hard);
      put::Int(w, "soft", r.soft);
      w.EndObject();
    }
    w.EndArray();
  }
  if (p.noNewPrivileges) {
    w.Key("noNewPrivileges");
    w.Bool(true);
  }
  put::String(w, "apparmorProfile", p.apparmorProfile);
  put::Int(w, "oomScoreAdj", p.oomScoreAdj);
  put::String(w, "selinuxLabel", p.selinuxLabel);
  if (p.scheduler) {
    const Scheduler& s = *p.scheduler;
    w.Key("scheduler");
    w.BeginObject();
    w.Key("policy");
    w.String(s.policy);
    put::Int(w, "nice", s.nice);
    put::Int(w, "priority", s.priority);
    put::Strings(w, "flags", s.flags);
    put::Int(w, "runtime", s.runtime);
    put::Int(w, "deadline", s.deadline);
    put::Int(w, "period", s.period);
    w.EndObject();
  }
  if (p.ioPriority) {
    w.Key("ioPriority");
    w.BeginObject();
    w.Key("class");
    w.String(p.ioPriority->class_);
    put::Int(w, "priority", p.ioPriority->priority);
    w.EndObject();
  }
  if (p.execCPUAffinity) {
    w.Key("execCPUAffinity");
    w.BeginObject();
    put::String(w, "initial", p.execCPUAffinity->initial);
    put::String(w, "final", p.execCPUAffinity->final);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace berth::spec
