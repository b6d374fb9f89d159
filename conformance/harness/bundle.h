// Test bundles: a busybox-static root filesystem with the probe, and a
// config.json built like runc's `spec` template but running the probe.
#pragma once

#include <string>

#include "runtime/base/error.h"
#include "spec/json.h"

namespace berth::conformance {

namespace json = spec::json;

// Builds the shared template rootfs once per run (testing/busybox_rootfs.h:
// bin/busybox with one symlink per applet, the usual mount points and an
// /etc) plus /probe and /etc/hostname.
Status BuildTemplateRootfs(const std::string& dir, const std::string& busybox, const std::string& probe);

// Copies the template into dest: directories re-created, symlinks re-made,
// busybox hard-linked (it is only ever executed), everything else copied.
Status CopyRootfs(const std::string& template_dir, const std::string& dest);

// The default config: args ["/probe"], no terminal, uid 0, default
// capabilities, RLIMIT_NOFILE 1024, noNewPrivileges, readonly root, the
// standard mounts, new pid/network/ipc/uts/mount namespaces, masked and
// readonly paths, cgroupsPath /conformance/<id>.
json::Value DefaultConfig(const std::string& container_id);

struct Bundle {
  std::string dir;     // absolute bundle directory
  std::string rootfs;  // dir + "/rootfs"
  std::string id;      // the container id this bundle was made for
  json::Value config;

  Status Write() const;  // writes config.json
  // Helpers for the common edits.
  void SetArgs(const std::vector<std::string>& args);
  json::Value& Process() { return config["process"]; }
  json::Value& Linux() { return config["linux"]; }
  void RemoveNamespace(const std::string& type);
  void AddNamespace(const std::string& type, const std::string& path = "");
  void AddMount(const std::string& destination, const std::string& type, const std::string& source,
                const std::vector<std::string>& options);
};

}  // namespace berth::conformance
