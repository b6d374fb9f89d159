#include "runtime/cgroups/oom_watch.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/stats.h"

namespace berth::cgroups {
namespace {

class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) close(fd_);
  }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class V1OomWatcher : public OomWatcher {
 public:
  V1OomWatcher(UniqueFd event, UniqueFd oom_control, std::string oom_control_path)
      : event_(std::move(event)), oom_control_(std::move(oom_control)), path_(std::move(oom_control_path)) {}
  int fd() const override { return event_.get(); }
  Result<uint64_t> Consume() override {
    uint64_t count = 0;
    ssize_t n;
    do n = read(event_.get(), &count, sizeof count);
    while (n < 0 && errno == EINTR);
    if (n < 0 && errno == EAGAIN) return uint64_t{0};
    if (n != sizeof count) return Error::Sys("read oom eventfd");
    // The kernel also signals the eventfd when the cgroup is removed.
    if (access(path_.c_str(), F_OK) != 0) return Error(ENOENT, "memory cgroup removed");
    return count;
  }

 private:
  UniqueFd event_;
  UniqueFd oom_control_;  // kept open: the registration refers to it
  std::string path_;
};

class V2OomWatcher : public OomWatcher {
 public:
  V2OomWatcher(UniqueFd inotify, const CgroupFs& fs, std::string cgroup, uint64_t seen)
      : inotify_(std::move(inotify)), fs_(fs), cgroup_(std::move(cgroup)), seen_(seen) {}
  int fd() const override { return inotify_.get(); }
  Result<uint64_t> Consume() override {
    char buf[4096];
    bool removed = false;
    for (;;) {
      ssize_t n = read(inotify_.get(), buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      for (ssize_t i = 0; i < n;) {
        auto* ev = reinterpret_cast<inotify_event*>(buf + i);
        if (ev->mask & (IN_IGNORED | IN_DELETE_SELF)) removed = true;
        i += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      }
    }
    auto text = fs_.Read(cgroup_, "memory.events");
    if (removed || !text.ok()) return Error(ENOENT, "memory cgroup removed");
    uint64_t now = stats_internal::ParseKeyValues(*text)["oom_kill"];
    uint64_t fresh = now > seen_ ? now - seen_ : 0;
    seen_ = now;
    return fresh;
  }

 private:
  UniqueFd inotify_;
  const CgroupFs& fs_;
  std::string cgroup_;
  uint64_t seen_;
};

}  // namespace

OomWatcher::~OomWatcher() = default;

Result<std::unique_ptr<OomWatcher>> WatchV1Oom(const CgroupFs& fs, const std::string& memory_cgroup) {
  const std::string oom_path = fs.FilePath(memory_cgroup, "memory.oom_control");
  UniqueFd oom(open(oom_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (oom.get() < 0) return Error::Sys("open " + oom_path);
  UniqueFd event(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (event.get() < 0) return Error::Sys("eventfd");
  BERTH_TRY_CTX(fs.Write(memory_cgroup, "cgroup.event_control",
                         std::to_string(event.get()) + " " + std::to_string(oom.get())),
                "register for OOM notifications");
  return std::unique_ptr<OomWatcher>(new V1OomWatcher(std::move(event), std::move(oom), oom_path));
}

Result<std::unique_ptr<OomWatcher>> WatchV2Oom(const CgroupFs& fs, const std::string& cgroup) {
  UniqueFd in(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (in.get() < 0) return Error::Sys("inotify_init1");
  const std::string events = fs.FilePath(cgroup, "memory.events");
  if (inotify_add_watch(in.get(), events.c_str(), IN_MODIFY | IN_DELETE_SELF) < 0)
    return Error::Sys("watch " + events);
  // Kills before the watch are not reported: start from the current count.
  auto text = BERTH_TRY(fs.Read(cgroup, "memory.events"));
  uint64_t seen = stats_internal::ParseKeyValues(text)["oom_kill"];
  return std::unique_ptr<OomWatcher>(new V2OomWatcher(std::move(in), fs, cgroup, seen));
}

}  // namespace berth::cgroups
