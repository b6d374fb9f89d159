// conformance: runs the OCI runtime-spec conformance cases against one or
// more runc-compatible runtimes and writes TAP, JUnit, Markdown and HTML.
//
//   conformance --runtime /usr/sbin/runc --runtime berth=/path/to/berth
//               [--filter GLOB] [--tap FILE] [--junit FILE] [--markdown FILE]
//               [--html FILE] [--probe PATH] [--busybox PATH] [--spec-dir DIR]
//               [--fail-on-failure] [--gate LABEL] [--fixtures DIR]
//               [--hide-cgroup2 LABEL] [--rootless-user NAME] [--list]
//
// --generated-only LABEL runs only the generated cases on that runtime (a
// baseline needs no more).
// --hide-cgroup2 LABEL runs that runtime's cases in a private mount namespace
// where a hybrid host's /sys/fs/cgroup/unified is detached (crun 1.8.1
// refuses hybrid hosts); the host's mounts are not changed.
// --rootless-user NAME: the rootless_* cases run each runtime as that
// unprivileged user (which the caller creates and removes; tools/conformance
// does); without it they are skipped.
// --gate LABEL exits 1 when that runtime failed a case (repeatable); with
// --baseline LABEL2, a generated case (corpus, seccomp matrix: configs
// written elsewhere) that the baseline runtime fails too does not count.
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <exception>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "conformance/harness/case.h"
#include "conformance/harness/process.h"
#include "conformance/registry/extract.h"
#include "conformance/report/writers.h"
#include "conformance/requirements/registry_data.h"

namespace berth::conformance {
namespace {

struct Options {
  std::vector<std::pair<std::string, std::string>> runtimes;  // label, path
  std::vector<std::string> filters;
  std::string tap, junit, markdown, html;
  std::string probe, busybox = "/bin/busybox";
  std::string spec_dir = "/work/shared/oci-runtime-spec";
  std::string fixtures = "conformance/fixtures";
  std::vector<std::string> hide_cgroup2;    // runtime labels
  std::vector<std::string> gates;           // runtime labels whose failures fail the run
  std::string baseline;                     // runtime label the gate compares generated cases with
  std::vector<std::string> generated_only;  // runtime labels that run only generated cases
  std::string rootless_user;
  bool fail_on_failure = false;
  bool list = false;
};

[[noreturn]] void Usage(const char* why) {
  std::fprintf(stderr,
               "conformance: %s\nusage: conformance --runtime [LABEL=]PATH [--runtime ...] [--filter GLOB]\n"
               "  [--tap FILE] [--junit FILE] [--markdown FILE] [--html FILE] [--probe PATH]\n"
               "  [--busybox PATH] [--spec-dir DIR] [--fail-on-failure] [--gate LABEL]\n"
               "  [--baseline LABEL] [--generated-only LABEL] [--fixtures DIR] [--hide-cgroup2 LABEL]\n"
               "  [--rootless-user NAME] [--list]\n",
               why);
  std::exit(2);
}

std::string AbsolutePath(const std::string& p) {
  char buf[PATH_MAX];
  if (realpath(p.c_str(), buf)) return buf;
  return p;
}

Options ParseOptions(int argc, char** argv) {
  Options o;
  auto next = [&](int& i) -> std::string {
    if (i + 1 >= argc) Usage((std::string(argv[i]) + " needs a value").c_str());
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--runtime") {
      std::string v = next(i);
      size_t eq = v.find('=');
      std::string label, path;
      if (eq != std::string::npos && v[0] != '/') {
        label = v.substr(0, eq);
        path = v.substr(eq + 1);
      } else {
        path = v;
        label = v.substr(v.rfind('/') + 1);
      }
      o.runtimes.emplace_back(label, AbsolutePath(path));
    } else if (a == "--filter") {
      o.filters.push_back(next(i));
    } else if (a == "--tap") {
      o.tap = next(i);
    } else if (a == "--junit") {
      o.junit = next(i);
    } else if (a == "--markdown") {
      o.markdown = next(i);
    } else if (a == "--html") {
      o.html = next(i);
    } else if (a == "--probe") {
      o.probe = AbsolutePath(next(i));
    } else if (a == "--busybox") {
      o.busybox = next(i);
    } else if (a == "--spec-dir") {
      o.spec_dir = next(i);
    } else if (a == "--fixtures") {
      o.fixtures = AbsolutePath(next(i));
    } else if (a == "--hide-cgroup2") {
      o.hide_cgroup2.push_back(next(i));
    } else if (a == "--gate") {
      o.gates.push_back(next(i));
    } else if (a == "--baseline") {
      o.baseline = next(i);
    } else if (a == "--generated-only") {
      o.generated_only.push_back(next(i));
    } else if (a == "--rootless-user") {
      o.rootless_user = next(i);
    } else if (a == "--fail-on-failure") {
      o.fail_on_failure = true;
    } else if (a == "--list") {
      o.list = true;
    } else {
      Usage(("unknown argument " + a).c_str());
    }
  }
  if (o.runtimes.empty() && !o.list) Usage("at least one --runtime is needed");
  o.fixtures = AbsolutePath(o.fixtures);
  if (o.probe.empty()) {
    // Next to the harness in bazel-bin: conformance/probe/probe.
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n < 0 ? 0 : n] = '\0';
    std::string dir(self);
    dir = dir.substr(0, dir.rfind('/'));
    o.probe = dir + "/../probe/probe";
    if (access(o.probe.c_str(), X_OK) != 0) o.probe = dir + "/probe/probe";
  }
  return o;
}

