// Which namespaces clone() creates.
#include <sched.h>

#include "runtime/namespaces/namespaces.h"

namespace berth::ns {

uint64_t CloneFlagOf(spec::NamespaceType type) {
  switch (type) {
    case spec::NamespaceType::pid: return CLONE_NEWPID;
    case spec::NamespaceType::network: return CLONE_NEWNET;
    case spec::NamespaceType::mount: return CLONE_NEWNS;
    case spec::NamespaceType::ipc: return CLONE_NEWIPC;
    case spec::NamespaceType::uts: return CLONE_NEWUTS;
    case spec::NamespaceType::user: return CLONE_NEWUSER;
    case spec::NamespaceType::cgroup: return CLONE_NEWCGROUP;
    case spec::NamespaceType::time: return CLONE_NEWTIME;
  }
  return 0;
}

uint64_t CloneFlags(const spec::Linux& linux_config) {
  uint64_t flags = 0;
  for (const auto& ns : linux_config.namespaces) {
    if (!ns.path.empty()) continue;  // joined, not created
    if (ns.type == spec::NamespaceType::cgroup || ns.type == spec::NamespaceType::time)
      continue;  // unshared late by the child
    flags |= CloneFlagOf(ns.type);
  }
  return flags;
}

bool NeedsStagedEntry(const spec::Linux& linux_config) {
  bool joins_any = false, joins_user = false, joins_pid = false;
  for (const auto& ns : linux_config.namespaces) {
    if (ns.path.empty()) continue;
    joins_any = true;
    joins_user |= ns.type == spec::NamespaceType::user;
    joins_pid |= ns.type == spec::NamespaceType::pid;
  }
  const uint64_t created = CloneFlags(linux_config);
  if (joins_pid) return true;
  if (joins_user && created != 0) return true;
  return joins_any && (created & CLONE_NEWUSER) != 0;
}

}  // namespace berth::ns
