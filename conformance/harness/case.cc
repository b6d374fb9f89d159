#include "conformance/harness/case.h"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

#include "conformance/harness/process.h"

namespace berth::conformance {
namespace {
std::atomic<int> g_case_counter{0};
std::atomic<int> g_id_counter{0};
}  // namespace

std::vector<CaseDefinition>& AllCases() {
  static std::vector<CaseDefinition> cases;
  return cases;
}

std::vector<CaseGenerator>& CaseGenerators() {
  static std::vector<CaseGenerator> generators;
  return generators;
}

std::vector<CaseDefinition> CasesWithGenerated(const std::string& fixtures_dir) {
  std::vector<CaseDefinition> cases = AllCases();
  for (const auto& generate : CaseGenerators())
    for (auto& def : generate(fixtures_dir)) {
      def.generated = true;
      cases.push_back(std::move(def));
    }
  return cases;
}

CaseContext::CaseContext(const Environment& env, const Runtime& runtime, std::string case_name,
                         std::vector<std::string> declared)
    : env_(env), runtime_(runtime), name_(std::move(case_name)), declared_(std::move(declared)) {
  dir_ = env_.work_dir + "/c" + std::to_string(++g_case_counter);
  mkdir(dir_.c_str(), 0711);
}

CaseContext::~CaseContext() {
  for (const auto& id : containers_) {
    CommandOptions quick;
    quick.timeout_ms = 10000;
    runtime_.Run({"kill", id, "KILL"}, quick);
    runtime_.Run({"delete", "--force", id}, quick);
  }
  RemoveTree(dir_);
}

std::string CaseContext::NewId() {
  return "conf-" + std::to_string(getpid()) + "-" + std::to_string(++g_id_counter);
}

void CaseContext::Track(const std::string& container_id) { containers_.push_back(container_id); }

Result<Bundle> CaseContext::NewBundle() {
  Bundle b;
  b.dir = dir_ + "/b" + std::to_string(++bundles_);
  if (mkdir(b.dir.c_str(), 0711) != 0) return Error::Sys("mkdir " + b.dir);
  b.rootfs = b.dir + "/rootfs";
  BERTH_TRY(CopyRootfs(env_.template_rootfs, b.rootfs));
  b.id = NewId();
  b.config = DefaultConfig(b.id);
  Track(b.id);
  return b;
}

void CaseContext::Record(const std::string& id, Outcome outcome, const std::string& detail) {
  bool declared = false;
  for (const auto& d : declared_) declared |= d == id;
  if (!declared) declared_.push_back(id);
  checks_.push_back({id, outcome, detail});
}

void CaseContext::Expect(const std::string& id, bool ok, const std::string& failure_detail) {
  if (ok)
    Record(id, Outcome::pass, "");
  else
    Record(id, Outcome::fail, failure_detail);
}

void CaseContext::Pass(const std::string& id, const std::string& detail) {
  Record(id, Outcome::pass, detail);
}
void CaseContext::Fail(const std::string& id, const std::string& detail) {
  Record(id, Outcome::fail, detail);
}
void CaseContext::Skip(const std::string& id, const std::string& reason) {
  Record(id, Outcome::skip, reason);
}

bool CaseContext::Judged(const std::string& id) const {
  for (const auto& c : checks_)
    if (c.requirement == id) return true;
  return false;
}

std::optional<Outcome> CaseContext::OutcomeOf(const std::string& id) const {
  std::optional<Outcome> out;
  for (const auto& c : checks_) {
    if (c.requirement != id) continue;
    if (c.outcome == Outcome::fail) return Outcome::fail;
    if (c.outcome == Outcome::pass || !out) out = c.outcome;
  }
  return out;
}

void CaseContext::Abort(const std::string& reason) {
  std::vector<std::string> ids = declared_;
  for (const auto& id : ids)
    if (!Judged(id)) Record(id, Outcome::fail, reason);
}

void CaseContext::SkipRest(const std::string& reason) {
  std::vector<std::string> ids = declared_;
  for (const auto& id : ids)
    if (!Judged(id)) Record(id, Outcome::skip, reason);
}

CaseResult CaseContext::Finish(double seconds) {
  std::vector<std::string> ids = declared_;
  for (const auto& id : ids)
    if (!Judged(id)) Record(id, Outcome::fail, "declared but not checked (harness bug)");
  return {name_, declared_, checks_, seconds};
}

}  // namespace berth::conformance
