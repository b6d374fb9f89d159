#include "runtime/cgroups/testing/fake_systemd_bus.h"
#include "runtime/cgroups/testing/fake_tree.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "runtime/cgroups/cgroup_fs.h"

namespace berth::cgroups::testing {
namespace {

using dbus::Message;
using dbus::MessageType;
using dbus::Value;

// systemd's own rule, written independently of paths.cc: "a-b.slice" lives
// at /a.slice/a-b.slice; "-.slice" is the root.
std::string SliceDir(const std::string& slice) {
  if (slice == "-.slice") return "";
  std::string base = slice.substr(0, slice.size() - 6), path, prefix;
  size_t at = 0;
  for (;;) {
    size_t dash = base.find('-', at);
    prefix = base.substr(0, dash);
    path += "/" + prefix + ".slice";
    if (dash == std::string::npos) return path;
    at = dash + 1;
  }
}

std::string Unhex(const std::string& hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace

FakeSystemdBus::FakeSystemdBus(std::string socket_path, std::string cgroup_root)
    : socket_(std::move(socket_path)), cgroup_root_(std::move(cgroup_root)) {
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (listen_fd_ < 0 || socket_.size() >= sizeof addr.sun_path) abort();
  std::memcpy(addr.sun_path, socket_.data(), socket_.size());
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) abort();
  if (listen(listen_fd_, 8) != 0) abort();
  if (pipe2(wake_, O_CLOEXEC) != 0) abort();
  thread_ = std::thread([this] { Run(); });
}

FakeSystemdBus::~FakeSystemdBus() {
  if (write(wake_[1], "x", 1) != 1) abort();
  thread_.join();
  for (Client& c : clients_)
    if (c.fd >= 0) close(c.fd);
  close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
  unlink(socket_.c_str());
}

void FakeSystemdBus::Run() {
  for (;;) {
    std::vector<pollfd> fds = {{wake_[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    for (const Client& c : clients_) fds.push_back({c.fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) continue;
    if (fds[0].revents) return;
    if (fds[1].revents & POLLIN) {
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        Client client;
        client.fd = fd;
        clients_.push_back(std::move(client));
        std::lock_guard<std::mutex> lock(mu_);
        ++connections_;
      }
    }
    for (size_t i = 2; i < fds.size(); ++i)
      if (fds[i].revents) Serve(clients_[i - 2]);
    std::erase_if(clients_, [](const Client& c) { return c.fd < 0; });
  }
}

void FakeSystemdBus::Serve(Client& client) {
  char buf[65536];
  ssize_t n = read(client.fd, buf, sizeof buf);
  if (n <= 0) {
    close(client.fd);
    client.fd = -1;
    return;
  }
  client.in.append(buf, static_cast<size_t>(n));
  while (!client.authenticated) {
    if (!client.nul_seen) {
      if (client.in[0] != '\0') {  // the protocol starts with one NUL byte
        close(client.fd);
        client.fd = -1;
        return;
      }
      client.nul_seen = true;
      client.in.erase(0, 1);
    }
    size_t end = client.in.find("\r\n");
    if (end == std::string::npos) return;
    std::string line = client.in.substr(0, end);
    client.in.erase(0, end + 2);
    HandleAuthLine(client, line);
    if (client.fd < 0) return;
  }
  while (client.in.size() >= dbus::kFixedHeaderSize) {
    auto length = dbus::MessageLength(client.in);
    if (!length.ok()) abort();
    if (client.in.size() < *length) return;
    auto message = dbus::Unmarshal(std::string_view(client.in).substr(0, *length));
    client.in.erase(0, *length);
    if (!message.ok()) abort();  // the client under test sent a malformed message
    Handle(client, *message);
  }
}

void FakeSystemdBus::HandleAuthLine(Client& client, const std::string& line) {
  auto say = [&client](const std::string& text) {
    (void)!send(client.fd, text.data(), text.size(), MSG_NOSIGNAL);
  };
  if (line == "BEGIN") {
    client.authenticated = true;
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  const std::string prefix = "AUTH EXTERNAL ";
  if (!reject_auth_ && line.rfind(prefix, 0) == 0 &&
      Unhex(line.substr(prefix.size())) == std::to_string(getuid())) {
    say("OK 0123456789abcdef0123456789abcdef\r\n");
    return;
  }
  if (line.rfind("AUTH", 0) == 0) {
    say("REJECTED EXTERNAL\r\n");
    return;
  }
  say("ERROR \"unknown command\"\r\n");
}

void FakeSystemdBus::Send(Client& client, Message message) {
  message.serial = serial_++;
  if (message.sender.empty()) message.sender = "org.freedesktop.DBus";
  auto bytes = dbus::Marshal(message);
  if (!bytes.ok()) abort();
  (void)!send(client.fd, bytes->data(), bytes->size(), MSG_NOSIGNAL);
}

void FakeSystemdBus::Reply(Client& client, const Message& call, std::vector<Value> body) {
  Message reply;
  reply.type = MessageType::kMethodReturn;
  reply.reply_serial = call.serial;
  reply.destination = client.name;
  reply.body = std::move(body);
  Send(client, std::move(reply));
}

void FakeSystemdBus::ReplyError(Client& client, const Message& call, const std::string& name,
                                const std::string& text) {
  Message reply;
  reply.type = MessageType::kError;
  reply.reply_serial = call.serial;
  reply.error_name = name;
  reply.destination = client.name;
  reply.body = {Value::String(text)};
  Send(client, std::move(reply));
}

void FakeSystemdBus::JobRemoved(Client& client, const std::string& job, const std::string& unit) {
  if (drop_job_signals_ || !client.matched || !client.subscribed) return;
  Message signal;
  signal.type = MessageType::kSignal;
  signal.path = "/org/freedesktop/systemd1";
  signal.interface = "org.freedesktop.systemd1.Manager";
  signal.member = "JobRemoved";
  signal.sender = ":1.0";
  signal.body = {Value::Uint32(static_cast<uint32_t>(next_job_)), Value::ObjectPath(job), Value::String(unit),
                 Value::String(job_result_)};
  Send(client, std::move(signal));
}

// Unrelated traffic a real bus interleaves: a PropertiesChanged (a dict),
// and a JobRemoved for someone else's job.
void FakeSystemdBus::Noise(Client& client) {
  Message changed;
  changed.type = MessageType::kSignal;
  changed.path = "/org/freedesktop/systemd1/unit/other_2eservice";
  changed.interface = "org.freedesktop.DBus.Properties";
  changed.member = "PropertiesChanged";
  changed.body = {Value::String("org.freedesktop.systemd1.Unit"),
                  Value::Array("{sv}", {Value::DictEntry(Value::String("ActiveState"),
                                                         Value::Variant(Value::String("active")))}),
                  Value::Array("s", {})};
  Send(client, std::move(changed));
  if (client.matched && client.subscribed) {
    std::string saved = job_result_;
    job_result_ = "failed";
    JobRemoved(client, "/org/freedesktop/systemd1/job/1", "other.service");
    job_result_ = saved;
  }
}

std::string FakeSystemdBus::UnitCgroup(const std::string& unit,
                                       const std::map<std::string, Value>& props) const {
  if (unit.size() > 6 && unit.substr(unit.size() - 6) == ".slice") return SliceDir(unit);
  auto slice = props.find("Slice");
  return SliceDir(slice == props.end() ? "system.slice" : slice->second.text) + "/" + unit;
}

void FakeSystemdBus::Handle(Client& client, const Message& call) {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.push_back(Call{call.member, call.body});
  if (hang_.count(call.member)) return;
  Noise(client);
  auto fail = fail_next_.find(call.member);
  if (fail != fail_next_.end() && fail->second.skip > 0) {
    --fail->second.skip;
  } else if (fail != fail_next_.end()) {
    auto [name, text, skip] = fail->second;
    fail_next_.erase(fail);
    ReplyError(client, call, name, text);
    return;
  }
  const std::string& m = call.member;
  if (m == "Hello" && call.interface == "org.freedesktop.DBus") {
    client.name = ":1." + std::to_string(connections_);
    Reply(client, call, {Value::String(client.name)});
    Message acquired;
    acquired.type = MessageType::kSignal;
    acquired.path = "/org/freedesktop/DBus";
    acquired.interface = "org.freedesktop.DBus";
    acquired.member = "NameAcquired";
    acquired.destination = client.name;
    acquired.body = {Value::String(client.name)};
    Send(client, std::move(acquired));
    return;
  }
  if (m == "AddMatch" && call.signature == "s") {
    client.matched = call.body[0].text.find("member='JobRemoved'") != std::string::npos;
    Reply(client, call, {});
    return;
  }
  if (call.interface != "org.freedesktop.systemd1.Manager" ||
      call.destination != "org.freedesktop.systemd1") {
    ReplyError(client, call, "org.freedesktop.DBus.Error.UnknownMethod", "Unknown method " + m);
    return;
  }
  if (m == "Subscribe") {
    client.subscribed = true;
    Reply(client, call, {});
    return;
  }
  if (m == "ResetFailedUnit" && call.signature == "s") {
    failed_.erase(call.body[0].text);
    Reply(client, call, {});
    return;
  }
  if (m == "StartTransientUnit" && call.signature == "ssa(sv)a(sa(sv))") {
    const std::string& unit = call.body[0].text;
    if (active_.count(unit) || failed_.count(unit)) {
      ReplyError(client, call, "org.freedesktop.systemd1.UnitExists",
                 "Unit " + unit + " was already loaded or has a fragment file.");
      return;
    }
    std::map<std::string, Value> props;
    for (const Value& p : call.body[2].items) props[p.items[0].text] = p.items[1].items[0];
    units_[unit] = props;
    std::string cgroup = UnitCgroup(unit, props);
    testing::DirectoryCgroupFs fs(cgroup_root_);
    if (!fs.MakeDirs(cgroup).ok()) abort();
    auto pids = props.find("PIDs");
    if (pids != props.end())
      for (const Value& pid : pids->second.items)
        (void)fs.Write(cgroup, "cgroup.procs", std::to_string(pid.number));
    active_[unit] = cgroup;
    std::string job = "/org/freedesktop/systemd1/job/" + std::to_string(next_job_++);
    if (job_signal_first_) JobRemoved(client, job, unit);
    Reply(client, call, {Value::ObjectPath(job)});
    if (!job_signal_first_) JobRemoved(client, job, unit);
    return;
  }
  if (m == "SetUnitProperties" && call.signature == "sba(sv)") {
    const std::string& unit = call.body[0].text;
    if (!active_.count(unit)) {
      ReplyError(client, call, "org.freedesktop.systemd1.NoSuchUnit", "Unit " + unit + " not loaded.");
      return;
    }
    for (const Value& p : call.body[2].items) units_[unit][p.items[0].text] = p.items[1].items[0];
    Reply(client, call, {});
    return;
  }
  if (m == "StopUnit" && call.signature == "ss") {
    const std::string& unit = call.body[0].text;
    auto it = active_.find(unit);
    if (it == active_.end()) {
      ReplyError(client, call, "org.freedesktop.systemd1.NoSuchUnit", "Unit " + unit + " not loaded.");
      return;
    }
    (void)testing::DirectoryCgroupFs(cgroup_root_).RemoveDir(it->second);
    active_.erase(it);
    std::string job = "/org/freedesktop/systemd1/job/" + std::to_string(next_job_++);
    Reply(client, call, {Value::ObjectPath(job)});
    JobRemoved(client, job, unit);
    return;
  }
  ReplyError(client, call, "org.freedesktop.DBus.Error.UnknownMethod",
             "Unknown method " + m + " or interface " + call.interface + ".");
}

std::vector<FakeSystemdBus::Call> FakeSystemdBus::Calls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_;
}

std::vector<std::string> FakeSystemdBus::Members() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  for (const Call& c : calls_) out.push_back(c.member);
  return out;
}

std::map<std::string, Value> FakeSystemdBus::UnitProperties(const std::string& unit) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = units_.find(unit);
  return it == units_.end() ? std::map<std::string, Value>() : it->second;
}

std::set<std::string> FakeSystemdBus::ActiveUnits() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::set<std::string> out;
  for (const auto& [unit, cgroup] : active_) out.insert(unit);
  return out;
}

int FakeSystemdBus::connections() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connections_;
}

void FakeSystemdBus::FailNext(const std::string& member, const std::string& error_name,
                              const std::string& text, int skip) {
  std::lock_guard<std::mutex> lock(mu_);
  fail_next_[member] = {error_name, text, skip};
}

void FakeSystemdBus::Hang(const std::string& member) {
  std::lock_guard<std::mutex> lock(mu_);
  hang_.insert(member);
}

void FakeSystemdBus::SetJobResult(const std::string& result) {
  std::lock_guard<std::mutex> lock(mu_);
  job_result_ = result;
}

void FakeSystemdBus::DropJobSignals() {
  std::lock_guard<std::mutex> lock(mu_);
  drop_job_signals_ = true;
}

void FakeSystemdBus::JobSignalBeforeReply() {
  std::lock_guard<std::mutex> lock(mu_);
  job_signal_first_ = true;
}

void FakeSystemdBus::AddFailedUnit(const std::string& unit) {
  std::lock_guard<std::mutex> lock(mu_);
  failed_.insert(unit);
}

void FakeSystemdBus::RejectAuth() {
  std::lock_guard<std::mutex> lock(mu_);
  reject_auth_ = true;
}

}  // namespace berth::cgroups::testing
