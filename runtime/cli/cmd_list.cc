// `berth list`: runc's table (tabwriter, min width 12, padding 3) or JSON.
#include <algorithm>

#include <cstdio>

#include "runtime/cli/commands.h"
#include "runtime/cli/state_output.h"

namespace berth::cli {
namespace {

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(12);
      widths[i] = std::max(widths[i], row[i].size() + 3);
    }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths[i] - row[i].size(), ' ');
    }
    out += "\n";
  }
  return out;
}

Result<int> RunList(const GlobalOptions& global, const ParsedFlags& flags) {
  std::string format = flags.Get("format", "table");
  // Only the JSON format shows the rootfs (read from each config.json).
  std::vector<container::ListEntry> entries =
      BERTH_TRY(container::List(global.runtime, /*rootfs=*/format == "json" && !flags.Bool("quiet")));
  for (const auto& e : entries)
    if (!e.damaged.empty()) container::Warn("container " + e.state.id + " is damaged: " + e.damaged);
  std::string out;
  if (flags.Bool("quiet")) {
    for (const auto& e : entries) out += e.state.id + "\n";
  } else if (format == "table") {
    std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& e : entries) {
      rows.push_back({e.state.id, std::to_string(e.state.pid),
                      e.damaged.empty() ? std::string(spec::ContainerStatusName(e.state.status)) : "damaged",
                      e.state.bundle, Rfc3339Nano(e.created_ns), OwnerName(e.owner)});
    }
    out = Table(rows);
  } else if (format == "json") {
    out = RuncListJson(entries) + "\n";
  } else {
    return Error(EINVAL, "invalid format option");
  }
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

Command ListCommand() {
  return {"list",
          "lists containers started by berth with the given root",
          "",
          {{{"format", "f"}, true, "select one of: table or json", "table"},
           {{"quiet", "q"}, false, "display only container IDs"}},
          RunList,
          0,
          0};
}

}  // namespace berth::cli
