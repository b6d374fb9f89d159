#include "spec/config.h"

#include <array>
#include <utility>

namespace berth::spec {
namespace {
constexpr std::array<std::pair<NamespaceType, std::string_view>, 8> kNamespaceNames = {{
    {NamespaceType::pid, "pid"},
    {NamespaceType::network, "network"},
    {NamespaceType::mount, "mount"},
    {NamespaceType::ipc, "ipc"},
    {NamespaceType::uts, "uts"},
    {NamespaceType::user, "user"},
    {NamespaceType::cgroup, "cgroup"},
    {NamespaceType::time, "time"},
}};
}  // namespace

std::optional<NamespaceType> NamespaceTypeFromName(std::string_view name) {
  for (const auto& [type, type_name] : kNamespaceNames)
    if (type_name == name) return type;
  return std::nullopt;
}

std::string_view NamespaceTypeName(NamespaceType type) {
  for (const auto& [t, type_name] : kNamespaceNames)
    if (t == type) return type_name;
  return "?";
}

}  // namespace berth::spec
