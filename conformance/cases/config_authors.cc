// The statements that constrain whoever writes config.json, checked on
// configs that were really written: the runtime's own `spec` output (the
// runtime as a config author: `spec` and `spec --rootless`) and, in the
// generated case, every engine config of the corpus (fixtures/engines/, as
// captured; the annotation tools/capture-configs adds is left out). A rule
// is judged only on configs that use the field it constrains: a rule no
// config exercises records nothing and stays "not checkable" with that
// reason.
#include <cctype>
#include <map>
#include <set>

#include "conformance/cases/corpus_support.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

constexpr const char* kCaptureNote = "org.berth.capture.notes";

struct Verdicts {
  // id -> offending configs ("" = used and satisfied)
  std::map<std::string, std::vector<std::string>> problems;
  void Use(const std::string& id) { problems[id]; }
  void Problem(const std::string& id, const std::string& what) { problems[id].push_back(what); }
};

bool IsSemVer(const std::string& v) {
  // MAJOR.MINOR.PATCH, numbers without leading zeros, optional -pre and +build.
  size_t i = 0;
  for (int part = 0; part < 3; ++part) {
    size_t start = i;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
    if (i == start || (i - start > 1 && v[start] == '0')) return false;
    if (part < 2) {
      if (i >= v.size() || v[i] != '.') return false;
      ++i;
    }
  }
  if (i == v.size()) return true;
  if (v[i] != '-' && v[i] != '+') return false;
  for (++i; i < v.size(); ++i)
    if (!std::isalnum(static_cast<unsigned char>(v[i])) && v[i] != '.' && v[i] != '-' && v[i] != '+')
      return false;
  return true;
}

// "SIGTERM", "SIGRTMIN+3": the image-spec's config.StopSignal format.
bool IsSignalName(const std::string& s) {
  if (s.rfind("SIG", 0) != 0 || s.size() < 4) return false;
  for (size_t i = 3; i < s.size(); ++i)
    if (!std::isupper(static_cast<unsigned char>(s[i])) && !std::isdigit(static_cast<unsigned char>(s[i])) &&
        s[i] != '+' && s[i] != '-')
      return false;
  return true;
}

// Reverse domain notation: at least two dot-separated labels of
// [A-Za-z0-9-], the first (a top-level domain) starting with a letter.
bool IsReverseDomain(const std::string& key) {
  size_t dot = key.find('.');
  if (dot == std::string::npos || dot == 0 || !std::isalpha(static_cast<unsigned char>(key[0]))) return false;
  for (char ch : key.substr(0, dot))
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') return false;
  return key.back() != '.';
}

