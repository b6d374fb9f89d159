// `berth spec`: writes the hardened default config.json (as `runc spec`).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime/cli/commands.h"
#include "runtime/container/state_dir.h"
#include "spec/config_json.h"
#include "spec/default_config.h"

namespace berth::cli {
namespace {

Result<int> RunSpec(const GlobalOptions&, const ParsedFlags& flags) {
  std::string bundle = flags.Get("bundle");
  std::string path = bundle.empty() ? "config.json" : bundle + "/config.json";
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) return Error(EEXIST, "File " + path + " exists. Remove it first");
  spec::Config config = spec::DefaultConfig(flags.Bool("rootless"));
  BERTH_TRY(container::WriteFileAtomic(path, spec::SerializeConfigPretty(config), 0666 & ~0022));
  return 0;
}

}  // namespace

Command SpecCommand() {
  return {"spec",
          "create a new specification file",
          "",
          {{{"bundle", "b"}, true, "path to the root of the bundle directory"},
           {{"rootless"}, false, "generate a configuration for a rootless container"}},
          RunSpec,
          0,
          0};
}

}  // namespace berth::cli
