#include "runtime/cgroups/testing/fake_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace berth::cgroups::testing {

TempDir::TempDir() {
  const char* base = getenv("TEST_TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/cgroupfs.XXXXXX";
  char* made = mkdtemp(tmpl.data());
  if (made == nullptr) abort();
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) abort();
  if (write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) abort();
  close(fd);
}

std::string ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "<missing>";
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  close(fd);
  return out;
}

bool Exists(const std::string& path) { return std::filesystem::exists(path); }

const std::vector<std::string>& V1Files(const std::string& controller) {
  static const std::map<std::string, std::vector<std::string>> files = {
      {"memory",
       {"memory.limit_in_bytes", "memory.soft_limit_in_bytes", "memory.memsw.limit_in_bytes",
        "memory.kmem.limit_in_bytes", "memory.kmem.tcp.limit_in_bytes", "memory.swappiness",
        "memory.oom_control", "memory.use_hierarchy", "memory.usage_in_bytes"}},
      {"cpu",
       {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us", "cpu.cfs_burst_us", "cpu.rt_period_us",
        "cpu.rt_runtime_us", "cpu.idle"}},
      {"cpuacct", {"cpuacct.usage"}},
      {"cpuset", {"cpuset.cpus", "cpuset.mems"}},
      {"devices", {"devices.allow", "devices.deny", "devices.list"}},
      {"freezer", {"freezer.state"}},
      {"blkio",
       {"blkio.weight", "blkio.leaf_weight", "blkio.weight_device", "blkio.leaf_weight_device",
        "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
        "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"}},
      {"hugetlb",
       {"hugetlb.2MB.limit_in_bytes", "hugetlb.1GB.limit_in_bytes", "hugetlb.2MB.rsvd.limit_in_bytes"}},
      {"net_cls", {"net_cls.classid"}},
      {"net_prio", {"net_prio.ifpriomap"}},
      {"pids", {"pids.max"}},
      {"rdma", {"rdma.max"}},
      {"systemd", {}},
  };
  static const std::vector<std::string> none;
  auto it = files.find(controller);
  return it == files.end() ? none : it->second;
}

void MakeV1Tree(const std::string& root, const std::vector<std::string>& controllers) {
  for (const auto& c : controllers) {
    std::filesystem::create_directories(root + "/" + c);
    for (const char* core : {"cgroup.procs", "tasks", "notify_on_release"})
      WriteFile(root + "/" + c + "/" + core, "");
    for (const auto& f : V1Files(c)) WriteFile(root + "/" + c + "/" + f, "");
  }
  if (Exists(root + "/cpuset")) {
    WriteFile(root + "/cpuset/cpuset.cpus", "0-1\n");
    WriteFile(root + "/cpuset/cpuset.mems", "0\n");
  }
}

void MakeV2Tree(const std::string& root, const std::vector<std::string>& controllers) {
  std::string list;
  for (const auto& c : controllers) list += (list.empty() ? "" : " ") + c;
  WriteFile(root + "/cgroup.controllers", list + "\n");
  for (const char* core : {"cgroup.subtree_control", "cgroup.procs", "cgroup.freeze", "cgroup.kill",
                           "cgroup.events", "cgroup.type", "cpu.pressure", "memory.pressure", "io.pressure"})
    WriteFile(root + "/" + core, "");
  static const std::map<std::string, std::vector<std::string>> files = {
      {"memory", {"memory.max", "memory.low", "memory.high", "memory.swap.max", "memory.current"}},
      {"cpu", {"cpu.weight", "cpu.max", "cpu.max.burst", "cpu.idle"}},
      {"cpuset", {"cpuset.cpus", "cpuset.mems"}},
      {"io", {"io.weight", "io.max"}},
      {"hugetlb", {"hugetlb.2MB.max", "hugetlb.1GB.max", "hugetlb.2MB.rsvd.max"}},
      {"pids", {"pids.max"}},
      {"rdma", {"rdma.max"}},
  };
  for (const auto& c : controllers) {
    auto it = files.find(c);
    if (it == files.end()) continue;
    for (const auto& f : it->second) WriteFile(root + "/" + f, "");
  }
}

namespace {

// Copies the names of the parent's regular files into a new directory, the
// way cgroupfs populates a new cgroup.
Status PopulateLikeKernel(const std::string& parent, const std::string& dir) {
  DIR* d = opendir(parent.c_str());
  if (d == nullptr) return Error::Sys("opendir " + parent);
  Status status;
  while (dirent* e = readdir(d)) {
    if (e->d_type != DT_REG) continue;
    std::string path = dir + "/" + e->d_name;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      status = Error::Sys("create " + path);
      break;
    }
    close(fd);
  }
  closedir(d);
  return status;
}

