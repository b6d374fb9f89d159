#include "runtime/cgroups/update.h"

#include <cerrno>

#include "runtime/cgroups/resource_values.h"

namespace berth::cgroups {
namespace {

std::string TrimNewlines(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

JournalingCgroupFs::JournalingCgroupFs(std::shared_ptr<const CgroupFs> inner)
    : CgroupFs(inner->root()), inner_(std::move(inner)) {}

Status JournalingCgroupFs::Write(std::string_view cgroup, std::string_view file,
                                 std::string_view value) const {
  bool seen = false;
  for (const auto& e : entries_) seen = seen || (e.cgroup == cgroup && e.file == file);
  if (!seen && file != "cgroup.subtree_control") {
    auto old = inner_->Read(cgroup, file);
    // An unreadable file cannot be restored; its write fails the same way.
    if (old.ok()) entries_.push_back({std::string(cgroup), std::string(file), TrimNewlines(*old)});
    // A refused write left the file as it was: nothing to restore.
    Status written = inner_->Write(cgroup, file, value);
    if (!written.ok() && old.ok()) entries_.pop_back();
    return written;
  }
  return inner_->Write(cgroup, file, value);
}

Status JournalingCgroupFs::AttachDeviceFilter(std::string_view, const std::vector<bpf_insn>&) const {
  return Error(EPERM, "update does not change the device allow-list");
}

Status JournalingCgroupFs::Rollback() const {
  Status first;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    // Files that list one entry per line (io.max, blkio throttles) take one
    // line per write.
    size_t start = 0;
    const std::string& v = it->old_value;
    do {
      size_t end = v.find('\n', start);
      if (end == std::string::npos) end = v.size();
      std::string line = v.substr(start, end - start);
      start = end + 1;
      if (line.empty() && !v.empty()) continue;
      Status s = inner_->Write(it->cgroup, it->file, line);
      if (!s.ok() && first.ok())
        first = std::move(s).error().Context("restore " + inner_->FilePath(it->cgroup, it->file));
    } while (start < v.size());
  }
  return first;
}

Status ApplyOrRollBack(const std::vector<const JournalingCgroupFs*>& journals, Status applied) {
  if (applied.ok()) return applied;
  Error error = std::move(applied).error();
  for (auto it = journals.rbegin(); it != journals.rend(); ++it) {
    Status restored = (*it)->Rollback();
    if (!restored.ok())
      return Error(error.code(), error.ToString() + " (and restoring the old values failed: " +
                                     restored.error().ToString() + ")");
  }
  return error;
}

spec::Resources UpdatableResources(const spec::Resources& requested) {
  // Zero is "unchanged" for every field update takes (runc's writers skip
  // it), so the stored value stays too.
  const spec::Resources in = WithoutUnsetZeros(requested);
  spec::Resources out;
  if (in.memory) {
    spec::MemoryResources m;
    m.limit = in.memory->limit;
    m.reservation = in.memory->reservation;
    m.swap = in.memory->swap;
    m.checkBeforeUpdate = in.memory->checkBeforeUpdate;
    for (auto* field : {&m.limit, &m.reservation, &m.swap})
      if (*field && **field == 0) field->reset();
    if (m.limit && *m.limit == -1 && !m.swap) m.swap = -1;
    if (m.limit || m.reservation || m.swap) out.memory = m;
  }
  if (in.cpu && !(*in.cpu == spec::CpuResources())) out.cpu = in.cpu;
  if (in.blockIO && in.blockIO->weight) {
    out.blockIO.emplace();
    out.blockIO->weight = in.blockIO->weight;
  }
  if (in.pids && in.pids->limit && *in.pids->limit != 0) out.pids = in.pids;
  out.unified = in.unified;
  return out;
}

Status CompleteMemoryUpdate(const spec::Resources& stored, spec::Resources& update) {
  if (!update.memory) return Ok();
  auto pick = [](const std::optional<int64_t>& now, const std::optional<spec::MemoryResources>& before,
                 std::optional<int64_t> spec::MemoryResources::*field) -> int64_t {
    if (now) return *now;
    return before && (*before.*field) ? *(*before.*field) : 0;
  };
  int64_t limit = pick(update.memory->limit, stored.memory, &spec::MemoryResources::limit);
  int64_t swap = pick(update.memory->swap, stored.memory, &spec::MemoryResources::swap);
  if (limit > 0 && swap > 0 && swap < limit)
    return Error(EINVAL, "memory+swap limit should be >= memory limit");
  if (update.memory->swap && !update.memory->limit && limit != 0) update.memory->limit = limit;
  return Ok();
}

void MergeUpdate(spec::Resources& stored, const spec::Resources& u) {
  if (u.memory) {
    auto& m = stored.memory ? *stored.memory : stored.memory.emplace();
    if (u.memory->limit) m.limit = u.memory->limit;
    if (u.memory->reservation) m.reservation = u.memory->reservation;
    if (u.memory->swap) m.swap = u.memory->swap;
    if (u.memory->checkBeforeUpdate) m.checkBeforeUpdate = u.memory->checkBeforeUpdate;
  }
  if (u.cpu) {
    auto& c = stored.cpu ? *stored.cpu : stored.cpu.emplace();
    const auto& n = *u.cpu;
    if (n.shares) c.shares = n.shares;
    if (n.quota) c.quota = n.quota;
    if (n.burst) c.burst = n.burst;
    if (n.period) c.period = n.period;
    if (n.realtimeRuntime) c.realtimeRuntime = n.realtimeRuntime;
    if (n.realtimePeriod) c.realtimePeriod = n.realtimePeriod;
    if (!n.cpus.empty()) c.cpus = n.cpus;
    if (!n.mems.empty()) c.mems = n.mems;
    if (n.idle) c.idle = n.idle;
  }
  if (u.blockIO && u.blockIO->weight) {
    auto& b = stored.blockIO ? *stored.blockIO : stored.blockIO.emplace();
    b.weight = u.blockIO->weight;
  }
  if (u.pids) stored.pids = u.pids;
  for (const auto& [key, value] : u.unified) stored.unified[key] = value;
}

}  // namespace berth::cgroups
