// `berth events`: runc's events command. --stats prints one stats event;
// otherwise a stats event every --interval and an oom event for each OOM
// kill in the memory cgroup, until the container stops.
#include <poll.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>

#include "runtime/base/syscalls.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/update_values.h"
#include "runtime/container/update.h"
#include "spec/json.h"

namespace berth::cli {
namespace {

// One line of runc's types.Event JSON (Go's json.Encoder: compact + "\n").
void PrintEvent(const std::string& type, const std::string& id, const std::string* data_json) {
  spec::json::Writer w;
  w.BeginObject();
  w.Key("type");
  w.String(type);
  w.Key("id");
  w.String(id);
  w.EndObject();
  std::string head = w.Take();
  if (data_json) head = head.substr(0, head.size() - 1) + ",\"data\":" + *data_json + "}";
  head += "\n";
  fwrite(head.data(), 1, head.size(), stdout);
  fflush(stdout);
}

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t{ts.tv_sec} * 1000000000 + ts.tv_nsec;
}

Status PrintStats(cgroups::Manager& cgroup, const std::string& id) {
  cgroups::Stats stats = BERTH_TRY(cgroup.GetStats());
  std::string data = cgroups::StatsJson(stats);
  PrintEvent("stats", id, &data);
  return Ok();
}

Result<int> RunEvents(const GlobalOptions& global, const ParsedFlags& flags) {
  const std::string id = flags.positional.at(0);
  auto interval = ParseGoDuration(flags.Get("interval", "5s"));
  if (!interval)
    return Error(EINVAL, "invalid value \"" + flags.Get("interval") +
                             "\" for flag -interval: " + interval.error().message());
  if (interval->count() <= 0) return Error(EINVAL, "duration interval must be greater than 0");
  container::EventsSource source = BERTH_TRY(container::OpenEventsSource(global.runtime, id));
  if (flags.Bool("stats")) {
    BERTH_TRY(PrintStats(*source.cgroup, id));
    return 0;
  }
  auto oom = BERTH_TRY(source.cgroup->WatchOom());
  // The init's pidfd turns readable when it exits: the container stopped.
  int pidfd = sys::PidfdOpen(source.init_pid, 0);
  if (pidfd < 0) return Error::Sys("watch container init " + std::to_string(source.init_pid));
  const int64_t step = interval->count();
  int64_t next = NowNs() + step;
  bool stopped = false;
  while (!stopped) {
    int64_t wait_ms = std::max<int64_t>(0, (next - NowNs() + 999999) / 1000000);
    pollfd fds[2] = {{oom->fd(), POLLIN, 0}, {pidfd, POLLIN, 0}};
    int n = poll(fds, 2, static_cast<int>(std::min<int64_t>(wait_ms, 1 << 30)));
    if (n < 0 && errno != EINTR) {
      close(pidfd);
      return Error::Sys("poll");
    }
    if (n > 0 && (fds[1].revents & POLLIN)) stopped = true;
    // After an exit too: an OOM kill of the init signals both at once.
    if ((n > 0 && (fds[0].revents & POLLIN)) || (stopped && poll(fds, 1, 0) > 0)) {
      auto kills = oom->Consume();
      if (!kills) {
        if (kills.error().code() != ENOENT) container::Warn(kills.error().ToString());
        break;  // the memory cgroup is gone
      }
      for (uint64_t i = 0; i < *kills; ++i) PrintEvent("oom", id, nullptr);
    }
    if (!stopped && NowNs() >= next) {
      // As runc: a failed read is logged and the stream goes on.
      if (Status s = PrintStats(*source.cgroup, id); !s.ok()) container::Warn(s.error().ToString());
      next += step;
    }
  }
  close(pidfd);
  return 0;
}

}  // namespace

Command EventsCommand() {
  return {"events",
          "display container events such as OOM notifications, cpu, memory, and IO usage statistics",
          "<container-id>",
          {
              {{"interval"}, true, "set the stats collection interval", "5s"},
              {{"stats"}, false, "display the container's stats then exit"},
          },
          RunEvents,
          1,
          1};
}

}  // namespace berth::cli
