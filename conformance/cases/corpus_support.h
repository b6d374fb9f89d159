// Support for the cases made from files: engines' captured configs
// (fixtures/engines/*.json, placeholders from tools/capture-configs) and
// seccomp profiles (fixtures/seccomp/*.json, in OCI linux.seccomp form or in
// the engines' own form with archMap and includes/excludes).
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;

// "*.json" files of a directory, sorted; empty when it does not exist.
std::vector<std::string> JsonFilesIn(const std::string& dir);
// "docker-default" for ".../docker-default.json".
std::string FixtureName(const std::string& path);
Result<json::Value> LoadJson(const std::string& path);

// Processes that hold fresh namespaces for configs that join one by path
// (@NS:TYPE@); killed and reaped on destruction.
class NamespaceHolders {
 public:
  NamespaceHolders() = default;
  ~NamespaceHolders();
  NamespaceHolders(const NamespaceHolders&) = delete;
  NamespaceHolders& operator=(const NamespaceHolders&) = delete;
  // /proc/PID/ns/<kind> of a holder of a new namespace of this OCI type.
  Result<std::string> PathFor(const std::string& oci_type);

 private:
  std::vector<pid_t> pids_;
};

// The /proc/self/ns name of an OCI namespace type ("network" -> "net").
std::string NsKind(const std::string& oci_type);
// The harness's own namespace inode of that kind (the runtime namespace).
int64_t HostNamespaceInode(const std::string& kind);

struct PreparedFixture {
  std::vector<std::string> notes;  // what the runner changed, for the report
  std::string skip;                // non-empty: this host cannot run it
};

// Turns a captured config into the bundle's config: placeholders
// substituted, @PROBE@ replaced by probe_args, engine files and directories
// made beneath the bundle, rlimits above this process's hard limits lowered
// (noted), a terminal turned off (noted).
PreparedFixture PrepareFixture(const json::Value& captured, const std::vector<std::string>& probe_args,
                               Bundle& b, NamespaceHolders& holders);

// Gives the root filesystem (and the engine files) to a user namespace's
// root, as an engine does; busybox (a hard link to the template) is copied.
Status ShiftRootfsOwner(const Bundle& b, uid_t uid, gid_t gid);

// --- seccomp ---------------------------------------------------------------

// A profile in the OCI form. Engine-form profiles (archMap, includes,
// excludes) are resolved for x86_64 and the given capabilities.
json::Value SeccompToOci(const json::Value& profile, const std::vector<std::string>& capabilities);

// The syscalls the probe's "syscall:NAME" actions make, and what each
// returns when allowed (errno 0 = succeeds).
struct ProbeSyscall {
  const char* probe_name;
  std::vector<std::string> kernel_names;  // any of these may be used by libc
  int allowed_errno;                      // -1: depends on privileges, not judged
};
const std::vector<ProbeSyscall>& ProbeSyscalls();

// What the profile does to a syscall: the action and errno of the rule that
// names it without argument conditions, or the default. nullopt when a rule
// with argument conditions names it (the outcome depends on arguments).
struct SeccompVerdict {
  std::string action;
  int errno_ret = EPERM;
};
std::optional<SeccompVerdict> SeccompVerdictFor(const json::Value& oci_profile, const std::string& syscall);
// Same verdict for every kernel name of a probe syscall, or nullopt.
std::optional<SeccompVerdict> SeccompVerdictFor(const json::Value& oci_profile, const ProbeSyscall& probe);
// Whether any rule names the syscall.
bool SeccompMentions(const json::Value& oci_profile, const std::string& syscall);

// The syscalls the probe itself makes (not the runtime's), for profiles that
// deny by default: added as an ALLOW rule for those the profile does not
// mention, so that the probe can report.
const std::vector<std::string>& ProbeNeededSyscalls();

}  // namespace berth::conformance
