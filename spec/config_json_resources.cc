// config.json "linux.resources": the cgroup settings.
#include "spec/config_json_internal.h"
#include "spec/json_read.h"
#include "spec/names.h"

namespace berth::spec {

using json::ObjectReader;

static Status ReadAccess(const Value& v, const std::string& path, std::string& out) {
  BERTH_TRY(json::Read(v, path, out));
  for (char c : out)
    if (c != 'r' && c != 'w' && c != 'm')
      return json::PathError(path, "expected a subset of \"rwm\", got \"" + out + "\"");
  return Ok();
}

static Status Read(const Value& v, const std::string& path, DeviceCgroupRule& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("allow", out.allow));
  BERTH_TRY(o.Name("type", kDeviceCgroupTypeSet, out.type));
  BERTH_TRY(o.Field("major", out.major));
  BERTH_TRY(o.Field("minor", out.minor));
  BERTH_TRY(o.Field("access", out.access, ReadAccess));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, MemoryResources& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("limit", out.limit));
  BERTH_TRY(o.Field("reservation", out.reservation));
  BERTH_TRY(o.Field("swap", out.swap));
  BERTH_TRY(o.Field("kernel", out.kernel));
  BERTH_TRY(o.Field("kernelTCP", out.kernelTCP));
  BERTH_TRY(o.Field("swappiness", out.swappiness));
  BERTH_TRY(o.Field("disableOOMKiller", out.disableOOMKiller));
  BERTH_TRY(o.Field("useHierarchy", out.useHierarchy));
  BERTH_TRY(o.Field("checkBeforeUpdate", out.checkBeforeUpdate));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, CpuResources& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("shares", out.shares));
  BERTH_TRY(o.Field("quota", out.quota));
  BERTH_TRY(o.Field("burst", out.burst));
  BERTH_TRY(o.Field("period", out.period));
  BERTH_TRY(o.Field("realtimeRuntime", out.realtimeRuntime));
  BERTH_TRY(o.Field("realtimePeriod", out.realtimePeriod));
  BERTH_TRY(o.Field("cpus", out.cpus));
  BERTH_TRY(o.Field("mems", out.mems));
  BERTH_TRY(o.Field("idle", out.idle));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, WeightDevice& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("major", out.major));
  BERTH_TRY(o.Required("minor", out.minor));
  BERTH_TRY(o.Field("weight", out.weight));
  BERTH_TRY(o.Field("leafWeight", out.leafWeight));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, ThrottleDevice& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("major", out.major));
  BERTH_TRY(o.Required("minor", out.minor));
  BERTH_TRY(o.Field("rate", out.rate));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, BlockIoResources& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("weight", out.weight));
  BERTH_TRY(o.Field("leafWeight", out.leafWeight));
  BERTH_TRY(o.Field("weightDevice", out.weightDevice));
  BERTH_TRY(o.Field("throttleReadBpsDevice", out.throttleReadBpsDevice));
  BERTH_TRY(o.Field("throttleWriteBpsDevice", out.throttleWriteBpsDevice));
  BERTH_TRY(o.Field("throttleReadIOPSDevice", out.throttleReadIOPSDevice));
  BERTH_TRY(o.Field("throttleWriteIOPSDevice", out.throttleWriteIOPSDevice));
  return Ok();
}

// "<N>KB", "<N>MB" or "<N>GB", N without leading zeros (the schema's pattern).
static bool IsPageSize(std::string_view s) {
  if (s.size() < 3 || s.substr(s.size() - 1) != "B") return false;
  char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G') return false;
  std::string_view n = s.substr(0, s.size() - 2);
  if (n.empty() || n[0] == '0') return false;
  for (char c : n)
    if (c < '0' || c > '9') return false;
  return true;
}

static Status Read(const Value& v, const std::string& path, HugepageLimit& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("pageSize", out.pageSize));
  if (!IsPageSize(out.pageSize))
    return json::PathError(o.PathOf("pageSize"),
                           "expected a size like \"2MB\" (KB, MB or GB), got \"" + out.pageSize + "\"");
  BERTH_TRY(o.Required("limit", out.limit));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, NetworkPriority& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("name", out.name));
  BERTH_TRY(o.Required("priority", out.priority));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, NetworkResources& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("classID", out.classID));
  BERTH_TRY(o.Field("priorities", out.priorities));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, PidsResources& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("limit", out.limit));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, RdmaLimit& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("hcaHandles", out.hcaHandles));
  BERTH_TRY(o.Field("hcaObjects", out.hcaObjects));
  return Ok();
}

Status Read(const Value& v, const std::string& path, Resources& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("devices", out.devices));
  BERTH_TRY(o.Field("memory", out.memory));
  BERTH_TRY(o.Field("cpu", out.cpu));
  BERTH_TRY(o.Field("blockIO", out.blockIO));
  BERTH_TRY(o.Field("hugepageLimits", out.hugepageLimits));
  BERTH_TRY(o.Field("network", out.network));
  BERTH_TRY(o.Field("pids", out.pids));
  BERTH_TRY(o.Field("rdma", out.rdma));
  BERTH_TRY(o.Field("unified", out.unified));
  return Ok();
}

