#include "conformance/harness/container.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "conformance/harness/probe_report.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

std::string ReadMemfd(int fd) {
  std::string out;
  char buf[8192];
  off_t off = 0;
  ssize_t n;
  while (fd >= 0 && (n = pread(fd, buf, sizeof buf, off)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return out;
}

// 'Z' or 'X' in /proc/PID/stat, or no such process.
bool Gone(pid_t pid) {
  if (kill(pid, 0) != 0 && errno == ESRCH) return true;
  auto stat = ReadFileText("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return true;
  size_t paren = stat->rfind(')');
  return paren != std::string::npos && paren + 2 < stat->size() &&
         ((*stat)[paren + 2] == 'Z' || (*stat)[paren + 2] == 'X');
}

}  // namespace

Container::Container(CaseContext& c, Bundle& bundle, const Runtime* runtime)
    : runtime_(runtime ? *runtime : c.runtime()), bundle_(bundle) {
  out_fd_ = memfd_create("container-stdout", MFD_CLOEXEC);
  err_fd_ = memfd_create("container-stderr", MFD_CLOEXEC);
  null_fd_ = open("/dev/null", O_RDONLY | O_CLOEXEC);
  pid_file_ = bundle_.dir + "/init.pid";
}

Container::~Container() {
  CommandOptions quick;
  quick.timeout_ms = 10000;
  runtime_.Run({"kill", id(), "KILL"}, quick);
  runtime_.Run({"delete", "--force", id()}, quick);
  for (int fd : {out_fd_, err_fd_, null_fd_})
    if (fd >= 0) close(fd);
}

CommandResult Container::Create(CreateOptions options) {
  if (berth::Status s = bundle_.Write(); !s.ok()) {
    CommandResult r;
    r.err = s.error().ToString();
    return r;
  }
  if (options.pid_file.empty()) options.pid_file = pid_file_;
  pid_file_ = options.pid_file;
  options.stdin_fd = stdin_fd_ >= 0 ? stdin_fd_ : null_fd_;
  options.stdout_fd = out_fd_;
  options.stderr_fd = err_fd_;
  CommandResult r = runtime_.Create(id(), bundle_.dir, options);
  r.err = Stderr();
  return r;
}

CommandResult Container::Start() { return runtime_.Start(id()); }
CommandResult Container::Kill(const std::string& signal) { return runtime_.Kill(id(), signal); }
CommandResult Container::Delete(bool force) { return runtime_.Delete(id(), force); }
std::string Container::Status() const { return runtime_.Status(id()); }

pid_t Container::Pid() const {
  auto text = ReadFileText(pid_file_);
  if (!text) return 0;
  return static_cast<pid_t>(std::atoi(text->c_str()));
}

std::optional<int> Container::WaitExit(int timeout_ms) {
  pid_t pid = Pid();
  if (pid <= 0) return -1;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (true) {
    if (auto status = Reaper::Get().Poll(pid)) return *status;
    if (Gone(pid)) {
      // Give our own reaper a moment in case it is our zombie.
      if (auto status = Reaper::Get().Wait(pid, 50)) return *status;
      return -1;
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string Container::Stdout() const { return ReadMemfd(out_fd_); }
std::string Container::Stderr() const { return ReadMemfd(err_fd_); }

Result<json::Value> Container::Report() const { return ParseProbeOutput(Stdout()); }

Result<ProbeRun> RunProbe(CaseContext& c, Bundle& bundle, int timeout_ms, const Runtime* runtime) {
  Container ct(c, bundle, runtime);
  CommandResult create = ct.Create();
  if (!create.ok()) return Error("create failed: " + create.Describe());
  CommandResult start = ct.Start();
  if (!start.ok()) return Error("start failed: " + start.Describe());
  auto status = ct.WaitExit(timeout_ms);
  if (!status) return Error("container did not exit within " + std::to_string(timeout_ms) + " ms");
  ProbeRun run;
  run.wait_status = *status;
  run.stdout_text = ct.Stdout();
  run.stderr_text = ct.Stderr();
  auto report = ParseProbeOutput(run.stdout_text);
  if (!report) {
    std::string err = run.stderr_text.substr(0, 300);
    return Error(report.error().ToString() + (err.empty() ? "" : "; stderr: " + err));
  }
  run.report = std::move(*report);
  ct.Delete();
  return run;
}

}  // namespace berth::conformance
