#include "runtime/rootfs/root_test_util.h"

#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "testing/busybox_rootfs.h"

namespace berth::testing {

namespace fs = std::filesystem;

bool RunningAsRoot() { return geteuid() == 0; }

std::string RunInChild(const std::function<std::string()>& body, int unshare_flags) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return "pipe failed";
  pid_t pid = fork();
  if (pid < 0) return "fork failed";
  if (pid == 0) {
    close(fds[0]);
    std::string result;
    if (unshare_flags != 0 && unshare(unshare_flags) != 0) {
      result = std::string("unshare: ") + strerror(errno);
    } else if ((unshare_flags & CLONE_NEWNS) &&
               mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) {
      result = std::string("make / rslave: ") + strerror(errno);
    } else {
      // Nothing may unwind out of the child into the test framework.
      try {
        result = body();
      } catch (const std::exception& e) {
        result = std::string("exception in child: ") + e.what();
      } catch (...) {
        result = "unknown exception in child";
      }
    }
    size_t off = 0;
    while (off < result.size()) {
      ssize_t n = write(fds[1], result.data() + off, result.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return "child died (status " + std::to_string(status) + ") after: " + out;
  return out;
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/berth-test-XXXXXX";
  if (mkdtemp(tmpl) != nullptr) path_ = tmpl;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ec;
  fs::remove_all(path_, ec);
}

Status MakeBusyboxRootfs(const std::string& dir) {
  RootfsLayout layout;
  layout.dirs = {"bin", "etc", "tmp"};
  layout.applets = false;
  layout.etc_files = false;
  return BuildRootfs(dir, layout);
}

std::string MountInfo() { return ReadFile("/proc/self/mountinfo"); }

std::vector<MountEntry> AllMounts() {
  std::istringstream in(MountInfo());
  std::string line;
  std::vector<MountEntry> out;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::vector<std::string> f;
    std::string w;
    while (fields >> w) f.push_back(w);
    size_t dash = 0;
    for (size_t i = 6; i < f.size(); ++i)
      if (f[i] == "-") {
        dash = i;
        break;
      }
    if (dash == 0 || f.size() < dash + 4) continue;
    std::string optional;
    for (size_t i = 6; i < dash; ++i) optional += (optional.empty() ? "" : " ") + f[i];
    out.push_back(MountEntry{f[3], f[4], f[5], f[dash + 1], f[dash + 2], f[dash + 3], optional});
  }
  return out;
}

std::optional<MountEntry> FindMount(const std::string& mount_point) {
  std::optional<MountEntry> found;
  for (auto& m : AllMounts())
    if (m.mount_point == mount_point) found = m;
  return found;
}

bool HasOption(const std::string& options, const std::string& option) {
  std::stringstream ss(options);
  std::string item;
  while (std::getline(ss, item, ','))
    if (item == option) return true;
  return false;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace berth::testing