bool Selected(const Options& o, const CaseDefinition& def) {
  if (o.filters.empty()) return true;
  for (const auto& f : o.filters) {
    if (fnmatch(f.c_str(), def.name.c_str(), 0) == 0) return true;
    for (const auto& r : def.requirements)
      if (fnmatch(f.c_str(), r.c_str(), 0) == 0) return true;
  }
  return false;
}

bool WriteReport(const std::string& path, const std::string& text) {
  if (path.empty()) return true;
  Status s = WriteFileText(path, text);
  if (!s.ok()) std::fprintf(stderr, "conformance: %s\n", s.error().ToString().c_str());
  return s.ok();
}

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  for (const auto& v : list)
    if (v == value) return true;
  return false;
}

bool IsFilesystem(const char* path, long magic) {
  struct statfs fs {};
  return statfs(path, &fs) == 0 && static_cast<long>(fs.f_type) == magic;
}

// A private mount namespace (slave of the host's) in which a hybrid host's
// cgroup2 mount is detached, entered for one runtime and left afterwards:
// everything the runtime starts meanwhile sees cgroup v1 only.
class HiddenCgroup2 {
 public:
  Status Enter() {
    host_ns_ = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC);
    if (host_ns_ < 0) return Error::Sys("open /proc/self/ns/mnt");
    // setns(2) into a mount namespace moves the working directory to its
    // root: keep ours to come back to (report paths are relative to it).
    cwd_ = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (cwd_ < 0) return Error::Sys("open the working directory");
    if (unshare(CLONE_NEWNS) != 0) return Error::Sys("unshare(CLONE_NEWNS)");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) != 0) return Error::Sys("make / rslave");
    constexpr const char* kUnified = "/sys/fs/cgroup/unified";
    if (!IsFilesystem("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC) && IsFilesystem(kUnified, CGROUP2_SUPER_MAGIC) &&
        umount2(kUnified, MNT_DETACH) != 0)
      return Error::Sys("umount /sys/fs/cgroup/unified");
    return Ok();
  }
  ~HiddenCgroup2() {
    if (host_ns_ < 0) return;
    if (setns(host_ns_, CLONE_NEWNS) != 0) std::perror("conformance: setns back to the host mount namespace");
    if (cwd_ >= 0 && fchdir(cwd_) != 0) std::perror("conformance: back to the working directory");
    close(host_ns_);
    if (cwd_ >= 0) close(cwd_);
  }

 private:
  int host_ns_ = -1;
  int cwd_ = -1;
};

