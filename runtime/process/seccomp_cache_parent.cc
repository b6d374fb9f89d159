// Parent side: a directory of compiled seccomp programs keyed by the whole
// profile, so repeated starts with the same profile skip libseccomp (a
// Docker-sized profile costs ~9 ms of CPU to compile, ~0.1 ms to load).
#include <fcntl.h>
#include <seccomp.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/base/files.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/seccomp_internal.h"

namespace berth::process {
namespace {

constexpr char kMagic[8] = {'B', 'E', 'R', 'T', 'H', 'B', 'P', 'F'};

uint64_t Fnv1a(std::string_view data, uint64_t hash = 14695981039346656037ULL) {
  for (unsigned char c : data) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

void Field(std::string& out, std::string_view value) {
  out += std::to_string(value.size());
  out += ':';
  out += value;
  out += ';';
}

void Field(std::string& out, uint64_t value) { Field(out, std::to_string(value)); }

// A directory only this user can write, not a symlink: anyone else able to
// plant a file there could choose the container's filter.
bool TrustedDirectory(const std::string& dir) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) return false;
  return S_ISDIR(st.st_mode) && st.st_uid == geteuid() && (st.st_mode & 022) == 0;
}

template <class T>
bool Take(std::string_view& in, T* value) {
  if (in.size() < sizeof(T)) return false;
  std::memcpy(value, in.data(), sizeof(T));
  in.remove_prefix(sizeof(T));
  return true;
}

template <class T>
void Put(std::string& out, const T& value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

}  // namespace

std::string EncodeSeccompCacheEntry(const std::string& key, const SeccompFilter& filter) {
  std::string out(kMagic, sizeof(kMagic));
  Put(out, static_cast<uint32_t>(key.size()));
  out += key;
  Put(out, static_cast<uint32_t>(filter.flags));
  Put(out, static_cast<uint8_t>(filter.uses_notify));
  Put(out, static_cast<uint32_t>(filter.program.size()));
  out.append(reinterpret_cast<const char*>(filter.program.data()),
             filter.program.size() * sizeof(sock_filter));
  Put(out, Fnv1a(out));  // torn or corrupted files are detected, not loaded
  return out;
}

namespace {

std::optional<SeccompFilter> Decode(std::string_view data, const std::string& key) {
  uint64_t checksum;
  if (data.size() < sizeof(kMagic) + sizeof(checksum)) return std::nullopt;
  std::memcpy(&checksum, data.data() + data.size() - sizeof(checksum), sizeof(checksum));
  data.remove_suffix(sizeof(checksum));
  if (Fnv1a(data) != checksum) return std::nullopt;
  if (data.substr(0, sizeof(kMagic)) != std::string_view(kMagic, sizeof(kMagic))) return std::nullopt;
  data.remove_prefix(sizeof(kMagic));
  uint32_t key_size, flags, count;
  uint8_t notify;
  if (!Take(data, &key_size) || data.size() < key_size) return std::nullopt;
  if (data.substr(0, key_size) != key) return std::nullopt;  // a hash collision
  data.remove_prefix(key_size);
  if (!Take(data, &flags) || !Take(data, &notify) || !Take(data, &count)) return std::nullopt;
  if (count == 0 || count > BPF_MAXINSNS || data.size() != count * sizeof(sock_filter)) return std::nullopt;
  SeccompFilter filter;
  filter.flags = flags;
  filter.uses_notify = notify != 0;
  filter.program.resize(count);
  std::memcpy(filter.program.data(), data.data(), data.size());
  return filter;
}

}  // namespace

namespace {

// Best effort: a cache that cannot be written only costs time.
void StoreEntry(const std::string& key, const std::string& path, bool trusted, const std::string& cache_dir,
                const SeccompFilter& filter) {
  if (filter.program.empty()) return;  // never a filter (a moved-from one)
  if (!trusted) {
    if (mkdir(cache_dir.c_str(), 0700) != 0 || !TrustedDirectory(cache_dir)) return;
  }
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const std::string data = EncodeSeccompCacheEntry(key, filter);
  bool written = write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
  close(fd);
  if (!written || rename(tmp.c_str(), path.c_str()) != 0) unlink(tmp.c_str());
}

}  // namespace

std::string SeccompCacheKey(const spec::Seccomp& p) {
  // Everything the compiled program depends on: the profile, the library
  // that compiled it, and the kernel it probed for supported actions.
  std::string key = "berth-seccomp-cache-v1;";
  const scmp_version* v = seccomp_version();
  Field(key, std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->micro));
  struct utsname u;
  if (uname(&u) == 0) {
    Field(key, u.release);
    Field(key, u.machine);
  }
  Field(key, seccomp_api_get());
  Field(key, p.defaultAction);
  Field(key, p.defaultErrnoRet ? std::to_string(*p.defaultErrnoRet) : "-");
  Field(key, p.architectures.size());
  for (const auto& a : p.architectures) Field(key, a);
  Field(key, p.flags.size());
  for (const auto& f : p.flags) Field(key, f);
  Field(key, p.syscalls.size());
  for (const auto& s : p.syscalls) {
    Field(key, s.names.size());
    for (const auto& n : s.names) Field(key, n);
    Field(key, s.action);
    Field(key, s.errnoRet ? std::to_string(*s.errnoRet) : "-");
    Field(key, s.args.size());
    for (const auto& a : s.args) {
      Field(key, a.index);
      Field(key, a.value);
      Field(key, a.valueTwo);
      Field(key, a.op);
    }
  }
  return key;
}

std::string SeccompCachePath(const std::string& cache_dir, const std::string& key) {
  char name[32];
  std::snprintf(name, sizeof(name), "%016llx.bpf", static_cast<unsigned long long>(Fnv1a(key)));
  return cache_dir + "/" + name;
}

Result<SeccompFilter> CompileSeccompCached(const spec::Seccomp& profile, const std::string& cache_dir) {
  const std::string key = SeccompCacheKey(profile);
  const std::string path = SeccompCachePath(cache_dir, key);
  const bool trusted = TrustedDirectory(cache_dir);
  if (trusted) {
    int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
      struct stat st;
      std::string data;
      bool usable = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid() &&
                    (st.st_mode & 022) == 0 && base::ReadAll(fd, data).ok();
      close(fd);
      if (usable)
        if (auto filter = Decode(data, key)) return std::move(*filter);
    }
  }
  SeccompFilter filter = BERTH_TRY(CompileSeccompUncached(profile));
  StoreEntry(key, path, trusted, cache_dir, filter);
  return filter;
}

void StoreCompiledSeccomp(const spec::Seccomp& profile, const SeccompFilter& filter,
                          const std::string& cache_dir) {
  const std::string key = SeccompCacheKey(profile);
  StoreEntry(key, SeccompCachePath(cache_dir, key), TrustedDirectory(cache_dir), cache_dir, filter);
}

}  // namespace berth::process
