// `berth exec`, with runc's flags.
#include <string>

#include "runtime/base/files.h"
#include "runtime/cli/cmd_exec.h"
#include "runtime/container/state_dir.h"
#include "runtime/exec/exec.h"
#include "spec/input_file.h"

namespace berth::cli {
namespace {

std::vector<FlagSpec> ExecFlags() {
  return {
      {{"console-socket"},
       true,
       "path to an AF_UNIX socket which will receive a file descriptor referencing the master end of the console's pseudoterminal"},
      {{"cwd"}, true, "current working directory in the container"},
      {{"env", "e"}, true, "set environment variables"},
      {{"tty", "t"}, false, "allocate a pseudo-TTY"},
      {{"user", "u"}, true, "UID (format: <uid>[:<gid>])"},
      {{"additional-gids", "g"}, true, "additional gids"},
      {{"process", "p"}, true, "path to the process.json"},
      {{"detach", "d"}, false, "detach from the container's process"},
      {{"pid-file"}, true, "specify the file to write the process id to"},
      {{"process-label"}, true, "set the asm process label for the process commonly used with selinux"},
      {{"apparmor"}, true, "set the apparmor profile for the process"},
      {{"no-new-privs"}, false, "set the no new privileges value for the process"},
      {{"cap", "c"}, true, "add a capability to the bounding set for the process"},
      {{"ignore-paused"}, false, "allow exec in a paused container"},
      {{"preserve-fds"},
       true,
       "Pass N additional file descriptors to the container (stdio + $LISTEN_FDS + N in total)",
       "0"},
  };
}

Result<uint32_t> ParseId(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 10 || text.find_first_not_of("0123456789") != std::string::npos)
    return Error(EINVAL, "invalid " + what + " \"" + text + "\"");
  unsigned long value = std::stoul(text);
  if (value > 0xFFFFFFFEul) return Error(EINVAL, "invalid " + what + " \"" + text + "\"");
  return static_cast<uint32_t>(value);
}

}  // namespace

Result<exec::ExecOptions> ExecOptionsFrom(const ParsedFlags& flags) {
  exec::ExecOptions o;
  o.id = flags.positional.at(0);
  o.args.assign(flags.positional.begin() + 1, flags.positional.end());
  if (flags.Has("process")) {
    std::string path = flags.Get("process");
    o.process = BERTH_TRY(exec::ParseProcessJson(BERTH_TRY(spec::ReadInputFile(path))));
  } else if (o.args.empty()) {
    return Error(EINVAL, "exec: no command given (ID COMMAND [ARGS...] or --process)");
  }
  if (flags.Has("tty")) o.tty = flags.Bool("tty");
  o.cwd = flags.Get("cwd");
  o.env = flags.GetAll("env");
  if (flags.Has("user")) {
    std::string user = flags.Get("user");
    size_t colon = user.find(':');
    o.uid = BERTH_TRY(ParseId(user.substr(0, colon), "uid"));
    if (colon != std::string::npos) o.gid = BERTH_TRY(ParseId(user.substr(colon + 1), "gid"));
  }
  for (const auto& g : flags.GetAll("additional-gids"))
    o.additional_gids.push_back(BERTH_TRY(ParseId(g, "additional gid")));
  o.caps = flags.GetAll("cap");
  o.no_new_privs = flags.Bool("no-new-privs");
  o.apparmor = flags.Get("apparmor");
  o.process_label = flags.Get("process-label");
  o.detach = flags.Bool("detach");
  o.pid_file = flags.Get("pid-file");
  o.console_socket = flags.Get("console-socket");
  o.ignore_paused = flags.Bool("ignore-paused");
  o.preserve_fds = BERTH_TRY(flags.Int("preserve-fds", 0));
  if (o.preserve_fds < 0) return Error(EINVAL, "--preserve-fds must not be negative");
  return o;
}

Result<int> RunExec(const GlobalOptions& global, const ParsedFlags& flags) {
  exec::ExecOptions options = BERTH_TRY(ExecOptionsFrom(flags));
  return exec::Exec(global.runtime, options);
}

Command ExecCommand() {
  return {"exec",
          "execute new process inside the container",
          "<container-id> <command> [command options]  || -p process.json <container-id>",
          ExecFlags(),
          RunExec,
          1,
          -1,
          Positional::kStopAtFirst};
}

}  // namespace berth::cli
