// Validation of config.json "linux" (and what it implies for hostname).
#include <cstdio>
#include <set>

#include "spec/json_read.h"
#include "spec/validate_internal.h"

namespace berth::spec::validate {

namespace {

// A network interface name the kernel accepts (dev_valid_name).
bool IsInterfaceName(std::string_view n) {
  if (n.empty() || n.size() >= 16 || n == "." || n == "..") return false;
  for (char c : n)
    if (c == '/' || c == ':' || c == ' ' || c == '\t' || c == '\n' || c == '\0') return false;
  return true;
}

bool HasDotDotComponent(std::string_view p) {
  size_t start = 0;
  for (;;) {
    size_t slash = p.find('/', start);
    std::string_view part = p.substr(start, slash == std::string_view::npos ? slash : slash - start);
    if (part == "..") return true;
    if (slash == std::string_view::npos) return false;
    start = slash + 1;
  }
}

void CheckNamespaces(Report& r, const Linux& l) {
  std::set<NamespaceType> seen;
  for (size_t i = 0; i < l.namespaces.size(); ++i) {
    const Namespace& ns = l.namespaces[i];
    std::string at = At("linux.namespaces", i);
    if (!seen.insert(ns.type).second)
      r.Add(at + ".type", "duplicate namespace type \"" + std::string(NamespaceTypeName(ns.type)) + "\"");
    if (!ns.path.empty() && !IsAbsolute(ns.path)) r.Add(at + ".path", "must be an absolute path");
  }
  const Namespace* user = l.FindNamespace(NamespaceType::user);
  bool has_maps = !l.uidMappings.empty() || !l.gidMappings.empty();
  if (has_maps && !user) r.Add("linux.uidMappings", "id mappings require a user namespace");
  // Maps with a joined user namespace must describe it; the runtime checks
  // that against the namespace (ns::CheckJoinedUserNamespaceMaps).
  if (user && user->path.empty()) {
    if (l.uidMappings.empty()) r.Add("linux.uidMappings", "a new user namespace requires uid mappings");
    if (l.gidMappings.empty()) r.Add("linux.gidMappings", "a new user namespace requires gid mappings");
  }
  CheckIdMappings(r, "linux.uidMappings", l.uidMappings);
  CheckIdMappings(r, "linux.gidMappings", l.gidMappings);

  if (!l.timeOffsets.empty()) {
    const Namespace* time = l.FindNamespace(NamespaceType::time);
    if (!time)
      r.Add("linux.timeOffsets", "requires a time namespace");
    else if (!time->path.empty())
      r.Add("linux.timeOffsets", "cannot be applied to a joined time namespace");
    for (const auto& [clock, off] : l.timeOffsets) {
      if (clock != "monotonic" && clock != "boottime")
        r.Add("linux.timeOffsets", "unknown clock \"" + clock + "\" (expected monotonic or boottime)");
      if (off.nanosecs >= 1000000000)
        r.Add(json::MemberPath("linux.timeOffsets", clock) + ".nanosecs", "must be less than 1000000000");
    }
  }
}

// fileMode is the permission bits; engines (podman) also send the file type
// bits (0o20600 for a character device), which runc accepts: they must then
// name the same type as `type`.
void CheckDeviceFileMode(Report& r, const std::string& at, const Device& d) {
  constexpr uint32_t kTypeMask = 0170000, kChr = 0020000, kBlk = 0060000, kFifo = 0010000;
  const uint32_t mode = static_cast<uint32_t>(*d.fileMode);
  if ((mode & ~(kTypeMask | 07777u)) != 0) {
    r.Add(at + ".fileMode", "must hold permission bits (<= 07777) and at most the file type bits");
    return;
  }
  const uint32_t type_bits = mode & kTypeMask;
  if (type_bits == 0) return;
  const uint32_t expected = d.type == "b"                      ? kBlk
                            : d.type == "p"                    ? kFifo
                            : (d.type == "c" || d.type == "u") ? kChr
                                                               : 0;
  if (type_bits != expected) {
    char octal[16];
    snprintf(octal, sizeof octal, "0%o", mode);
    r.Add(at + ".fileMode",
          std::string("file type bits of ") + octal + " do not match type \"" + d.type + "\"");
  }
}

void CheckDevices(Report& r, const Linux& l) {
  std::set<std::string> paths;
  for (size_t i = 0; i < l.devices.size(); ++i) {
    const Device& d = l.devices[i];
    std::string at = At("linux.devices", i);
    CheckName(r, at + ".type", kDeviceTypeSet, d.type);
    if (!IsAbsolute(d.path))
      r.Add(at + ".path", "must be an absolute path");
    else if (HasDotDotComponent(d.path))
      r.Add(at + ".path", "must not contain \"..\"");
    if (!paths.insert(d.path).second) r.Add(at + ".path", "duplicate device " + d.path);
    if (d.type != "p" && (d.major < 0 || d.minor < 0)) r.Add(at, "major and minor must not be negative");
    if (d.fileMode) CheckDeviceFileMode(r, at, d);
  }
}

void CheckSeccomp(Report& r, const Seccomp& s) {
  auto takes_errno = [](const std::string& action) {
    return action == "SCMP_ACT_ERRNO" || action == "SCMP_ACT_TRACE";
  };
  CheckName(r, "linux.seccomp.defaultAction", kSeccompActionSet, s.defaultAction);
  if (s.defaultErrnoRet && !takes_errno(s.defaultAction))
    r.Add("linux.seccomp.defaultErrnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
  for (size_t i = 0; i < s.architectures.size(); ++i)
    CheckName(r, At("linux.seccomp.architectures", i), kSeccompArchSet, s.architectures[i]);
  for (size_t i = 0; i < s.flags.size(); ++i)
    CheckName(r, At("linux.seccomp.flags", i), kSeccompFlagSet, s.flags[i]);
  if (!s.listenerMetadata.empty() && s.listenerPath.empty())
    r.Add("linux.seccomp.listenerMetadata", "must not be set without listenerPath");
  bool notify = s.defaultAction == "SCMP_ACT_NOTIFY";
  for (size_t i = 0; i < s.syscalls.size(); ++i) {
    const SeccompSyscall& sc = s.syscalls[i];
    std::string at = At("linux.seccomp.syscalls", i);
    if (sc.names.empty()) r.Add(at + ".names", "must contain at least one name");
    for (size_t k = 0; k < sc.names.size(); ++k)
      if (sc.names[k].empty()) r.Add(At(at + ".names", k), "must not be empty");
    CheckName(r, at + ".action", kSeccompActionSet, sc.action);
    notify = notify || sc.action == "SCMP_ACT_NOTIFY";
    if (sc.errnoRet && !takes_errno(sc.action))
      r.Add(at + ".errnoRet", "only valid with SCMP_ACT_ERRNO or SCMP_ACT_TRACE");
    for (size_t k = 0; k < sc.args.size(); ++k) {
      std::string arg_at = At(at + ".args", k);
      if (sc.args[k].index >= 6) r.Add(arg_at + ".index", "must be less than 6");
      CheckName(r, arg_at + ".op", kSeccompOperatorSet, sc.args[k].op);
    }
  }
  if (notify && s.listenerPath.empty())
    r.Add("linux.seccomp.listenerPath", "required when SCMP_ACT_NOTIFY is used");
}

}  // namespace

void CheckLinux(Report& r, const Config& c) {
  bool has_uts = c.linux_ && c.linux_->HasNamespace(NamespaceType::uts);
  if (!c.hostname.empty() && !has_uts) r.Add("hostname", "requires a uts namespace");
  if (!c.domainname.empty() && !has_uts) r.Add("domainname", "requires a uts namespace");
  if (!c.linux_) return;
  const Linux& l = *c.linux_;
  CheckNamespaces(r, l);
  CheckDevices(r, l);

  if (!l.netDevices.empty() && !l.HasNamespace(NamespaceType::network))
    r.Add("linux.netDevices", "requires a network namespace");
  std::set<std::string> net_names;
  for (const auto& [host_name, dev] : l.netDevices) {
    std::string at = json::MemberPath("linux.netDevices", host_name);
    if (!IsInterfaceName(host_name)) r.Add(at, "invalid interface name");
    if (!dev.name.empty() && !IsInterfaceName(dev.name)) r.Add(at + ".name", "invalid interface name");
    const std::string& target = dev.name.empty() ? host_name : dev.name;
    if (!net_names.insert(target).second)
      r.Add(at, "duplicate interface name \"" + target + "\" in the container");
  }

  if (HasDotDotComponent(l.cgroupsPath)) r.Add("linux.cgroupsPath", "must not contain \"..\"");
  if (l.resources) CheckResources(r, "linux.resources", *l.resources);
  if (l.intelRdt) {
    for (size_t i = 0; i < l.intelRdt->schemata.size(); ++i)
      if (l.intelRdt->schemata[i].find('\n') != std::string::npos)
        r.Add(At("linux.intelRdt.schemata", i), "must not contain newlines");
    // config-linux.md: "/" is the special case meaning the root group.
    const std::string& clos = l.intelRdt->closID;
    if (clos != "/" && (clos.find('/') != std::string::npos || clos == ".." || clos == "."))
      r.Add("linux.intelRdt.closID", "must be \"/\" or a single directory name");
  }
  for (const auto& [key, value] : l.sysctl) {
    if (key.empty())
      r.Add("linux.sysctl", "empty key");
    else if (HasDotDotComponent(key) || key.find("..") != std::string::npos || key.front() == '.' ||
             key.back() == '.' || key.front() == '/')
      r.Add(json::MemberPath("linux.sysctl", key), "invalid sysctl name");
  }
  if (l.seccomp) CheckSeccomp(r, *l.seccomp);
  if (!l.rootfsPropagation.empty())
    CheckName(r, "linux.rootfsPropagation", kRootfsPropagationSet, l.rootfsPropagation);
  for (size_t i = 0; i < l.maskedPaths.size(); ++i)
    if (!IsAbsolute(l.maskedPaths[i])) r.Add(At("linux.maskedPaths", i), "must be an absolute path");
  for (size_t i = 0; i < l.readonlyPaths.size(); ++i)
    if (!IsAbsolute(l.readonlyPaths[i])) r.Add(At("linux.readonlyPaths", i), "must be an absolute path");
  if (l.personality) {
    CheckName(r, "linux.personality.domain", kPersonalityDomainSet, l.personality->domain);
    if (!l.personality->flags.empty()) r.Add("linux.personality.flags", "no personality flags are supported");
  }
  if (l.memoryPolicy) {
    const MemoryPolicy& m = *l.memoryPolicy;
    CheckName(r, "linux.memoryPolicy.mode", kMemoryPolicyModeSet, m.mode);
    for (size_t i = 0; i < m.flags.size(); ++i)
      CheckName(r, At("linux.memoryPolicy.flags", i), kMemoryPolicyFlagSet, m.flags[i]);
    bool no_nodes = m.mode == "MPOL_DEFAULT" || m.mode == "MPOL_LOCAL";
    if (no_nodes && !m.nodes.empty()) r.Add("linux.memoryPolicy.nodes", "must be empty for " + m.mode);
    bool needs_nodes = m.mode == "MPOL_BIND" || m.mode == "MPOL_INTERLEAVE" ||
                       m.mode == "MPOL_WEIGHTED_INTERLEAVE" || m.mode == "MPOL_PREFERRED_MANY";
    if (needs_nodes && m.nodes.empty()) r.Add("linux.memoryPolicy.nodes", "required for " + m.mode);
    if (!m.nodes.empty() && !IsCpuList(m.nodes))
      r.Add("linux.memoryPolicy.nodes", "must be a node list like \"0-3,7\"");
  }
}

}  // namespace berth::spec::validate
