#include "bench/startup/bundle.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "testing/busybox_rootfs.h"

namespace berth::bench {

namespace json = spec::json;

Status WriteFile(const std::string& path, const std::string& contents) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Sys("create " + path);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      Error e = Error::Sys("write " + path);
      close(fd);
      return e;
    }
    done += static_cast<size_t>(n);
  }
  if (close(fd) != 0) return Error::Sys("close " + path);
  return Ok();
}

Status RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec) return Error(ec.value(), "remove " + path);
  return Ok();
}

Status BuildBenchRootfs(const std::string& dir, const std::string& static_true,
                        const std::string& static_pause, const std::string& static_spawn) {
  testing::RootfsLayout layout;
  layout.dirs = {"bin", "proc", "sys", "dev", "tmp", "etc"};
  layout.busybox = "";  // the payloads are static; nothing else runs inside
  layout.etc_files = false;
  layout.files = {{"bin/true", static_true}, {"bin/pause", static_pause}};
  if (!static_spawn.empty()) layout.files.emplace_back("bin/spawn", static_spawn);
  return testing::BuildRootfs(dir, layout);
}

Status AdaptTemplate(json::Value& config, const std::string& rootfs, const std::vector<std::string>& args,
                     const std::string& oci_version) {
  if (config.kind != json::Kind::object) return Error("config: not an object");
  if (!oci_version.empty()) config["ociVersion"] = oci_version;
  json::Value* process = config.Find("process");
  if (!process || process->kind != json::Kind::object) return Error("config: no process object");
  (*process)["terminal"] = false;
  (*process)["args"] = json::Value::Strings(args);
  json::Value* root = config.Find("root");
  if (!root || root->kind != json::Kind::object) return Error("config: no root object");
  (*root)["path"] = rootfs;
  return Ok();
}

Result<uint64_t> NamespaceCloneFlags(const json::Value& config) {
  static const std::map<std::string, uint64_t> kFlags = {
      {"pid", CLONE_NEWPID},  {"network", CLONE_NEWNET}, {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},
      {"mount", CLONE_NEWNS}, {"user", CLONE_NEWUSER},   {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
  };
  const json::Value* linux_ = config.Find("linux");
  const json::Value* namespaces = linux_ ? linux_->Find("namespaces") : nullptr;
  if (!namespaces) return uint64_t{0};
  if (namespaces->kind != json::Kind::array) return Error("linux.namespaces: not an array");
  uint64_t flags = 0;
  for (const auto& ns : namespaces->items) {
    const json::Value* type = ns.Find("type");
    if (!type || type->kind != json::Kind::string) return Error("linux.namespaces: entry without a type");
    auto it = kFlags.find(type->text);
    if (it == kFlags.end()) return Error("linux.namespaces: unknown type " + type->text);
    const json::Value* path = ns.Find("path");
    if (path && path->kind == json::Kind::string && !path->text.empty()) continue;
    flags |= it->second;
  }
  return flags;
}

}  // namespace berth::bench
