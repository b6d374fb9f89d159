#include "runtime/cgroups/systemd_manager.h"

#include <sys/stat.h>

#include "runtime/cgroups/paths.h"
#include "runtime/cgroups/systemd_properties.h"
#include "runtime/cgroups/update.h"

// Resources go both ways, as in runc: the limits systemd knows are unit
// properties given with StartTransientUnit (systemd_properties.h), and on
// update with SetUnitProperties, so a systemd that re-applies a unit's
// settings re-applies them too; every field is then also written through
// cgroupfs (launcher_parent.cc applies them after the init has joined;
// update through the journaling writers), which covers the rest. With
// Delegate=yes the scope's cgroup is ours to write.

namespace berth::cgroups {
namespace {

using dbus::Message;
using dbus::Value;

constexpr char kSystemd[] = "org.freedesktop.systemd1";
constexpr char kSystemdPath[] = "/org/freedesktop/systemd1";
constexpr char kManagerInterface[] = "org.freedesktop.systemd1.Manager";

Message ManagerCall(std::string member, std::vector<Value> body) {
  return Message::MethodCall(kSystemd, kSystemdPath, kManagerInterface, std::move(member), std::move(body));
}

Value Property(std::string name, Value value) {
  return Value::Struct({Value::String(std::move(name)), Value::Variant(std::move(value))});
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Status CheckSystemdRunning(const std::string& run_dir) {
  struct stat st;
  if (lstat(run_dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return Ok();
  return Error(ENOTSUP, "systemd not running on this host, cannot use systemd cgroups manager");
}

std::vector<Value> TransientUnitProperties(const SystemdUnitConfig& config, pid_t pid) {
  std::vector<Value> props;
  props.push_back(Property("Description", Value::String(config.description)));
  if (EndsWith(config.unit, ".slice")) {
    // A slice's place in the tree comes from its name; Wants= only orders
    // it after its parent. Slices cannot hold PIDs= or Delegate=: unlike
    // runc (whose slices are pod-level, without a pid), the init joins a
    // slice unit through cgroupfs (AddProcess).
    props.push_back(Property("Wants", Value::Array("s", {Value::String(config.slice)})));
  } else {
    props.push_back(Property("Slice", Value::String(config.slice)));
    props.push_back(Property("Delegate", Value::Bool(true)));
    props.push_back(Property("PIDs", Value::Array("u", {Value::Uint32(static_cast<uint32_t>(pid))})));
  }
  // Accounting on makes systemd enable these controllers down to the unit,
  // as the cgroupfs driver would, and keep them enabled.
  props.push_back(Property("MemoryAccounting", Value::Bool(true)));
  props.push_back(Property("CPUAccounting", Value::Bool(true)));
  props.push_back(Property(config.unified ? "IOAccounting" : "BlockIOAccounting", Value::Bool(true)));
  props.push_back(Property("TasksAccounting", Value::Bool(true)));
  // No implicit After=/Conflicts= on shutdown targets: the container's
  // lifetime is the runtime's business.
  props.push_back(Property("DefaultDependencies", Value::Bool(false)));
  props.insert(props.end(), config.resources.begin(), config.resources.end());
  return props;
}

SystemdManager::SystemdManager(std::unique_ptr<Manager> inner, SystemdUnitConfig config,
                               SystemdOptions options)
    : inner_(std::move(inner)), config_(std::move(config)), options_(std::move(options)) {}

SystemdManager::~SystemdManager() = default;

std::unique_ptr<SystemdManager> SystemdManager::Started(std::unique_ptr<Manager> inner, std::string unit,
                                                        SystemdOptions options, bool unified) {
  SystemdUnitConfig config;
  config.unit = std::move(unit);
  config.unified = unified;
  auto m = std::make_unique<SystemdManager>(std::move(inner), std::move(config), std::move(options));
  m->started_ = true;
  m->owns_unit_ = true;
  return m;
}

Status SystemdManager::Connect(bool subscribe) {
  if (bus_) return Ok();
  dbus::ConnectOptions connect;
  connect.socket = options_.bus_socket;
  if (connect.socket.empty()) connect.socket = BERTH_TRY(dbus::SystemBusSocket());
  connect.timeout = options_.timeout;
  const std::string where = "connect to systemd over D-Bus (" + connect.socket + ")";
  auto bus = BERTH_TRY_CTX(dbus::Connection::Open(connect), where);
  if (!subscribe) {
    bus_ = std::move(bus);
    return Ok();
  }
  // The bus delivers systemd's broadcasts only to a matching connection,
  // and systemd emits them on the bus only while someone is subscribed.
  Message match = Message::MethodCall(
      "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "AddMatch",
      {Value::String(
          "type='signal',sender='org.freedesktop.systemd1',interface='org.freedesktop.systemd1.Manager',"
          "member='JobRemoved',path='/org/freedesktop/systemd1'")});
  BERTH_TRY_CTX(bus->Call(std::move(match)), where);
  BERTH_TRY_CTX(bus->Call(ManagerCall("Subscribe", {})), where);
  bus_ = std::move(bus);
  return Ok();
}

Status SystemdManager::CheckUnoccupied() {
  Status free = inner_->CheckUnoccupied();
  if (!free.ok() && free.error().code() == EBUSY) disowned_ = true;
  return free;
}

Status SystemdManager::Create() {
  // The directories are made before systemd makes the unit's own: systemd
  // accepts an existing cgroup directory, and this keeps the "already holds
  // processes" check and the v1 hierarchies systemd does not manage
  // (freezer, cpuset, devices, ...) in the cgroupfs managers.
  Status made = inner_->Create();
  if (!made.ok()) {
    if (made.error().code() == EBUSY) disowned_ = true;
    return made;
  }
  return Connect();
}

Result<std::string> SystemdManager::WaitForJob(const std::string& job, const std::string& what) {
  auto removed = bus_->WaitForSignal([&job](const Message& m) {
    return m.path == kSystemdPath && m.interface == kManagerInterface && m.member == "JobRemoved" &&
           m.signature == "uoss" && m.body[1].text == job;
  });
  if (!removed.ok()) {
    Error err = std::move(removed).error();
    if (err.code() == ETIMEDOUT)
      return Error(ETIMEDOUT, "timed out waiting for systemd to " + what + " " + config_.unit);
    return std::move(err).Context("waiting for systemd to " + what + " " + config_.unit);
  }
  return removed->body[3].text;
}

void SystemdManager::ResetFailed() {
  // A failed unit stays loaded (and its name taken) until reset.
  if (bus_) (void)bus_->Call(ManagerCall("ResetFailedUnit", {Value::String(config_.unit)}));
}

Status SystemdManager::StartUnit(pid_t pid) {
  BERTH_TRY(Connect());
  const std::string what = "start systemd unit " + config_.unit;
  for (int attempt = 0;; ++attempt) {
    Message call =
        ManagerCall("StartTransientUnit", {Value::String(config_.unit), Value::String("replace"),
                                           Value::Array("(sv)", TransientUnitProperties(config_, pid)),
                                           Value::Array("(sa(sv))", {})});
    Message reply = BERTH_TRY_CTX(bus_->CallRaw(std::move(call)), what);
    if (reply.type == dbus::MessageType::kError) {
      // As runc does: a unit of that name may be a failed leftover; reset
      // it and try once more. An active one stays, and the retry fails.
      if (reply.error_name == "org.freedesktop.systemd1.UnitExists") {
        if (attempt == 0) {
          ResetFailed();
          continue;
        }
        disowned_ = true;  // the unit, and so its cgroup, is someone else's
      }
      return dbus::ReplyError(reply).Context(what);
    }
    if (reply.signature != "o")
      return Error(EPROTO, what + ": StartTransientUnit returned " + reply.signature);
    owns_unit_ = true;
    auto result = WaitForJob(reply.body[0].text, "start");
    if (!result.ok()) {
      ResetFailed();
      return std::move(result).error();
    }
    if (*result != "done") {
      ResetFailed();
      return Error(EIO, what + ": the job finished with result \"" + *result + "\"");
    }
    return Ok();
  }
}

Status SystemdManager::AddProcess(pid_t pid) {
  if (!started_) {
    BERTH_TRY(StartUnit(pid));
    started_ = true;
    bus_.reset();  // nothing more to ask until Destroy
    BERTH_TRY_CTX(inner_->MakeMissingDirs(), "join cgroup");
  }
  return inner_->AddProcess(pid);
}

Status SystemdManager::SetUnitProperties(std::vector<Value> properties) {
  const std::string what = "set properties of systemd unit " + config_.unit;
  // runtime = true, as runc: the change lasts until the unit goes (it is
  // transient anyway), and survives daemon-reload.
  Message call = ManagerCall("SetUnitProperties", {Value::String(config_.unit), Value::Bool(true),
                                                   Value::Array("(sv)", std::move(properties))});
  BERTH_TRY_CTX(bus_->Call(std::move(call)), what);
  return Ok();
}

Status SystemdManager::UpdateFrom(const spec::Resources& before, const spec::Resources& update) {
  spec::Resources after = before;
  MergeUpdate(after, update);
  std::vector<Value> properties = BERTH_TRY(ResourceProperties(after, config_.unified));
  if (properties.empty()) return inner_->Update(update);
  std::vector<Value> restoring =
      RestoringProperties(properties, BERTH_TRY(ResourceProperties(before, config_.unified)));
  // Properties first, as runc's Set: if systemd refuses them, no file has
  // changed yet.
  struct DropBus {
    std::unique_ptr<dbus::Connection>& bus;
    ~DropBus() { bus.reset(); }
  } drop{bus_};
  BERTH_TRY(Connect(/*subscribe=*/false));
  BERTH_TRY(SetUnitProperties(std::move(properties)));
  Status updated = inner_->Update(update);
  if (updated.ok()) return updated;
  Status restored = SetUnitProperties(std::move(restoring));
  if (restored.ok()) return updated;
  return Error(updated.error().code(),
               updated.error().message() +
                   " (and setting the old unit properties back failed: " + restored.error().ToString() + ")");
}

Status SystemdManager::StopUnit() {
  BERTH_TRY(Connect());
  const std::string what = "stop systemd unit " + config_.unit;
  Message reply = BERTH_TRY_CTX(
      bus_->CallRaw(ManagerCall("StopUnit", {Value::String(config_.unit), Value::String("replace")})), what);
  if (reply.type == dbus::MessageType::kError) {
    if (reply.error_name == "org.freedesktop.systemd1.NoSuchUnit") return Ok();  // already gone
    return dbus::ReplyError(reply).Context(what);
  }
  if (reply.signature != "o") return Error(EPROTO, what + ": StopUnit returned " + reply.signature);
  std::string result = BERTH_TRY(WaitForJob(reply.body[0].text, "stop"));
  ResetFailed();
  if (result != "done") return Error(EIO, what + ": the job finished with result \"" + result + "\"");
  return Ok();
}

Status SystemdManager::Destroy() {
  if (disowned_) return Ok();
  Status stopped = Ok();
  if (owns_unit_ && !stop_attempted_) {
    stop_attempted_ = true;
    stopped = StopUnit();
    bus_.reset();
  }
  Status removed = inner_->Destroy();
  if (!removed.ok() && !stopped.ok())
    return std::move(removed).error().Context("after failing to " + stopped.error().ToString());
  return removed;
}

std::string SystemdManager::Serialize() const {
  return "systemd-unit " + config_.unit + "\n" + inner_->Serialize();
}

Result<std::unique_ptr<Manager>> NewSystemdManagerOn(const Host& host, const CgroupSpec& spec,
                                                     SystemdOptions options) {
  if (!spec.systemd) return Error(EINVAL, "cgroup spec does not ask for the systemd driver");
  SystemdUnitPath parsed = BERTH_TRY(ParseSystemdCgroupsPath(SystemdCgroupsPathValue(spec), spec.rootless));
  std::unique_ptr<Manager> inner = BERTH_TRY(NewManagerOn(host, spec, ""));
  SystemdUnitConfig config;
  config.unit = parsed.unit;
  config.slice = parsed.slice;
  config.description = "berth container " + spec.container_id;
  config.unified = host.layout == Layout::kV2;
  config.resources = BERTH_TRY(ResourceProperties(spec.resources, config.unified));
  return std::unique_ptr<Manager>(
      new SystemdManager(std::move(inner), std::move(config), std::move(options)));
}

}  // namespace berth::cgroups