// ---------------------------------------------------------------- writing

namespace {

void WriteThrottles(json::Writer& w, std::string_view key, const std::vector<ThrottleDevice>& v) {
  if (v.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (const auto& d : v) {
    w.BeginObject();
    put::Int(w, "major", d.major);
    put::Int(w, "minor", d.minor);
    put::Int(w, "rate", d.rate);
    w.EndObject();
  }
  w.EndArray();
}

void WriteBlockIo(json::Writer& w, const BlockIoResources& b) {
  w.BeginObject();
  put::Int(w, "weight", b.weight);
  put::Int(w, "leafWeight", b.leafWeight);
  if (!b.weightDevice.empty()) {
    w.Key("weightDevice");
    w.BeginArray();
    for (const auto& d : b.weightDevice) {
      w.BeginObject();
      put::Int(w, "major", d.major);
      put::Int(w, "minor", d.minor);
      put::Int(w, "weight", d.weight);
      put::Int(w, "leafWeight", d.leafWeight);
      w.EndObject();
    }
    w.EndArray();
  }
  WriteThrottles(w, "throttleReadBpsDevice", b.throttleReadBpsDevice);
  WriteThrottles(w, "throttleWriteBpsDevice", b.throttleWriteBpsDevice);
  WriteThrottles(w, "throttleReadIOPSDevice", b.throttleReadIOPSDevice);
  WriteThrottles(w, "throttleWriteIOPSDevice", b.throttleWriteIOPSDevice);
  w.EndObject();
}

}  // namespace

void WriteResources(json::Writer& w, const Resources& r) {
  w.BeginObject();
  if (!r.devices.empty()) {
    w.Key("devices");
    w.BeginArray();
    for (const auto& d : r.devices) {
      w.BeginObject();
      w.Key("allow");
      w.Bool(d.allow);
      put::String(w, "type", d.type);
      put::Int(w, "major", d.major);
      put::Int(w, "minor", d.minor);
      put::String(w, "access", d.access);
      w.EndObject();
    }
    w.EndArray();
  }
  if (r.memory) {
    const MemoryResources& m = *r.memory;
    w.Key("memory");
    w.BeginObject();
    put::Int(w, "limit", m.limit);
    put::Int(w, "reservation", m.reservation);
    put::Int(w, "swap", m.swap);
    put::Int(w, "kernel", m.kernel);
    put::Int(w, "kernelTCP", m.kernelTCP);
    put::Int(w, "swappiness", m.swappiness);
    put::Bool(w, "disableOOMKiller", m.disableOOMKiller);
    put::Bool(w, "useHierarchy", m.useHierarchy);
    put::Bool(w, "checkBeforeUpdate", m.checkBeforeUpdate);
    w.EndObject();
  }
  if (r.cpu) {
    const CpuResources& c = *r.cpu;
    w.Key("cpu");
    w.BeginObject();
    put::Int(w, "shares", c.shares);
    put::Int(w, "quota", c.quota);
    put::Int(w, "burst", c.burst);
    put::Int(w, "period", c.period);
    put::Int(w, "realtimeRuntime", c.realtimeRuntime);
    put::Int(w, "realtimePeriod", c.realtimePeriod);
    put::String(w, "cpus", c.cpus);
    put::String(w, "mems", c.mems);
    put::Int(w, "idle", c.idle);
    w.EndObject();
  }
  if (r.blockIO) {
    w.Key("blockIO");
    WriteBlockIo(w, *r.blockIO);
  }
  if (!r.hugepageLimits.empty()) {
    w.Key("hugepageLimits");
    w.BeginArray();
    for (const auto& h : r.hugepageLimits) {
      w.BeginObject();
      w.Key("pageSize");
      w.String(h.pageSize);
      put::Int(w, "limit", h.limit);
      w.EndObject();
    }
    w.EndArray();
  }
  if (r.network) {
    w.Key("network");
    w.BeginObject();
    put::Int(w, "classID", r.network->classID);
    if (!r.network->priorities.empty()) {
      w.Key("priorities");
      w.BeginArray();
      for (const auto& p : r.network->priorities) {
        w.BeginObject();
        w.Key("name");
        w.String(p.name);
        put::Int(w, "priority", p.priority);
        w.EndObject();
      }
      w.EndArray();
    }
    w.EndObject();
  }
  if (r.pids) {
    w.Key("pids");
    w.BeginObject();
    // "limit" is required; an unset limit is written as 0 (unlimited).
    put::Int(w, "limit", r.pids->limit.value_or(0));
    w.EndObject();
  }
  if (!r.rdma.empty()) {
    w.Key("rdma");
    w.BeginObject();
    for (const auto& [dev, lim] : r.rdma) {
      w.Key(dev);
      w.BeginObject();
      put::Int(w, "hcaHandles", lim.hcaHandles);
      put::Int(w, "hcaObjects", lim.hcaObjects);
      w.EndObject();
    }
    w.EndObject();
  }
  put::StringMap(w, "unified", r.unified);
  w.EndObject();
}

}  // namespace berth::spec
