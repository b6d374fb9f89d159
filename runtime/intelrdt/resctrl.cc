#include "runtime/intelrdt/resctrl.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>

#include "runtime/base/files.h"
#include "runtime/base/unique_fd.h"
#include "runtime/intelrdt/schemata.h"

namespace berth::intelrdt {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string Unescape(std::string_view s) {
  auto octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && octal(s[i + 1]) && octal(s[i + 2]) && octal(s[i + 3])) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::vector<std::string_view> Fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t start = line.find_first_not_of(' ', pos);
    if (start == std::string_view::npos) break;
    size_t end = line.find(' ', start);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    pos = end;
  }
  return out;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::optional<std::string> ResctrlMountPoint(std::string_view mountinfo) {
  while (!mountinfo.empty()) {
    size_t nl = mountinfo.find('\n');
    std::string_view line = mountinfo.substr(0, nl);
    mountinfo = nl == std::string_view::npos ? std::string_view() : mountinfo.substr(nl + 1);
    // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS"
    size_t sep = line.find(" - ");
    if (sep == std::string_view::npos) continue;
    std::vector<std::string_view> before = Fields(line.substr(0, sep));
    std::vector<std::string_view> after = Fields(line.substr(sep + 3));
    if (before.size() < 5 || after.empty() || after[0] != "resctrl") continue;
    return Unescape(before[4]);
  }
  return std::nullopt;
}

Result<std::string> FindResctrl() {
  std::string standard(kDefaultMount);
  struct statfs fs {};
  if (statfs(standard.c_str(), &fs) == 0 && fs.f_type == kResctrlSuperMagic) return standard;
  // Mounted elsewhere: only then is mountinfo worth reading.
  if (auto text = base::ReadFileText("/proc/self/mountinfo")) {
    if (auto mount = ResctrlMountPoint(*text)) return *mount;
  }
  return Error(0, "no resctrl filesystem is mounted (none at " + standard + " or in /proc/self/mountinfo)");
}

std::string ResctrlGroup::GroupPath() const { return group_.empty() ? root_ : root_ + "/" + group_; }

std::string ResctrlGroup::MonGroupPath() const {
  return mon_.empty() ? std::string() : GroupPath() + "/mon_groups/" + mon_;
}

Error WithKernelReason(const std::string& root, Error e) {
  auto status = base::ReadFileText(root + "/info/last_cmd_status");
  if (!status || status->empty() || *status == "ok\n") return e;
  return Error(e.code(), e.message() + " (resctrl: " + status->substr(0, status->find('\n')) + ")");
}

Status ResctrlFs::MakeGroupDir(const std::string& root, const std::string& path, bool) const {
  if (mkdir(path.c_str(), 0755) != 0) return WithKernelReason(root, Error::Sys("mkdir " + path));
  return Ok();
}

Status ResctrlFs::RemoveGroupDir(const std::string& path) const {
  // The kernel moves any remaining tasks to the parent group.
  if (rmdir(path.c_str()) != 0 && errno != ENOENT) return Error::Sys("rmdir " + path);
  return Ok();
}

