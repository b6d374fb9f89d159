#include "runtime/process/capabilities.h"
#include "runtime/base/syscalls.h"

#include "spec/names.h"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cctype>
#include <string>

namespace berth::process {
namespace {

// Frees a libcap object when it goes out of scope.
struct CapFree {
  cap_t caps;
  ~CapFree() {
    if (caps) cap_free(caps);
  }
};

// The kernel's last capability, learnt by the first ReadBoundingSet; -1 until then.
int g_last_cap = -1;

// The bounding set, one PR_CAPBSET_READ per capability until EINVAL past the
// kernel's last one (which it learns on the way). Not read from
// /proc/sys/kernel/cap_last_cap: in the container init /proc belongs to the
// container, and a smaller number there would leave capabilities undropped.
uint64_t ReadBoundingSet() {
  uint64_t set = 0;
  int c = 0;
  for (; c < 64; ++c) {
    int in_bound = prctl(PR_CAPBSET_READ, c, 0, 0, 0);
    if (in_bound < 0) break;
    if (in_bound == 1) set |= uint64_t{1} << c;
  }
  g_last_cap = c - 1;
  return set;
}

struct Sets {
  uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
};

Status SetFlags(cap_t caps, cap_flag_t flag, uint64_t mask) {
  for (int c = 0; c < 64; ++c) {
    if (!(mask & (uint64_t{1} << c))) continue;
    cap_value_t value = c;
    if (cap_set_flag(caps, flag, 1, &value, CAP_SET) != 0)
      return Error::Sys("cap_set_flag " + std::to_string(c));
  }
  return Ok();
}

std::string NameOf(int cap) {
  char* name = cap_to_name(cap);
  if (!name) return std::to_string(cap);
  std::string upper = name;
  cap_free(name);
  for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return upper;
}

// Names of the capabilities set in mask, for error messages.
std::string Names(uint64_t mask) {
  std::string out;
  for (int c = 0; c < 64; ++c)
    if (mask & (uint64_t{1} << c)) out += (out.empty() ? "" : ", ") + NameOf(c);
  return out;
}

Result<uint64_t> CurrentSet(cap_flag_t flag) {
  CapFree current{cap_get_proc()};
  if (!current.caps) return Error::Sys("cap_get_proc");
  uint64_t mask = 0;
  for (int c = 0; c <= LastCapability(); ++c) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(current.caps, c, flag, &v) == 0 && v == CAP_SET) mask |= uint64_t{1} << c;
  }
  return mask;
}

Status SetProc(uint64_t effective, uint64_t permitted, uint64_t inheritable) {
  CapFree caps{cap_init()};
  if (!caps.caps) return Error::Sys("cap_init");
  BERTH_TRY(SetFlags(caps.caps, CAP_EFFECTIVE, effective));
  BERTH_TRY(SetFlags(caps.caps, CAP_PERMITTED, permitted));
  BERTH_TRY(SetFlags(caps.caps, CAP_INHERITABLE, inheritable));
  if (cap_set_proc(caps.caps) != 0) return Error::Sys("capset");
  return Ok();
}

}  // namespace

int LastCapability() {
  if (g_last_cap < 0) (void)ReadBoundingSet();
  return g_last_cap;
}

Result<int> CapabilityFromName(std::string_view name) {
  if (name.size() <= 4 || name.substr(0, 4) != "CAP_")
    return Error(EINVAL, "unknown capability \"" + std::string(name) + "\"");
  for (char ch : name)
    if (!(std::isupper(static_cast<unsigned char>(ch)) || ch == '_'))
      return Error(EINVAL, "unknown capability \"" + std::string(name) + "\"");
  std::string lower(name);
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  cap_value_t value = 0;
  if (cap_from_name(lower.c_str(), &value) != 0)
    return Error(EINVAL,
                 "unknown capability \"" + std::string(name) + "\" (not known to this build's libcap)");
  return static_cast<int>(value);
}

Result<uint64_t> CapabilityMask(const std::vector<std::string>& names,
                                std::vector<std::string>* unsupported) {
  uint64_t mask = 0;
  const int last = LastCapability();
  for (const auto& name : names) {
    auto known = CapabilityFromName(name);
    if (!known) {
      // Well-formed names unknown to libcap are ignored (the runtime warned,
      // config.md); a malformed name is still an error.
      if (!spec::names::IsWellFormedCapabilityName(name)) return std::move(known).error();
      if (unsupported) unsupported->push_back(name);
      continue;
    }
    int cap = *known;
    if (cap > last || cap >= 64) {
      if (unsupported) unsupported->push_back(name);
      continue;
    }
    mask |= uint64_t{1} << cap;
  }
  return mask;
}

Status ApplyCapabilities(const std::optional<spec::Capabilities>& caps) {
  auto applied = ApplyCapabilitiesRetaining(caps, 0);
  if (!applied) return std::move(applied).error();
  return Ok();
}