int Main(int argc, char** argv) {
  Options o = ParseOptions(argc, argv);
  std::vector<CaseDefinition> cases = CasesWithGenerated(o.fixtures);
  if (o.list) {
    for (const auto& def : cases) {
      std::printf("%s", def.name.c_str());
      for (const auto& r : def.requirements) std::printf(" %s", r.c_str());
      std::printf("\n");
    }
    return 0;
  }
  if (geteuid() != 0) std::fprintf(stderr, "conformance: warning: not root; most cases will fail\n");
  if (Status s = Reaper::Get().BecomeSubreaper(); !s.ok()) {
    std::fprintf(stderr, "conformance: %s\n", s.error().ToString().c_str());
    return 1;
  }
  auto registry = RegistryFromTsv(kRequirementsTsv);
  if (!registry) {
    std::fprintf(stderr, "conformance: %s\n", registry.error().ToString().c_str());
    return 1;
  }
  char tmpl[] = "/tmp/oci-conf.XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 1;
  }
  chmod(tmpl, 0711);
  Environment env;
  env.work_dir = tmpl;
  env.template_rootfs = env.work_dir + "/template";
  env.busybox = o.busybox;
  env.probe = o.probe;
  env.spec_dir = o.spec_dir;
  env.fixtures_dir = o.fixtures;
  env.rootless_user = o.rootless_user;
  if (Status s = BuildTemplateRootfs(env.template_rootfs, env.busybox, env.probe); !s.ok()) {
    std::fprintf(stderr, "conformance: template rootfs: %s\n", s.error().ToString().c_str());
    RemoveTree(env.work_dir);
    return 1;
  }

  std::vector<RuntimeResults> runs;
  for (size_t ri = 0; ri < o.runtimes.size(); ++ri) {
    const auto& [label, path] = o.runtimes[ri];
    std::string root = env.work_dir + "/root-" + std::to_string(ri);
    mkdir(root.c_str(), 0700);
    Runtime runtime(path, root);
    RuntimeResults run;
    run.label = label;
    run.path = path;
    std::optional<HiddenCgroup2> hidden;
    if (Contains(o.hide_cgroup2, label)) {
      hidden.emplace();
      if (Status s = hidden->Enter(); !s.ok()) {
        std::fprintf(stderr, "conformance: hiding cgroup2 for %s: %s\n", label.c_str(),
                     s.error().ToString().c_str());
        RemoveTree(env.work_dir);
        return 1;
      }
      run.version += " (cgroup2 hidden)";
    }
    run.version = FirstLine(RunCommand({path, "--version"}).out) + run.version;
    for (const auto& def : cases) {
      if (!Selected(o, def)) continue;
      if (!def.generated && Contains(o.generated_only, label)) continue;
      auto t0 = std::chrono::steady_clock::now();
      CaseResult result;
      {
        CaseContext ctx(env, runtime, def.name, def.requirements);
        def.run(ctx);
        result = ctx.Finish(0);
      }
      result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      Outcome outcome = result.Overall();
      std::fprintf(stderr, "[%s] %-48s %s (%.2fs)%s%s\n", label.c_str(), def.name.c_str(),
                   std::string(OutcomeName(outcome)).c_str(), result.seconds,
                   outcome == Outcome::pass ? "" : " ", result.Reason().c_str());
      run.cases.push_back(std::move(result));
    }
    RemoveTree(root);
    hidden.reset();
    runs.push_back(std::move(run));
  }
  RemoveTree(env.work_dir);

  auto not_checkable = NotCheckableReasons(*registry, kNotCheckableTsv);
  char date[64];
  std::time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  char host[256] = "";
  gethostname(host, sizeof host - 1);
  MatrixInput in{&*registry, &runs, &not_checkable, std::string("Generated ") + date + " on " + host + "."};
  bool ok = WriteReport(o.tap, WriteTap(runs)) && WriteReport(o.junit, WriteJunit(runs)) &&
            WriteReport(o.markdown, WriteMarkdown(in)) && WriteReport(o.html, WriteHtml(in));
  Coverage cov = ComputeCoverage(in);
  std::printf("requirements: %d total, %d checked, %d not checkable here, %d not covered\n", cov.total,
              cov.checked, cov.not_checkable, cov.unchecked);
  Totals all;
  bool gate_failed = false;
  int not_gating = 0;  // gated runtimes' failures that the baseline shares
  const RuntimeResults* baseline = nullptr;
  for (const auto& run : runs)
    if (!o.baseline.empty() && run.label == o.baseline) baseline = &run;
  std::map<std::string, bool> generated;
  for (const auto& def : cases) generated[def.name] = def.generated;
  auto baseline_fails = [&](const std::string& name) {
    if (!baseline) return false;
    for (const auto& c : baseline->cases)
      if (c.name == name) return c.Overall() == Outcome::fail;
    return false;
  };
  for (const auto& run : runs) {
    if (!Contains(o.gates, run.label)) continue;
    for (const auto& c : run.cases) {
      if (c.Overall() != Outcome::fail) continue;
      if (generated[c.name] && baseline_fails(c.name)) {
        std::printf("%s: %s fails as %s does (a config from elsewhere): not gating\n", run.label.c_str(),
                    c.name.c_str(), o.baseline.c_str());
        ++not_gating;
        continue;
      }
      gate_failed = true;
    }
  }
  // With gates (CI), the last line counts the gated runtimes only: a baseline
  // is a reference column, and a failure the baseline shares on a config
  // from elsewhere is reported skipped, never passed.
  for (const auto& run : runs) {
    Totals t = CaseTotals(run);
    std::printf("%s: %d passed, %d failed, %d skipped\n", run.label.c_str(), t.passed, t.failed, t.skipped);
    if (!o.gates.empty() && !Contains(o.gates, run.label)) continue;
    all.passed += t.passed;
    all.failed += t.failed;
    all.skipped += t.skipped;
  }
  all.failed -= not_gating;
  all.skipped += not_gating;
  std::printf("conformance: %d passed, %d failed, %d skipped\n", all.passed, all.failed, all.skipped);
  if (!ok || gate_failed) return 1;
  return o.fail_on_failure && all.failed > 0 ? 1 : 0;
}

}  // namespace
}  // namespace berth::conformance

int main(int argc, char** argv) {
  try {
    return berth::conformance::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "conformance: %s\n", e.what());
    return 1;
  }
}
