// The benchmark's bundles: a tiny rootfs holding the static payloads, and
// config.json files derived from a runtime's `spec` template.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/base/files.h"
#include "spec/json.h"

namespace berth::bench {

namespace json = spec::json;

// Makes `dir` a rootfs (testing/busybox_rootfs.h, without busybox): the
// mount points the default config uses and /bin/true and /bin/pause copied
// from the given static binaries, and /bin/spawn (the curves' payload) when
// static_spawn is not empty.
Status BuildBenchRootfs(const std::string& dir, const std::string& static_true,
                        const std::string& static_pause, const std::string& static_spawn = "");

// Turns a `spec` template into the benchmark's config: no terminal, the
// given args, root.path set to `rootfs` (absolute), and ociVersion replaced
// by `oci_version` unless that is empty (crun 1.8.1 rejects "1.3.0").
// Everything else (mounts, namespaces, capabilities, masked paths) stays as
// the template has it.
Status AdaptTemplate(json::Value& config, const std::string& rootfs, const std::vector<std::string>& args,
                     const std::string& oci_version = "");

// The CLONE_NEW* flags for the namespaces a config creates (entries with a
// path are joined, not created, and are left out).
Result<uint64_t> NamespaceCloneFlags(const json::Value& config);

// Files (reading is base::ReadFileText).
Status WriteFile(const std::string& path, const std::string& contents);
// rm -rf without following symlinks; ok when `path` does not exist.
Status RemoveTree(const std::string& path);

}  // namespace berth::bench
