#include "runtime/rootfs/mount_options.h"

#include <sys/mount.h>

#include <algorithm>
#include <array>

namespace berth::rootfs {
namespace {

// How an option changes a set of MOUNT_ATTR_* bits. Atime modes are one
// field in the kernel: changing it clears the whole MOUNT_ATTR__ATIME mask.
struct AttrOption {
  std::string_view name;
  uint64_t set;
  uint64_t clr;
};

constexpr uint64_t kAtimeMask = MOUNT_ATTR__ATIME;

// Options for the mount itself. "atime", "norelatime" and "nostrictatime"
// return to the kernel default (relatime).
constexpr std::array<AttrOption, 16> kAttrOptions{{
    {"ro", MOUNT_ATTR_RDONLY, 0},
    {"rw", 0, MOUNT_ATTR_RDONLY},
    {"nosuid", MOUNT_ATTR_NOSUID, 0},
    {"suid", 0, MOUNT_ATTR_NOSUID},
    {"nodev", MOUNT_ATTR_NODEV, 0},
    {"dev", 0, MOUNT_ATTR_NODEV},
    {"noexec", MOUNT_ATTR_NOEXEC, 0},
    {"exec", 0, MOUNT_ATTR_NOEXEC},
    {"noatime", MOUNT_ATTR_NOATIME, kAtimeMask},
    {"strictatime", MOUNT_ATTR_STRICTATIME, kAtimeMask},
    {"relatime", MOUNT_ATTR_RELATIME, kAtimeMask},
    {"atime", MOUNT_ATTR_RELATIME, kAtimeMask},
    {"norelatime", MOUNT_ATTR_RELATIME, kAtimeMask},
    {"nostrictatime", MOUNT_ATTR_RELATIME, kAtimeMask},
    {"nodiratime", MOUNT_ATTR_NODIRATIME, 0},
    {"diratime", 0, MOUNT_ATTR_NODIRATIME},
}};

constexpr std::array<AttrOption, 2> kSymfollowOptions{{
    {"nosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0},
    {"symfollow", 0, MOUNT_ATTR_NOSYMFOLLOW},
}};

struct PropagationOption {
  std::string_view name;
  uint64_t type;
  bool recursive;
};

constexpr std::array<PropagationOption, 8> kPropagationOptions{{
    {"private", MS_PRIVATE, false},
    {"rprivate", MS_PRIVATE, true},
    {"shared", MS_SHARED, false},
    {"rshared", MS_SHARED, true},
    {"slave", MS_SLAVE, false},
    {"rslave", MS_SLAVE, true},
    {"unbindable", MS_UNBINDABLE, false},
    {"runbindable", MS_UNBINDABLE, true},
}};

// Superblock flags: option -> {flag name, set?}.
struct SbOption {
  std::string_view name;
  std::string_view flag;
  bool set;
};

constexpr std::array<SbOption, 8> kSbOptions{{
    {"sync", "sync", true},
    {"async", "sync", false},
    {"dirsync", "dirsync", true},
    {"mand", "mand", true},
    {"nomand", "mand", false},
    {"lazytime", "lazytime", true},
    {"nolazytime", "lazytime", false},
    {"nodirsync", "dirsync", false},
}};

void Apply(uint64_t& set, uint64_t& clr, const AttrOption& o) {
  // A later option overrides an earlier one for the same bits.
  uint64_t touched = o.set | o.clr;
  set &= ~touched;
  clr &= ~touched;
  set |= o.set;
  clr |= o.clr;
}

// Looks name up in the attribute tables; true when found.
bool ApplyAttr(std::string_view name, uint64_t& set, uint64_t& clr) {
  for (const auto& o : kAttrOptions)
    if (o.name == name) return Apply(set, clr, o), true;
  for (const auto& o : kSymfollowOptions)
    if (o.name == name) return Apply(set, clr, o), true;
  return false;
}

}  // namespace

Result<MountOptions> ParseMountOptions(const std::vector<std::string>& options) {
  MountOptions out;
  for (const std::string& option : options) {
    std::string_view name = option;
    if (name.empty()) return Error(EINVAL, "empty mount option");
    if (name == "defaults") continue;
    if (name == "bind") {
      out.bind = true;
      continue;
    }
    if (name == "rbind") {
      out.bind = out.recursive = true;
      continue;
    }
    if (name == "remount") {
      out.remount = true;
      continue;
    }
    if (name == "idmap") {
      out.idmap = true;
      continue;
    }
    if (name == "ridmap") {
      out.idmap = out.recursive_idmap = true;
      continue;
    }
    if (name == "iversion" || name == "noiversion") {
      out.i_version = name == "iversion";
      continue;
    }
    if (name == "tmpcopyup") {
      out.tmpcopyup = true;
      continue;
    }
    if (ApplyAttr(name, out.attr_set, out.attr_clr)) continue;
    // Recursive forms: "r" + an attribute option (rro, rnosuid, rnoatime, ...).
    if (name.size() > 1 && name[0] == 'r' && ApplyAttr(name.substr(1), out.rec_attr_set, out.rec_attr_clr))
      continue;
    bool matched = false;
    for (const auto& p : kPropagationOptions) {
      if (p.name == name) {
        out.propagation.push_back({p.type, p.recursive});
        matched = true;
      }
    }
    for (const auto& s : kSbOptions) {
      if (s.name != name) continue;
      auto it = std::find(out.sb_flags.begin(), out.sb_flags.end(), s.flag);
      if (s.set && it == out.sb_flags.end()) out.sb_flags.emplace_back(s.flag);
      if (!s.set && it != out.sb_flags.end()) out.sb_flags.erase(it);
      matched = true;
    }
    if (matched) continue;
    // "silent"/"loud" only change kernel log verbosity during mount; mount(8)
    // "x-" options are for userspace helpers. Neither reaches the kernel.
    if (name == "silent" || name == "loud" || name.starts_with("x-")) continue;
    out.data.push_back(option);
  }
  return out;
}

DataOption SplitDataOption(std::string_view option) {
  size_t eq = option.find('=');
  if (eq == std::string_view::npos) return {std::string(option), "", false};
  return {std::string(option.substr(0, eq)), std::string(option.substr(eq + 1)), true};
}

bool TakesMountLabel(std::string_view type) {
  static constexpr std::string_view kNoLabel[] = {"proc", "sysfs", "cgroup",     "cgroup2",   "mqueue",
                                                  "bind", "none",  "securityfs", "selinuxfs", ""};
  for (auto t : kNoLabel)
    if (type == t) return false;
  return true;
}

std::string MountLabelOption(std::string_view label) { return "context=\"" + std::string(label) + "\""; }

Result<uint64_t> ParseRootPropagation(std::string_view value) {
  if (value.empty()) return uint64_t{0};
  for (const auto& p : kPropagationOptions)
    if (p.name == value) return p.type | (p.recursive ? uint64_t{MS_REC} : 0);
  return Error(EINVAL, "linux.rootfsPropagation: unknown value \"" + std::string(value) + "\"");
}

}  // namespace berth::rootfs
