// Conformance cases: each declares the requirement ids it checks and records
// a verdict (pass / fail with expected-vs-observed / skip with reason) per id.
//
//   CONFORMANCE_CASE(kill_sends_signal, "runtime.md#kill-3") {
//     ...
//     c.Expect("runtime.md#kill-3", got == SIGUSR1, "expected signal 10, probe saw " + ...);
//   }
//
// A case that cannot go on calls c.Abort(reason) (every id it has not yet
// judged fails with that reason) or c.SkipRest(reason) (they are skipped),
// then returns.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/harness/bundle.h"
#include "conformance/harness/runtime.h"
#include "conformance/report/results.h"

namespace berth::conformance {

// What the run knows before any case: paths and host facts.
struct Environment {
  std::string work_dir;         // private temp dir of this run
  std::string template_rootfs;  // built once
  std::string busybox;          // host path of busybox-static
  std::string probe;            // host path of the probe
  std::string spec_dir;         // OCI runtime-spec checkout (for state schema)
  std::string fixtures_dir;     // conformance/fixtures: engines' configs, seccomp profiles
  std::string rootless_user;    // an unprivileged user the rootless cases run the runtime as
};

class CaseContext {
 public:
  CaseContext(const Environment& env, const Runtime& runtime, std::string case_name,
              std::vector<std::string> declared);
  ~CaseContext();

  const Environment& env() const { return env_; }
  const Runtime& runtime() const { return runtime_; }
  // A fresh private directory for this case.
  const std::string& dir() const { return dir_; }

  // A bundle with a copy of the template rootfs and the default config for a
  // new unique container id. Containers made from it are force-deleted when
  // the case ends.
  Result<Bundle> NewBundle();
  // A unique id without a bundle (for error cases).
  std::string NewId();
  void Track(const std::string& container_id);

  void Expect(const std::string& id, bool ok, const std::string& failure_detail);
  void Pass(const std::string& id, const std::string& detail = "");
  void Fail(const std::string& id, const std::string& detail);
  void Skip(const std::string& id, const std::string& reason);
  void Abort(const std::string& reason);
  void SkipRest(const std::string& reason);
  bool Judged(const std::string& id) const;
  // The combined verdict so far on id (fail > pass > skip); nullopt if unjudged.
  std::optional<Outcome> OutcomeOf(const std::string& id) const;

  // The finished result: ids declared but never judged fail as "not checked".
  CaseResult Finish(double seconds);

 private:
  void Record(const std::string& id, Outcome outcome, const std::string& detail);

  const Environment& env_;
  const Runtime& runtime_;
  std::string name_;
  std::vector<std::string> declared_;
  std::vector<Check> checks_;
  std::vector<std::string> containers_;
  std::string dir_;
  int bundles_ = 0;
};

struct CaseDefinition {
  std::string name;
  std::vector<std::string> requirements;
  std::function<void(CaseContext&)> run;
  bool generated = false;  // made from a fixture by a CaseGenerator
};

std::vector<CaseDefinition>& AllCases();

// Cases made at run time from files (the corpus of engines' configs, the
// seccomp profiles): each generator is given the fixtures directory.
using CaseGenerator = std::function<std::vector<CaseDefinition>(const std::string& fixtures_dir)>;
std::vector<CaseGenerator>& CaseGenerators();
struct CaseGeneratorRegistrar {
  explicit CaseGeneratorRegistrar(CaseGenerator generator) {
    CaseGenerators().push_back(std::move(generator));
  }
};
// The static cases followed by every generator's.
std::vector<CaseDefinition> CasesWithGenerated(const std::string& fixtures_dir);

struct CaseRegistrar {
  CaseRegistrar(const char* name, std::vector<std::string> requirements, void (*run)(CaseContext&)) {
    AllCases().push_back({name, std::move(requirements), run});
  }
};

#define CONFORMANCE_CASE(name, ...)                                                               \
  static void name##_case(::berth::conformance::CaseContext& c);                                  \
  static ::berth::conformance::CaseRegistrar name##_registrar(#name, {__VA_ARGS__}, name##_case); \
  static void name##_case([[maybe_unused]] ::berth::conformance::CaseContext& c)

}  // namespace berth::conformance