void CheckConfig(const std::string& name, const json::Value& cfg, bool from_spec_command, Verdicts* v) {
  v->Use("config.md#specification-version-1");
  if (!IsSemVer(cfg["ociVersion"].as_string()))
    v->Problem("config.md#specification-version-1", name + ": ociVersion " + cfg["ociVersion"].Dump());
  if (from_spec_command) {
    // Engines point root.path at their own storage; a template should use
    // the conventional name.
    v->Use("config.md#root-3");
    if (cfg["root"]["path"].as_string() != "rootfs")
      v->Problem("config.md#root-3", name + ": root.path " + cfg["root"]["path"].Dump());
  }
  for (const json::Value& m : cfg["mounts"].items) {
    v->Use("config.md#mounts-2");
    v->Use("config.md#mounts-7");
    const std::string& d = m["destination"].as_string();
    if (d.empty() || d[0] != '/') {
      v->Problem("config.md#mounts-2", name + ": destination " + Quote(d));
      v->Problem("config.md#mounts-7", name + ": destination " + Quote(d));
    }
    bool uid = m.Find("uidMappings") != nullptr, gid = m.Find("gidMappings") != nullptr;
    if (uid) v->Use("config.md#posix-platform-mounts-3");
    if (gid) v->Use("config.md#posix-platform-mounts-6");
    if (uid && !gid)
      v->Problem("config.md#posix-platform-mounts-3", name + ": " + d + " has uidMappings only");
    if (gid && !uid)
      v->Problem("config.md#posix-platform-mounts-6", name + ": " + d + " has gidMappings only");
  }
  const json::Value& lx = cfg["linux"];
  for (auto [key, id] : {std::pair<const char*, const char*>{"maskedPaths", "config-linux.md#masked-paths-1"},
                         {"readonlyPaths", "config-linux.md#readonly-paths-1"}}) {
    for (const json::Value& p : lx[key].items) {
      v->Use(id);
      if (p.as_string().empty() || p.as_string()[0] != '/')
        v->Problem(id, name + ": " + key + " " + p.Dump());
    }
  }
  std::set<std::string> devices;
  for (const json::Value& d : lx["devices"].items) {
    v->Use("config-linux.md#devices-3");
    std::string key = d["type"].as_string() + " " + std::to_string(d["major"].as_int()) + ":" +
                      std::to_string(d["minor"].as_int());
    if (!devices.insert(key).second)
      v->Problem("config-linux.md#devices-3",
                 name + ": " + key + " used twice (" + d["path"].as_string() + ")");
  }
  if (const json::Value* s = lx.Find("seccomp")) {
    for (const json::Value& r : (*s)["syscalls"].items) {
      v->Use("config-linux.md#seccomp-7");
      if (r["names"].size() == 0) v->Problem("config-linux.md#seccomp-7", name + ": a rule without names");
    }
    if (s->Find("listenerMetadata")) {
      v->Use("config-linux.md#seccomp-6");
      if (!s->Find("listenerPath"))
        v->Problem("config-linux.md#seccomp-6", name + ": listenerMetadata without listenerPath");
    }
  }
  for (const json::Value& w : lx["resources"]["blockIO"]["weightDevice"].items) {
    v->Use("config-linux.md#block-io-1");
    if (!w.Find("weight") && !w.Find("leafWeight"))
      v->Problem("config-linux.md#block-io-1", name + ": weightDevice entry without weight or leafWeight");
  }
  const json::Value& cpu = lx["resources"]["cpu"];
  if (cpu.Find("burst") && cpu["quota"].as_int() > 0) {
    v->Use("config-linux.md#cpu-1");
    v->Use("config-linux.md#cpu-2");
    if (cpu["quota"].as_int() < cpu["burst"].as_int()) {
      v->Problem("config-linux.md#cpu-1", name + ": quota below burst");
      v->Problem("config-linux.md#cpu-2", name + ": burst above quota");
    }
  }
  const json::Value* ann = cfg.Find("annotations");
  if (!ann) return;
  bool any = false;
  for (const auto& [key, value] : ann->members) {
    if (key == kCaptureNote) continue;
    any = true;
    for (const char* id : {"config.md#annotations-2", "config.md#annotations-3", "config.md#annotations-4",
                           "config.md#annotations-16"})
      v->Use(id);
    if (key.empty()) v->Problem("config.md#annotations-3", name + ": an empty key");
    if (!IsReverseDomain(key)) v->Problem("config.md#annotations-4", name + ": key " + Quote(key));
    if (!value.is_string()) v->Problem("config.md#annotations-16", name + ": " + key + " is " + value.Dump());
    if (key.rfind("org.opencontainers.", 0) != 0) continue;
    static const std::set<std::string> kDefined = {
        "org.opencontainers.image.os",          "org.opencontainers.image.os.version",
        "org.opencontainers.image.os.features", "org.opencontainers.image.architecture",
        "org.opencontainers.image.variant",     "org.opencontainers.image.author",
        "org.opencontainers.image.created",     "org.opencontainers.image.stopSignal"};
    v->Use("config.md#annotations-5");
    v->Use("config.md#annotations-14");
    if (!kDefined.count(key)) {
      v->Problem("config.md#annotations-5", name + ": " + key + " is not defined by the spec");
      v->Problem("config.md#annotations-14", name + ": " + key + " is reserved");
    }
    if (key == "org.opencontainers.image.stopSignal") {
      v->Use("config.md#annotations-13");
      if (!IsSignalName(value.as_string()))
        v->Problem("config.md#annotations-13", name + ": stopSignal " + value.Dump() +
                                                   " is not a signal name (the image-spec's SIGNAME format)");
    }
  }
  if (any) {
    // Parsed as an object whose keys are strings: a JSON object is exactly that.
    v->Use("config.md#annotations-1");
    if (!ann->is_object()) v->Problem("config.md#annotations-1", name + ": annotations is not an object");
  }
}

void Record(CaseContext& c, const Verdicts& v) {
  for (const auto& [id, problems] : v.problems) {
    std::string text;
    for (const auto& p : problems) text += p + "; ";
    c.Expect(id, problems.empty(), text);
  }
}

}  // namespace

CONFORMANCE_CASE(config_authors_spec_command, "config.md#specification-version-1", "config.md#root-3") {
  Verdicts v;
  for (bool rootless : {false, true}) {
    std::string dir = c.dir() + (rootless ? "/spec-rootless" : "/spec");
    mkdir(dir.c_str(), 0755);
    // In the directory (not every runtime's `spec` has --bundle).
    CommandResult r = RunCommand({"/bin/sh", "-c", "cd \"$1\" && exec \"$2\" spec $3", "sh", dir,
                                  c.runtime().path(), rootless ? "--rootless" : ""});
    if (!r.ok()) return c.Abort("`spec` failed: " + r.Describe());
    auto cfg = LoadJson(dir + "/config.json");
    if (!cfg) return c.Abort("`spec` wrote no JSON config: " + cfg.error().ToString());
    CheckConfig(rootless ? "spec --rootless" : "spec", *cfg, true, &v);
  }
  Record(c, v);
}

namespace {

CaseGeneratorRegistrar authors_generator([](const std::string& fixtures_dir) {
  std::vector<CaseDefinition> cases;
  std::vector<std::string> paths = JsonFilesIn(fixtures_dir + "/engines");
  if (paths.empty()) return cases;
  cases.push_back({"config_authors_corpus", {"config.md#specification-version-1"}, [paths](CaseContext& c) {
                     Verdicts v;
                     for (const auto& path : paths) {
                       auto cfg = LoadJson(path);
                       if (!cfg) return c.Abort("harness: " + cfg.error().ToString());
                       CheckConfig(FixtureName(path), *cfg, false, &v);
                     }
                     Record(c, v);
                   }});
  return cases;
});

}  // namespace
}  // namespace berth::conformance
