// Internal to spec/: the validator's report and shared checks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "spec/config.h"
#include "spec/names.h"

namespace berth::spec::validate {

// Collects "path: problem" lines.
class Report {
 public:
  void Add(const std::string& path, std::string_view problem) {
    lines_.push_back(path + ": " + std::string(problem));
  }
  std::vector<std::string> Take() { return std::move(lines_); }

 private:
  std::vector<std::string> lines_;
};

std::string At(const std::string& path, size_t index);
bool IsAbsolute(std::string_view path);
// "0-3,7": comma-separated numbers and ascending ranges.
bool IsCpuList(std::string_view list);
void CheckName(Report& r, const std::string& path, const NameSet& set, std::string_view name);
void CheckIdMappings(Report& r, const std::string& path, const std::vector<IdMapping>& maps);

// validate_linux.cc
void CheckLinux(Report& r, const Config& config);
// validate_resources.cc
void CheckResources(Report& r, const std::string& path, const Resources& res);

}  // namespace berth::spec::validate
