#include "bench/startup/floor_rootfs.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstring>

#include "runtime/base/files.h"

namespace berth::bench {
namespace {

int64_t Now() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct FloorArgs {
  const char* rootfs;
  const char* exec_path;
  int go_fd;        // read end: EOF once the parent has attached the child (-1: none)
  int go_write_fd;  // the write end, closed first: the parent's close must be the last
};

// Child: only raw syscalls until execve; any failure exits 100 + step.
int FloorRootfsMain(void* raw) {
  const FloorArgs& a = *static_cast<FloorArgs*>(raw);
  int step = 0;
  auto fail = [&step]() { _exit(100 + step); };
  if (a.go_write_fd >= 0) close(a.go_write_fd);
  if (mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) fail();
  ++step;
  if (mount(a.rootfs, a.rootfs, nullptr, MS_BIND | MS_REC, nullptr) != 0) fail();
  ++step;
  if (chdir(a.rootfs) != 0) fail();
  struct Entry {
    const char* source;
    const char* target;
    const char* type;
    unsigned long flags;
    const char* data;
  };
  static const Entry kMounts[] = {
      {"proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
      {"tmpfs", "dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"},
      {"devpts", "dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620"},
      {"shm", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k"},
      {"mqueue", "dev/mqueue", "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
      {"sysfs", "sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, nullptr},
  };
  for (const Entry& m : kMounts) {
    ++step;
    (void)mkdir(m.target, 0755);
    if (mount(m.source, m.target, m.type, m.flags, m.data) != 0) fail();
    if (std::strcmp(m.target, "dev") == 0) {
      static const struct {
        const char* path;
        unsigned major, minor;
      } kNodes[] = {{"dev/null", 1, 3},   {"dev/zero", 1, 5},    {"dev/full", 1, 7},
                    {"dev/random", 1, 8}, {"dev/urandom", 1, 9}, {"dev/tty", 5, 0}};
      for (const auto& n : kNodes)
        if (mknod(n.path, S_IFCHR | 0666, makedev(n.major, n.minor)) != 0) fail();
    }
  }
  ++step;
  if (syscall(SYS_pivot_root, ".", ".") != 0) fail();
  ++step;
  if (umount2(".", MNT_DETACH) != 0 || chdir("/") != 0) fail();
  ++step;
  if (a.go_fd >= 0) {
    char c;
    while (read(a.go_fd, &c, 1) < 0 && errno == EINTR) {
    }
  }
  char* const args[] = {const_cast<char*>(a.exec_path), nullptr};
  char* const env[] = {nullptr};
  execve(a.exec_path, args, env);
  ++step;
  fail();
  return 1;
}

bool IsCgroupMount(const std::string& path) {
  struct statfs st;
  if (statfs(path.c_str(), &st) != 0) return false;
  return static_cast<int64_t>(st.f_type) == CGROUP_SUPER_MAGIC ||
         static_cast<int64_t>(st.f_type) == CGROUP2_SUPER_MAGIC;
}

// As a runtime must: an empty v1 cpuset cannot take a process.
Status InitCpuset(const std::string& hierarchy, const std::string& dir) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    std::string value = BERTH_TRY(base::ReadFileText(hierarchy + "/" + file));
    BERTH_TRY(base::WriteKernelFile(dir + "/" + file, value));
  }
  return Ok();
}

void RemoveCgroups(const std::vector<std::string>& dirs) {
  for (const std::string& dir : dirs)
    for (int i = 0; i < 200 && rmdir(dir.c_str()) != 0 && errno == EBUSY; ++i) usleep(500);
}

}  // namespace

Result<std::vector<std::string>> CgroupHierarchies(const std::string& root) {
  DIR* d = opendir(root.c_str());
  if (!d) return Error::Sys("opendir " + root);
  std::vector<std::string> out;
  while (struct dirent* e = readdir(d)) {
    if (e->d_name[0] == '.' || e->d_type == DT_LNK) continue;
    std::string path = root + "/" + e->d_name;
    if (IsCgroupMount(path)) out.push_back(path);
  }
  closedir(d);
  return out;
}

Result<CommandResult> RunFloorRootfs(uint64_t clone_flags, const std::string& rootfs,
                                     const std::string& exec_path,
                                     const std::vector<std::string>& hierarchies, const std::string& name) {
  constexpr size_t kStack = size_t{256} * 1024;
  void* stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return Error::Sys("mmap clone stack");
  int go[2] = {-1, -1};
  if (!hierarchies.empty() && pipe2(go, O_CLOEXEC) != 0) {
    munmap(stack, kStack);
    return Error::Sys("pipe2");
  }
  FloorArgs args{rootfs.c_str(), exec_path.c_str(), go[0], go[1]};
  std::vector<std::string> made;
  auto finish = [&](Result<CommandResult> r) {
    if (go[0] >= 0) close(go[0]);
    if (go[1] >= 0) close(go[1]);
    RemoveCgroups(made);
    munmap(stack, kStack);
    return r;
  };
  int64_t start = Now();
  for (const std::string& h : hierarchies) {
    std::string dir = h + "/" + name;
    if (mkdir(dir.c_str(), 0755) != 0) return finish(Error::Sys("mkdir " + dir));
    made.push_back(dir);
    if (h.ends_with("/cpuset"))
      if (Status s = InitCpuset(h, dir); !s) return finish(std::move(s).error());
  }
  pid_t pid = clone(FloorRootfsMain, static_cast<char*>(stack) + kStack,
                    static_cast<int>(clone_flags) | SIGCHLD, &args);
  if (pid < 0) return finish(Error::Sys("clone"));
  Status attached = Ok();
  for (const std::string& dir : made) {
    attached = base::WriteKernelFile(dir + "/cgroup.procs", std::to_string(pid));
    if (!attached) break;
  }
  if (go[1] >= 0) {
    close(go[1]);  // EOF: the child may exec
    go[1] = -1;
  }
  CommandResult result;
  struct rusage usage {};
  pid_t got;
  do got = wait4(pid, &result.wait_status, 0, &usage);
  while (got < 0 && errno == EINTR);
  if (got < 0) return finish(Error::Sys("wait4"));
  RemoveCgroups(made);
  made.clear();
  result.wall_ms = static_cast<double>(Now() - start) / 1e6;
  result.max_rss_kib = usage.ru_maxrss;
  if (!attached) return finish(std::move(attached).error());
  if (!result.Succeeded())
    result.output = "floor child failed at step " + std::to_string(WEXITSTATUS(result.wait_status) - 100);
  return finish(result);
}

}  // namespace berth::bench