// Unlinks the regular files of `path` and every directory below it (the
// kernel's cgroup files go with rmdir; a plain directory's must go first).
Status UnlinkFilesInTree(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) {
    if (errno == ENOENT) return Ok();
    return Error::Sys("opendir " + path);
  }
  std::vector<std::string> subdirs, files;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (e->d_type == DT_DIR)
      subdirs.push_back(path + "/" + name);
    else if (e->d_type == DT_REG)
      files.push_back(path + "/" + name);
  }
  closedir(d);
  for (const auto& sub : subdirs) BERTH_TRY(UnlinkFilesInTree(sub));
  for (const auto& f : files)
    if (unlink(f.c_str()) != 0 && errno != ENOENT) return Error::Sys("unlink " + f);
  return Ok();
}

}  // namespace

bool DirectoryCgroupFs::IsV1Hierarchy(std::string_view cgroup) const { return DirExists(cgroup); }

Result<std::vector<std::string>> DirectoryCgroupFs::MakeDirs(std::string_view cgroup) const {
  std::vector<std::string> created = BERTH_TRY(CgroupFs::MakeDirs(cgroup));
  for (const auto& dir : created) {
    std::string parent = dir.substr(0, dir.rfind('/'));
    BERTH_TRY(PopulateLikeKernel(DirPath(parent), DirPath(dir)));
  }
  return created;
}

Status DirectoryCgroupFs::RemoveDir(std::string_view cgroup) const {
  // The root is refused before anything is unlinked.
  if (DirPath(cgroup) == root()) return CgroupFs::RemoveDir(cgroup);
  BERTH_TRY(UnlinkFilesInTree(DirPath(cgroup)));
  return CgroupFs::RemoveDir(cgroup);
}

std::shared_ptr<const CgroupFs> MakeDirectoryCgroupFs(const std::string& root) {
  return std::make_shared<const DirectoryCgroupFs>(root);
}

Status RecordingCgroupFs::Write(std::string_view cgroup, std::string_view file,
                                std::string_view value) const {
  BERTH_TRY(CgroupFs::Write(cgroup, file, value));
  writes.push_back(FilePath(cgroup, file).substr(root().size()) + "=" + std::string(value));
  return Ok();
}

std::vector<std::string> RecordingCgroupFs::WritesTo(const std::string& cgroup,
                                                     const std::string& file) const {
  std::string prefix = FilePath(cgroup, file).substr(root().size()) + "=";
  std::vector<std::string> out;
  for (const auto& w : writes)
    if (w.compare(0, prefix.size(), prefix) == 0) out.push_back(w.substr(prefix.size()));
  return out;
}

Status RecordingCgroupFs::AttachDeviceFilter(std::string_view cgroup,
                                             const std::vector<bpf_insn>& program) const {
  if (!DirExists(cgroup)) return Error(ENOENT, "no cgroup " + DirPath(cgroup));
  attached[DirPath(cgroup).substr(root().size())].push_back(program);
  return Ok();
}

int RunDeviceProgram(const std::vector<bpf_insn>& program, char type, int major, int minor, char access) {
  uint32_t dev_type = type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
  uint32_t acc = access == 'r'   ? BPF_DEVCG_ACC_READ
                 : access == 'w' ? BPF_DEVCG_ACC_WRITE
                                 : BPF_DEVCG_ACC_MKNOD;
  bpf_cgroup_dev_ctx ctx = {(acc << 16) | dev_type, static_cast<uint32_t>(major),
                            static_cast<uint32_t>(minor)};
  uint64_t reg[11] = {};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const bpf_insn& i = program[pc];
    switch (i.code) {
      case BPF_LDX | BPF_MEM | BPF_W: {
        if (i.src_reg != 1 || i.off < 0 || i.off > 8) return -1;
        uint32_t word;
        std::memcpy(&word, reinterpret_cast<const char*>(&ctx) + i.off, 4);
        reg[i.dst_reg] = word;
        break;
      }
      case BPF_ALU | BPF_AND | BPF_K:
        reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) & static_cast<uint32_t>(i.imm);
        break;
      case BPF_ALU | BPF_RSH | BPF_K: reg[i.dst_reg] = static_cast<uint32_t>(reg[i.dst_reg]) >> i.imm; break;
      case BPF_ALU64 | BPF_MOV | BPF_X: reg[i.dst_reg] = reg[i.src_reg]; break;
      case BPF_ALU64 | BPF_MOV | BPF_K:
        reg[i.dst_reg] = static_cast<uint64_t>(static_cast<int64_t>(i.imm));
        break;
      case BPF_ALU64 | BPF_AND | BPF_K:
        reg[i.dst_reg] &= static_cast<uint64_t>(static_cast<int64_t>(i.imm));
        break;
      case BPF_JMP | BPF_JNE | BPF_K:
        if (reg[i.dst_reg] != static_cast<uint64_t>(static_cast<int64_t>(i.imm))) pc += i.off;
        break;
      case BPF_JMP | BPF_EXIT: return static_cast<int>(reg[0]);
      default: return -1;
    }
  }
  return -1;
}

}  // namespace berth::cgroups::testing
