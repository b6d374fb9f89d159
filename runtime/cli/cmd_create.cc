// `berth create` and `berth run`: flags into options, then the library.
#include "runtime/cli/commands.h"
#include "runtime/container/run.h"

namespace berth::cli {
namespace {

std::vector<FlagSpec> CreateFlags() {
  return {
      {{"bundle", "b"}, true, "path to the root of the bundle directory, defaults to the current directory"},
      {{"console-socket"},
       true,
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
      {{"pid-file"}, true, "specify the file to write the process id to"},
      {{"no-pivot"},
       false,
       "do not use pivot root to jail process inside rootfs.  This should be used whenever the rootfs is on top of a ramdisk"},
      {{"no-new-keyring"},
       false,
       "do not create a new session keyring for the container.  This will cause the container to inherit the calling processes session key"},
      {{"preserve-fds"},
       true,
       "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
       "0"},
  };
}

Result<container::CreateOptions> CreateOptionsFrom(const ParsedFlags& flags) {
  container::CreateOptions options;
  options.id = flags.positional.at(0);
  options.bundle = flags.Get("bundle");
  options.console_socket = flags.Get("console-socket");
  options.pid_file = flags.Get("pid-file");
  options.no_pivot = flags.Bool("no-pivot");
  options.no_new_keyring = flags.Bool("no-new-keyring");
  options.preserve_fds = BERTH_TRY(flags.Int("preserve-fds", 0));
  if (options.preserve_fds < 0) return Error(EINVAL, "--preserve-fds must not be negative");
  return options;
}

Result<int> RunCreate(const GlobalOptions& global, const ParsedFlags& flags) {
  container::CreateOptions options = BERTH_TRY(CreateOptionsFrom(flags));
  BERTH_TRY(container::Create(global.runtime, options));
  return 0;
}

Result<int> RunRun(const GlobalOptions& global, const ParsedFlags& flags) {
  container::RunOptions options;
  options.create = BERTH_TRY(CreateOptionsFrom(flags));
  options.detach = flags.Bool("detach");
  options.keep = flags.Bool("keep");
  return container::Run(global.runtime, options);
}

}  // namespace

Command CreateCommand() {
  return {"create", "create a container", "<container-id>", CreateFlags(), RunCreate, 1, 1};
}

Command RunCommand() {
  std::vector<FlagSpec> flags = CreateFlags();
  flags.push_back({{"detach", "d"}, false, "detach from the container's process"});
  flags.push_back({{"keep"}, false, "do not delete the container after it exits"});
  return {"run", "create and run a container", "<container-id>", flags, RunRun, 1, 1};
}

}  // namespace berth::cli
