// A fake system bus with a fake systemd behind it, for the systemd driver's
// tests: a unix socket in a temporary directory, served by a thread that
// speaks SASL EXTERNAL and the D-Bus wire format (dbus_message.h).
//
// It answers Hello, AddMatch, Subscribe, StartTransientUnit (records the
// unit and its properties, makes the unit's cgroup under a fake cgroup2
// tree, puts PIDs= in it, emits JobRemoved), StopUnit (removes the cgroup,
// emits JobRemoved), SetUnitProperties (merges into the active unit's
// properties), ResetFailedUnit, and UnknownMethod for anything else.
// Like dbus-daemon and systemd, it sends JobRemoved only to a client that
// has both added a match for it and subscribed.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "runtime/cgroups/dbus_message.h"

namespace berth::cgroups::testing {

class FakeSystemdBus {
 public:
  // Listens on socket_path; unit cgroups go under cgroup_root (a cgroup2
  // tree made by MakeV2Tree). Aborts if it cannot listen.
  FakeSystemdBus(std::string socket_path, std::string cgroup_root);
  ~FakeSystemdBus();
  FakeSystemdBus(const FakeSystemdBus&) = delete;
  FakeSystemdBus& operator=(const FakeSystemdBus&) = delete;

  const std::string& socket() const { return socket_; }

  struct Call {
    std::string member;
    std::vector<dbus::Value> body;
  };
  // Every method call received, in order.
  std::vector<Call> Calls() const;
  std::vector<std::string> Members() const;
  // The properties of the last StartTransientUnit for unit, with those of
  // later SetUnitProperties calls: name -> value.
  std::map<std::string, dbus::Value> UnitProperties(const std::string& unit) const;
  std::set<std::string> ActiveUnits() const;
  int connections() const;

  // The next call of member (after `skip` answered ones) gets this ERROR
  // instead of its reply.
  void FailNext(const std::string& member, const std::string& error_name, const std::string& text,
                int skip = 0);
  // Calls of member get no reply at all.
  void Hang(const std::string& member);
  // JobRemoved's result for the next jobs ("done" by default).
  void SetJobResult(const std::string& result);
  // Reply to Start/StopUnit but never emit JobRemoved.
  void DropJobSignals();
  // Emit JobRemoved before the method reply, as a racing systemd could.
  void JobSignalBeforeReply();
  // A unit of this name is already loaded, failed: StartTransientUnit
  // gets UnitExists until ResetFailedUnit clears it.
  void AddFailedUnit(const std::string& unit);
  // SASL: answer AUTH with REJECTED.
  void RejectAuth();

 private:
  struct Client {
    int fd = -1;
    std::string in;
    bool nul_seen = false;
    bool authenticated = false;
    bool matched = false;
    bool subscribed = false;
    std::string name;
  };

  void Run();
  void Serve(Client& client);
  void HandleAuthLine(Client& client, const std::string& line);
  void Handle(Client& client, const dbus::Message& call);
  void Send(Client& client, dbus::Message message);
  void Reply(Client& client, const dbus::Message& call, std::vector<dbus::Value> body);
  void ReplyError(Client& client, const dbus::Message& call, const std::string& name,
                  const std::string& text);
  void JobRemoved(Client& client, const std::string& job, const std::string& unit);
  void Noise(Client& client);
  std::string UnitCgroup(const std::string& unit, const std::map<std::string, dbus::Value>& props) const;

  std::string socket_;
  std::string cgroup_root_;
  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  std::vector<Client> clients_;

  mutable std::mutex mu_;
  std::vector<Call> calls_;
  std::map<std::string, std::map<std::string, dbus::Value>> units_;
  std::map<std::string, std::string> active_;  // unit -> cgroup path
  std::set<std::string> failed_;
  struct Failure {
    std::string name, text;
    int skip = 0;
  };
  std::map<std::string, Failure> fail_next_;
  std::set<std::string> hang_;
  std::string job_result_ = "done";
  bool drop_job_signals_ = false;
  bool job_signal_first_ = false;
  bool reject_auth_ = false;
  int connections_ = 0;
  uint32_t serial_ = 1;
  int next_job_ = 100;
};

}  // namespace berth::cgroups::testing
