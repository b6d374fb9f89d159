// features.md (the `features` command) and config.md's general rules:
// unknown properties and annotations ignored, invalid values rejected.
#include <cstdlib>
#include <functional>
#include <set>

#include "conformance/cases/common.h"
#include "conformance/harness/schema.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

// Compares "1.0.2" style versions (pre-release suffixes ignored).
int CompareSemver(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& v) {
    std::vector<long> out;
    size_t i = 0;
    while (i < v.size() && out.size() < 3) {
      out.push_back(std::strtol(v.c_str() + i, nullptr, 10));
      size_t dot = v.find('.', i);
      if (dot == std::string::npos) break;
      i = dot + 1;
    }
    out.resize(3, 0);
    return out;
  };
  auto pa = parts(a), pb = parts(b);
  for (int i = 0; i < 3; ++i)
    if (pa[i] != pb[i]) return pa[i] < pb[i] ? -1 : 1;
  return 0;
}

std::optional<json::Value> Features(CaseContext& c) {
  CommandResult r = c.runtime().Run({"features"});
  if (!r.ok()) {
    c.Abort("`features` failed: " + r.Describe());
    return std::nullopt;
  }
  auto j = json::Parse(r.out);
  if (!j) {
    c.Abort("`features` output is not JSON: " + j.error().ToString());
    return std::nullopt;
  }
  return *j;
}

// The Linux option strings of config.md's table.
const std::set<std::string>& KnownMountOptions() {
  static const std::set<std::string> known = {"async",        "atime",       "bind",           "defaults",
                                              "dev",          "diratime",    "dirsync",        "exec",
                                              "iversion",     "lazytime",    "loud",           "noatime",
                                              "nodev",        "nodiratime",  "noexec",         "noiversion",
                                              "nolazytime",   "norelatime",  "nostrictatime",  "nosuid",
                                              "nosymfollow",  "private",     "ratime",         "rbind",
                                              "rdev",         "rdiratime",   "relatime",       "remount",
                                              "rexec",        "rnoatime",    "rnodev",         "rnodiratime",
                                              "rnoexec",      "rnorelatime", "rnostrictatime", "rnosuid",
                                              "rnosymfollow", "ro",          "rprivate",       "rrelatime",
                                              "rro",          "rrw",         "rshared",        "rslave",
                                              "rstrictatime", "rsuid",       "rsymfollow",     "runbindable",
                                              "rw",           "shared",      "silent",         "slave",
                                              "strictatime",  "suid",        "symfollow",      "sync",
                                              "unbindable",   "idmap",       "ridmap",         "tmpcopyup",
                                              "mand",         "nomand"};
  return known;
}

}  // namespace

CONFORMANCE_CASE(features_document_valid, "features.md#specification-version-3",
                 "features.md#specification-version-4", "features.md#annotations-1",
                 "features.md#features-structure-1", "features.md#mount-options-2") {
  auto f = Features(c);
  if (!f) return;
  std::string min = (*f)["ociVersionMin"].as_string(), max = (*f)["ociVersionMax"].as_string();
  c.Expect("features.md#specification-version-3",
           !min.empty() && !max.empty() && CompareSemver(max, min) >= 0,
           "ociVersionMin " + Quote(min) + ", ociVersionMax " + Quote(max));
  SchemaChecker schema(c.env().spec_dir + "/schema");
  auto errors = schema.Check(*f, "features-schema.json");
  std::string unknown;
  static const std::set<std::string> top = {"ociVersionMin",
                                            "ociVersionMax",
                                            "hooks",
                                            "mountOptions",
                                            "linux",
                                            "annotations",
                                            "potentiallyUnsafeConfigAnnotations"};
  for (const auto& [k, v] : f->members)
    if (!top.count(k)) unknown += k + " ";
  c.Expect("features.md#specification-version-4", errors.empty() && unknown.empty(),
           (errors.empty() ? "" : errors[0] + "; ") +
               (unknown.empty() ? "" : "properties not in the spec: " + unknown));
  const json::Value* ann = f->Find("annotations");
  bool strings = true;
  if (ann)
    for (const auto& [k, v] : ann->members) strings &= !k.empty() && v.is_string();
  c.Expect("features.md#annotations-1", !ann || (ann->is_object() && strings),
           "annotations is not a map of strings: " + (ann ? ann->Dump() : ""));
  // Determined at build time: two calls agree.
  CommandResult again = c.runtime().Run({"features"});
  c.Expect("features.md#features-structure-1",
           again.ok() && json::Parse(again.out).ok() && json::Parse(again.out)->Dump() == f->Dump(),
           "two `features` calls returned different documents");
  std::string data_options;
  for (const auto& o : StringList(f->Find("mountOptions")))
    if (o.find('=') != std::string::npos || !KnownMountOptions().count(o)) data_options += o + " ";
  c.Expect("features.md#mount-options-2", data_options.empty(),
           "filesystem-specific options listed: " + data_options);
}

CONFORMANCE_CASE(features_versions_accepted, "features.md#specification-version-1",
                 "features.md#specification-version-2") {
  auto f = Features(c);
  if (!f) return;
  for (auto [key, id] : {std::pair{"ociVersionMin", "features.md#specification-version-1"},
                         std::pair{"ociVersionMax", "features.md#specification-version-2"}}) {
    std::string version = (*f)[key].as_string();
    if (version.empty()) {
      c.Fail(id, std::string(key) + " missing from features");
      continue;
    }
    auto b = NewBundleOrAbort(c);
    if (!b) return;
    b->config["ociVersion"] = version;
    auto run = RunProbe(c, *b);
    c.Expect(id, run.ok(),
             "config with ociVersion " + version + " (" + key + "): " + (run ? "" : run.error().ToString()));
  }
}

