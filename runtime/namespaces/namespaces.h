// Linux namespaces for the container init: which to create at clone(), which
// to join by path, which to unshare late, id mappings, host and domain name.
//
// Parent-side: CloneFlags, WriteIdMappings. Child-side: everything else.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::ns {

// CLONE_NEW* bit of a namespace type.
uint64_t CloneFlagOf(spec::NamespaceType type);

// The CLONE_NEW* flags for namespaces the config asks to CREATE (no path),
// excluding cgroup and time: those are unshared by the child later (cgroup
// after the child is placed in its cgroup, time so offsets can be written
// before the namespace is used).
uint64_t CloneFlags(const spec::Linux& linux_config);

// True when the namespaces cannot all be set up by clone3(flags) + setns:
// a pid namespace joined by path (setns moves only later children into it),
// a user namespace joined by path while others are created (they must be
// owned by it), or a new user namespace while others are joined (setns needs
// privilege over them that the new user namespace lacks). The init is then
// entered in stages: join, unshare, fork (see container/sync.h).
bool NeedsStagedEntry(const spec::Linux& linux_config);

// Child side: setns() into every namespace given by path, the user namespace
// first (so the rest are joined with its privileges). After joining a user
// namespace the process becomes uid/gid 0 in it. Errors name the type and path.
Status JoinNamespaces(const spec::Linux& linux_config);

// The text of a /proc/PID/{uid,gid}_map file: "containerID hostID size\n"...
std::string FormatIdMap(const std::vector<spec::IdMapping>& mappings);

// True when /proc/PID/setgroups must be set to "deny" before writing gid_map:
// an unprivileged writer (no CAP_SETGID in the parent user namespace) may map
// only its own gid, and only after denying setgroups.
bool SetgroupsDenyRequired(bool writer_has_cap_setgid);

// Parent side: linux.uidMappings/gidMappings given with a user namespace
// joined by path must be the ones it has (engines repeat them; runc checks
// too). Checked when the path is /proc/PID/ns/user, whose maps are in
// /proc/PID; other paths (bind-mounted nsfs files) are taken as given.
// `proc` is the procfs root, a parameter for tests.
Status CheckJoinedUserNamespaceMaps(const spec::Linux& linux_config, const std::string& proc = "/proc");

// Equal id maps, whatever the column spacing (the kernel pads them).
bool SameIdMap(std::string_view a, std::string_view b);

// Parent side: writes /proc/PID/uid_map, setgroups (only when required) and
// gid_map for a child in a new user namespace. A no-op without new user ns.
Status WriteIdMappings(pid_t child, const spec::Linux& linux_config);

// The text written to /proc/self/timens_offsets for linux.timeOffsets:
// "monotonic SECS NANOSECS\n" / "boottime ...". Error for an unknown clock.
Result<std::string> FormatTimeOffsets(const std::map<std::string, spec::TimeOffset>& offsets);

// Child side: unshare(CLONE_NEWCGROUP) when the config asks for a new cgroup
// namespace, and unshare(CLONE_NEWTIME) for a new time namespace, writing
// /proc/self/timens_offsets first (it takes effect for children / at execve).
// Offsets without a new time namespace are an error.
Status UnshareLateNamespaces(const spec::Linux& linux_config);

// Child side: sethostname/setdomainname. Setting either without a new uts
// namespace is an error (it would change the host's), as runc does.
Status SetHostAndDomainName(const spec::Config& config);

}  // namespace berth::ns
