// libFuzzer target for mount option translation (built by tools/fuzz;
// replayed over fuzz/corpus/mount_options by mount_options_fuzzer_corpus_test).
//
// Input: an OCI mount's "options" list, one option per line. Checks that the
// translation is self-consistent: no bit both set and cleared, flags implied
// by their recursive forms, superblock flags unique, and that appending an
// option overrides what came before it (as runc: ro then rw is rw).
#include <sys/mount.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/rootfs/mount_options.h"

namespace {

using berth::rootfs::MountOptions;

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

constexpr uint64_t kKnownAttrs = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV |
                                 MOUNT_ATTR_NOEXEC | MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME |
                                 MOUNT_ATTR_NOSYMFOLLOW;

void CheckConsistent(const MountOptions& o, const std::vector<std::string>& options) {
  // The atime mode is one field: setting it needs the whole field cleared
  // (mount_setattr(2) fails with EINVAL otherwise); other bits are either set
  // or cleared, never both.
  for (auto [set, clr] : {std::pair{o.attr_set, o.attr_clr}, std::pair{o.rec_attr_set, o.rec_attr_clr}}) {
    Check((set & clr & ~MOUNT_ATTR__ATIME) == 0);
    Check(!(set & MOUNT_ATTR__ATIME) || (clr & MOUNT_ATTR__ATIME) == MOUNT_ATTR__ATIME);
    Check(((set | clr) & ~kKnownAttrs) == 0);
  }
  Check(!o.recursive || o.bind);
  Check(!o.recursive_idmap || o.idmap);
  for (const auto& p : o.propagation)
    Check(p.type == MS_SHARED || p.type == MS_SLAVE || p.type == MS_PRIVATE || p.type == MS_UNBINDABLE);
  for (size_t i = 0; i < o.sb_flags.size(); ++i) {
    const auto& f = o.sb_flags[i];
    Check(f == "sync" || f == "dirsync" || f == "mand" || f == "lazytime");
    Check(std::count(o.sb_flags.begin(), o.sb_flags.end(), f) == 1);
  }
  // Data options are passed through verbatim, in order, from the input.
  size_t next = 0;
  for (const auto& d : o.data) {
    while (next < options.size() && options[next] != d) ++next;
    Check(next < options.size());
    ++next;
    auto split = berth::rootfs::SplitDataOption(d);
    Check(split.has_value ? split.key + "=" + split.value == d : split.key == d);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::vector<std::string> options;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    options.emplace_back(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
  }

  auto parsed = berth::rootfs::ParseMountOptions(options);
  for (const auto& option : options) {
    auto propagation = berth::rootfs::ParseRootPropagation(option);
    if (!propagation.ok()) Check(!propagation.error().message().empty());
    (void)berth::rootfs::TakesMountLabel(option);
    (void)berth::rootfs::MountLabelOption(option);
  }
  if (!parsed.ok()) {
    Check(!parsed.error().message().empty());
    Check(std::find(options.begin(), options.end(), "") != options.end());
    return 0;
  }
  const MountOptions& o = parsed.value();
  CheckConsistent(o, options);

  // The last of two contradicting attribute options wins.
  if (!options.empty()) {
    std::vector<std::string> with_rw = options;
    with_rw.push_back("rw");
    auto rw = berth::rootfs::ParseMountOptions(with_rw);
    Check(rw.ok());
    Check(!(rw.value().attr_set & MOUNT_ATTR_RDONLY) && (rw.value().attr_clr & MOUNT_ATTR_RDONLY));
    std::vector<std::string> with_ro = options;
    with_ro.push_back("ro");
    auto ro = berth::rootfs::ParseMountOptions(with_ro);
    Check(ro.ok());
    Check((ro.value().attr_set & MOUNT_ATTR_RDONLY) && !(ro.value().attr_clr & MOUNT_ATTR_RDONLY));
    // "defaults" changes nothing.
    std::vector<std::string> with_defaults = options;
    with_defaults.push_back("defaults");
    auto defaults = berth::rootfs::ParseMountOptions(with_defaults);
    Check(defaults.ok() && defaults.value() == o);
  }
  return 0;
}