CONFORMANCE_CASE(features_hooks_supported, "features.md#hooks-1") {
  auto f = Features(c);
  if (!f) return;
  auto hooks = StringList(f->Find("hooks"));
  if (hooks.empty()) return c.Skip("features.md#hooks-1", "the runtime lists no hooks");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string unknown;
  for (const auto& phase : hooks) {
    static const std::set<std::string> phases = {"prestart",       "createRuntime", "createContainer",
                                                 "startContainer", "poststart",     "poststop"};
    if (!phases.count(phase)) {
      unknown += phase + " ";
      continue;
    }
    json::Value h = json::Value::Object();
    h["path"] = phase == "startContainer" ? "/bin/busybox" : c.env().busybox;
    h["args"] = json::Value::Strings({"true"});
    b->config["hooks"][phase].Push(h);
  }
  auto run = RunProbe(c, *b);
  c.Expect("features.md#hooks-1", unknown.empty() && run.ok(),
           (unknown.empty() ? "" : "unknown hook names listed: " + unknown + "; ") +
               (run ? "" : run.error().ToString()));
}

CONFORMANCE_CASE(features_mount_options_recognised, "features.md#mount-options-1") {
  auto f = Features(c);
  if (!f) return;
  std::vector<std::string> options;
  for (const auto& o : StringList(f->Find("mountOptions")))
    if (o != "remount" && o != "idmap" && o != "ridmap" && o != "bind" && o != "rbind" && o != "tmpcopyup")
      options.push_back(o);
  auto add = [&](Bundle& b, const std::string& o, int i) {
    std::string dest = "/f/o" + std::to_string(i);
    mkdir((b.rootfs + "/f").c_str(), 0755);
    mkdir((b.rootfs + dest).c_str(), 0755);
    b.AddMount(dest, "tmpfs", "tmpfs", {o});
  };
  // Bisect: a group that runs clears all its options; a failing group is
  // split until the rejected options are singled out.
  std::string rejected;
  std::function<bool(size_t, size_t)> probe = [&](size_t lo, size_t hi) -> bool {
    auto b = NewBundleOrAbort(c);
    if (!b) return false;
    for (size_t i = lo; i < hi; ++i) add(*b, options[i], static_cast<int>(i));
    if (RunProbe(c, *b).ok()) return true;
    if (hi - lo == 1) {
      rejected += options[lo] + " ";
      return true;
    }
    size_t mid = (lo + hi) / 2;
    return probe(lo, mid) && probe(mid, hi);
  };
  if (!probe(0, options.size())) return;
  c.Expect("features.md#mount-options-1", rejected.empty(),
           "listed in features but rejected on a tmpfs: " + rejected);
}

CONFORMANCE_CASE(unknown_properties_and_annotations_ignored, "config.md#extensibility-1",
                 "config.md#annotations-15") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->config["futureTopLevel"]["nested"] = json::Value::Array({json::Value(1), json::Value("two")});
  b->Linux()["futureLinuxField"] = true;
  b->config["root"]["futureRootField"] = "x";
  b->config["annotations"]["org.example.unknown-to-any-runtime"] = "value";
  b->config["annotations"]["com.example.other"] = "";
  auto run = RunProbe(c, *b);
  c.Expect("config.md#extensibility-1", run.ok(),
           "unknown properties were not ignored: " + (run ? "" : run.error().ToString()));
  c.Expect("config.md#annotations-15", run.ok(),
           "unknown annotation keys were not ignored: " + (run ? "" : run.error().ToString()));
}

CONFORMANCE_CASE(invalid_values_rejected, "config.md#valid-values-1", "runtime.md#create-6") {
  struct Bad {
    const char* what;
    std::function<void(Bundle&)> edit;
  };
  std::vector<Bad> bad = {
      {"namespace type \"bogus\"", [](Bundle& b) { b.AddNamespace("bogus"); }},
      {"rootfsPropagation \"sideways\"", [](Bundle& b) { b.Linux()["rootfsPropagation"] = "sideways"; }},
      {"seccomp defaultAction SCMP_ACT_BOGUS",
       [](Bundle& b) { b.Linux()["seccomp"]["defaultAction"] = "SCMP_ACT_BOGUS"; }},
      {"device type \"x\"",
       [](Bundle& b) {
         json::Value d = json::Value::Object();
         d["path"] = "/dev/bogus";
         d["type"] = "x";
         d["major"] = 1;
         d["minor"] = 3;
         b.Linux()["devices"] = json::Value::Array({d});
       }},
  };
  for (const auto& item : bad) {
    auto b = NewBundleOrAbort(c);
    if (!b) return;
    item.edit(*b);
    Container ct(c, *b);
    CommandResult r = ct.Create();
    c.Expect("config.md#valid-values-1", !r.ok(), std::string("accepted invalid ") + item.what);
    c.Expect("runtime.md#create-6", !r.ok() && ct.Status().empty(),
             std::string("a container exists after create with invalid ") + item.what);
  }
}

}  // namespace berth::conformance
