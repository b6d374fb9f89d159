#include "runtime/base/rootless.h"

#include <unistd.h>

#include <sstream>

#include "runtime/base/files.h"

namespace berth::base {

bool UidMapIsUserNamespace(std::string_view uid_map) {
  std::istringstream in{std::string(uid_map)};
  unsigned long long inside = 0, outside = 0, count = 0;
  if (!(in >> inside >> outside >> count)) return false;  // unreadable: the initial namespace
  std::string more;
  if (in >> more) return true;  // several lines: only a user namespace has those
  return !(inside == 0 && outside == 0 && count == 4294967295ULL);
}

bool UidMapMapsHostRoot(std::string_view uid_map) {
  std::istringstream in{std::string(uid_map)};
  unsigned long long inside = 0, outside = 0, count = 0;
  while (in >> inside >> outside >> count)
    if (outside == 0 && count > 0) return true;
  return false;
}

RootlessFacts CurrentRootlessFacts() {
  RootlessFacts facts;
  facts.euid = geteuid();
  if (facts.euid != 0) return facts;  // decided already; no read needed
  auto map = ReadFileText("/proc/self/uid_map");
  if (map.ok()) facts.uid_map = std::move(map).value();
  return facts;
}

bool RootlessByDefault(const RootlessFacts& facts) {
  if (facts.euid != 0) return true;
  return UidMapIsUserNamespace(facts.uid_map);
}

}  // namespace berth::base