Status ResctrlFs::WriteFile(const std::string& root, const std::string& path, std::string_view value) const {
  // The kernel's files exist and ignore the offset.
  base::UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd.valid()) return Error::Sys("open " + path);
  ssize_t n;
  do {
    n = write(fd.get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return WithKernelReason(root, Error::Sys("write " + path));
  if (static_cast<size_t>(n) != value.size())
    return WithKernelReason(root, Error(EIO, "write " + path + ": short write"));
  return Ok();
}

const std::shared_ptr<const ResctrlFs>& KernelResctrlFs() {
  static const std::shared_ptr<const ResctrlFs> kernel = std::make_shared<const ResctrlFs>();
  return kernel;
}

Status ResctrlGroup::MakeDir(const std::string& path, bool mon_group) const {
  return fs_->MakeGroupDir(root_, path, mon_group);
}

Status ResctrlGroup::RemoveDir(const std::string& path) const { return fs_->RemoveGroupDir(path); }

Status ResctrlGroup::WriteFile(const std::string& path, std::string_view value) const {
  return fs_->WriteFile(root_, path, value);
}

Result<ResctrlGroup> ResctrlGroup::Join(const std::string& root, const spec::IntelRdt& rdt,
                                        const std::string& container_id, pid_t pid,
                                        std::shared_ptr<const ResctrlFs> fs) {
  BERTH_TRY(Validate(rdt));
  ResctrlGroup group(root, std::move(fs));
  Status set_up = group.Setup(rdt, container_id, pid);
  if (!set_up) {
    (void)group.Destroy();  // what this call made, even a closID group
    return std::move(set_up).error();
  }
  // config-linux.md: a closID group stays at delete, even one made here.
  if (!rdt.closID.empty()) group.created_ = false;
  return group;
}

Status ResctrlGroup::Setup(const spec::IntelRdt& rdt, const std::string& container_id, pid_t pid) {
  const bool schemas = HasSchemas(rdt);
  bool write_schemata = false;
  group_ = rdt.closID == "/" ? "" : rdt.closID.empty() ? container_id : rdt.closID;
  const std::string path = GroupPath();
  if (group_.empty()) {
    // The root group always exists; its schemata are compared below.
  } else if (rdt.closID.empty()) {
    Status made = MakeDir(path, false);
    if (!made && made.error().code() == EEXIST)
      return Error(EEXIST, "resctrl group " + path + " already exists, but without closID the container's " +
                               "group is made by the runtime (left over from an earlier container?)");
    BERTH_TRY(made);
    created_ = true;
    write_schemata = schemas;
  } else if (schemas) {
    Status made = MakeDir(path, false);
    if (made) {
      created_ = true;
      write_schemata = true;
    } else if (made.error().code() != EEXIST) {
      return std::move(made).error();
    }
  } else if (!IsDir(path)) {
    return Error(ENOENT, "closID \"" + rdt.closID + "\" names no existing resctrl group (" + path +
                             "); without l3CacheSchema, memBwSchema or schemata it must be pre-configured");
  }

  std::vector<std::string> lines = SchemaLines(rdt);
  if (schemas && !write_schemata) {
    // An existing group: its schemata must already be what the config asks.
    SchemaMap wanted = BERTH_TRY_CTX(ParseSchemata(lines), "linux.intelRdt");
    std::string text = BERTH_TRY(base::ReadFileText(path + "/schemata"));
    SchemaMap existing = BERTH_TRY_CTX(ParseSchemataFile(text), path + "/schemata");
    Status match = CheckSchemataMatch(existing, wanted);
    if (!match)
      return std::move(match).error().Context("resctrl group " + path +
                                              " exists with other schemata than linux.intelRdt");
  }
  if (write_schemata) {
    std::string text;
    for (const std::string& line : lines) text += line + "\n";
    BERTH_TRY_CTX(WriteFile(path + "/schemata", text), "linux.intelRdt schemata");
  }

  if (rdt.enableMonitoring.value_or(false)) {
    std::string mon = path + "/mon_groups/" + container_id;
    Status made = MakeDir(mon, true);
    if (!made) {
      if (made.error().code() == ENOENT)
        return Error(ENOENT, "linux.intelRdt.enableMonitoring: " + path +
                                 " has no mon_groups (resctrl monitoring unavailable)");
      if (made.error().code() == EEXIST)
        return Error(EEXIST, "linux.intelRdt.enableMonitoring: monitoring group " + mon + " already exists");
      return std::move(made).error().Context("linux.intelRdt.enableMonitoring");
    }
    mon_ = container_id;
  }
  return AddProcess(pid);
}

Status ResctrlGroup::AddProcess(pid_t pid) const {
  std::string text = std::to_string(pid) + "\n";
  BERTH_TRY_CTX(WriteFile(GroupPath() + "/tasks", text), "join resctrl group");
  // The kernel only takes a task into a MON group from its parent group.
  if (!mon_.empty())
    BERTH_TRY_CTX(WriteFile(MonGroupPath() + "/tasks", text), "join resctrl monitoring group");
  return Ok();
}

Status ResctrlGroup::Destroy() {
  Status result = Ok();
  if (!mon_.empty()) {
    Status s = RemoveDir(MonGroupPath());
    if (s)
      mon_.clear();
    else
      result = std::move(s);
  }
  if (created_) {
    Status s = RemoveDir(GroupPath());
    if (s)
      created_ = false;
    else if (result)
      result = std::move(s);
  }
  return result;
}

std::string ResctrlGroup::Serialize() const {
  std::string out = "root " + root_ + "\n";
  out += "group " + (group_.empty() ? std::string("/") : group_) + "\n";
  out += std::string("created ") + (created_ ? "1" : "0") + "\n";
  if (!mon_.empty()) out += "mon " + mon_ + "\n";
  return out;
}

Result<ResctrlGroup> ResctrlGroup::Load(std::string_view serialized, std::shared_ptr<const ResctrlFs> fs) {
  ResctrlGroup group("", std::move(fs));
  bool have_group = false;
  while (!serialized.empty()) {
    size_t nl = serialized.find('\n');
    std::string_view line = serialized.substr(0, nl);
    serialized = nl == std::string_view::npos ? std::string_view() : serialized.substr(nl + 1);
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    std::string_view key = line.substr(0, sp);
    std::string value(sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1));
    if (key == "root") {
      group.root_ = value;
    } else if (key == "kind" && value == "kernel") {
      // Written by berth before the filesystem became a parameter.
    } else if (key == "group" && !value.empty()) {
      group.group_ = value == "/" ? "" : value;
      have_group = true;
    } else if (key == "created" && (value == "0" || value == "1")) {
      group.created_ = value == "1";
    } else if (key == "mon" && !value.empty()) {
      group.mon_ = value;
    } else {
      return Error(EINVAL, "resctrl state: unexpected line \"" + std::string(line) + "\"");
    }
  }
  if (group.root_.empty() || group.root_[0] != '/' || !have_group)
    return Error(EINVAL, "resctrl state: root and group are required");
  if (group.group_.find('/') != std::string::npos || group.mon_.find('/') != std::string::npos)
    return Error(EINVAL, "resctrl state: group names must not contain \"/\"");
  return group;
}

}  // namespace berth::intelrdt
