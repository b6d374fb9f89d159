// Child side: joining existing namespaces by path.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "runtime/namespaces/namespaces.h"

namespace berth::ns {
namespace {

struct OpenedNamespace {
  spec::NamespaceType type;
  std::string path;
  int fd;
};

void CloseAll(std::vector<OpenedNamespace>& opened) {
  for (auto& o : opened)
    if (o.fd >= 0) close(o.fd);
  opened.clear();
}

std::string Describe(const OpenedNamespace& o) {
  return "join " + std::string(spec::NamespaceTypeName(o.type)) + " namespace " + o.path;
}

}  // namespace

Status JoinNamespaces(const spec::Linux& linux_config) {
  // Open every path first: joining the mount namespace changes how the later
  // paths would resolve. The user namespace goes first so the others are
  // joined with the privileges it grants; mount goes last.
  std::vector<OpenedNamespace> opened;
  auto add = [&](const spec::Namespace& ns) -> Status {
    int fd = open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return Error::Sys("open " + std::string(spec::NamespaceTypeName(ns.type)) + " namespace " + ns.path);
    }
    opened.push_back({ns.type, ns.path, fd});
    return Ok();
  };
  auto rank = [](spec::NamespaceType t) {
    if (t == spec::NamespaceType::user) return 0;
    if (t == spec::NamespaceType::mount) return 2;
    return 1;
  };
  for (int r = 0; r <= 2; ++r) {
    for (const auto& ns : linux_config.namespaces) {
      if (ns.path.empty() || rank(ns.type) != r) continue;
      Status s = add(ns);
      if (!s) {
        CloseAll(opened);
        return s;
      }
    }
  }
  for (auto& o : opened) {
    if (setns(o.fd, static_cast<int>(CloneFlagOf(o.type))) != 0) {
      Error e = errno == EINVAL
                    ? Error(EINVAL, Describe(o) + ": not a " + std::string(spec::NamespaceTypeName(o.type)) +
                                        " namespace (or not permitted)")
                    : Error::Sys(Describe(o));
      CloseAll(opened);
      return e;
    }
    if (o.type == spec::NamespaceType::user) {
      // Become root of the joined namespace so the remaining setns() calls and
      // the container set-up run with its full capability set.
      if (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0) {
        Error e = Error::Sys(Describe(o) + ": become uid/gid 0");
        CloseAll(opened);
        return e;
      }
    }
  }
  CloseAll(opened);
  return Ok();
}

}  // namespace berth::ns