Status SetCapabilitySets(const CapabilitySets& sets) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  for (int word = 0; word < 2; ++word) {
    data[word].effective = static_cast<uint32_t>(sets.effective >> (32 * word));
    data[word].permitted = static_cast<uint32_t>(sets.permitted >> (32 * word));
    data[word].inheritable = static_cast<uint32_t>(sets.inheritable >> (32 * word));
  }
  if (sys::Capset(&header, data) != 0) return Error::Sys("capset");
  return Ok();
}

Result<std::optional<CapabilitySets>> ApplyCapabilitiesRetaining(
    const std::optional<spec::Capabilities>& caps, uint64_t retain) {
  // Read once: the drops below go only to capabilities present in it.
  const uint64_t bound_before = ReadBoundingSet();
  Sets want;
  if (caps) {
    want.bounding = BERTH_TRY_CTX(CapabilityMask(caps->bounding), "capabilities.bounding");
    want.effective = BERTH_TRY_CTX(CapabilityMask(caps->effective), "capabilities.effective");
    want.permitted = BERTH_TRY_CTX(CapabilityMask(caps->permitted), "capabilities.permitted");
    want.inheritable = BERTH_TRY_CTX(CapabilityMask(caps->inheritable), "capabilities.inheritable");
    want.ambient = BERTH_TRY_CTX(CapabilityMask(caps->ambient), "capabilities.ambient");
  }
  const int last = LastCapability();

  // After SetUser the effective set may be empty (uid changed with
  // PR_SET_KEEPCAPS); raise it to the permitted set so CAP_SETPCAP is usable
  // for the bounding-set drops below.
  const uint64_t have = BERTH_TRY(CurrentSet(CAP_PERMITTED));
  const uint64_t had_inheritable = BERTH_TRY(CurrentSet(CAP_INHERITABLE));
  {
    CapFree current{cap_get_proc()};
    if (!current.caps) return Error::Sys("cap_get_proc");
    CapFree raised{cap_dup(current.caps)};
    if (!raised.caps) return Error::Sys("cap_dup");
    if (cap_clear_flag(raised.caps, CAP_EFFECTIVE) != 0) return Error::Sys("cap_clear_flag");
    BERTH_TRY(SetFlags(raised.caps, CAP_EFFECTIVE, have));
    if (cap_set_proc(raised.caps) != 0) return Error::Sys("capset (raise effective)");
  }

  // 1. Bounding: drop everything not listed. A listed capability that the
  // bounding set already lacks (CAP_SYS_RESOURCE on some hosts) cannot be
  // added back and is left out, as runc does.
  uint64_t bound_now = bound_before;
  for (int c = 0; c <= last; ++c) {
    const uint64_t bit = uint64_t{1} << c;
    if ((want.bounding & bit) || !(bound_before & bit)) continue;
    if (cap_drop_bound(c) != 0) return Error::Sys("drop " + NameOf(c) + " from the bounding set");
    bound_now &= ~bit;
  }

  // 2. Effective, permitted, inheritable, exactly as listed. The kernel only
  // lets permitted shrink: asking for one we do not hold is an error.
  uint64_t missing = (want.permitted | want.effective) & ~have;
  if (missing)
    return Error(EPERM, "capabilities " + Names(missing) +
                            " requested in effective/permitted but not held by the runtime "
                            "(missing from the host's bounding set?)");
  if (uint64_t loose = want.effective & ~want.permitted)
    return Error(EPERM, "capabilities " + Names(loose) + " requested in effective but not in permitted");
  // Inheritable may only grow within the bounding set.
  if (uint64_t outside = want.inheritable & ~bound_now & ~had_inheritable)
    return Error(EPERM,
                 "capabilities " + Names(outside) + " requested in inheritable but not in the bounding set");
  // Retained: only what is held and not configured anyway.
  retain &= have & ~(want.effective & want.permitted);
  if (Status s = SetProc(want.effective | retain, want.permitted | retain, want.inheritable); !s)
    return std::move(s).error().Context("set effective/permitted/inheritable [" + Names(want.inheritable) +
                                        "]");

  // 3. Ambient: cleared, then the listed ones. The kernel allows only
  // capabilities that are both permitted and inheritable; like runc, listed
  // ambient capabilities outside that intersection are skipped (runc's own
  // default spec lists ambient capabilities with an empty inheritable set).
  // One prctl (libcap's cap_reset_ambient first reads every capability).
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    return Error::Sys("clear ambient set");
  const uint64_t raisable = want.ambient & want.permitted & want.inheritable;
  for (int c = 0; c <= last; ++c) {
    if (!(raisable & (uint64_t{1} << c))) continue;
    if (cap_set_ambient(c, CAP_SET) != 0) return Error::Sys("raise ambient " + NameOf(c));
  }
  if (retain == 0) return std::optional<CapabilitySets>();
  return std::optional<CapabilitySets>(CapabilitySets{want.effective, want.permitted, want.inheritable});
}

}  // namespace berth::process
