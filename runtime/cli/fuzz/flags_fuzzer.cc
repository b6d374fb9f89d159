// libFuzzer target for the CLI flag parser (built by tools/fuzz; replayed
// over fuzz/corpus/flags by flags_fuzzer_corpus_test).
//
// Input: byte 0 picks the flag table and the positional mode, the rest is the
// argument vector split at NUL bytes. Whatever ParseFlags accepts must
// re-encode canonically ("--name=value" ..., "--", positionals) and parse back
// to the same flags; every error must say something.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/cli/flags.h"

namespace {

using berth::cli::FlagSpec;
using berth::cli::ParsedFlags;
using berth::cli::Positional;

// runc's global flags and the flags of create/exec: value flags, bool flags,
// one-letter aliases, and names that prefix each other.
const std::vector<FlagSpec>& GlobalFlags() {
  static const std::vector<FlagSpec> specs = {
      {{"debug"}, false, "debug"},
      {{"log"}, true, "log file"},
      {{"log-format"}, true, "text or json", "text"},
      {{"root"}, true, "state root", "/run/berth"},
      {{"systemd-cgroup"}, false, "systemd"},
      {{"rootless"}, true, "auto, true or false", "auto"},
  };
  return specs;
}

const std::vector<FlagSpec>& CreateFlags() {
  static const std::vector<FlagSpec> specs = {
      {{"bundle", "b"}, true, "bundle"},      {{"console-socket"}, true, "socket"},
      {{"pid-file"}, true, "pid file"},       {{"no-pivot"}, false, "no pivot"},
      {{"no-new-keyring"}, false, "keyring"}, {{"preserve-fds"}, true, "fds", "0"},
      {{"detach", "d"}, false, "detach"},
  };
  return specs;
}

const std::vector<FlagSpec>& ExecFlags() {
  static const std::vector<FlagSpec> specs = {
      {{"console-socket"}, true, "socket"},
      {{"cwd"}, true, "cwd"},
      {{"env", "e"}, true, "env"},
      {{"tty", "t"}, false, "tty"},
      {{"user", "u"}, true, "uid[:gid]"},
      {{"additional-gids", "g"}, true, "gids"},
      {{"process", "p"}, true, "process.json"},
      {{"detach", "d"}, false, "detach"},
      {{"pid-file"}, true, "pid file"},
      {{"process-label"}, true, "label"},
      {{"apparmor"}, true, "profile"},
      {{"no-new-privs"}, false, "nnp"},
      {{"cap", "c"}, true, "capability"},
      {{"preserve-fds"}, true, "fds", "0"},
      {{"ignore-paused"}, false, "paused"},
  };
  return specs;
}

const FlagSpec* Spec(const std::vector<FlagSpec>& specs, const std::string& canonical) {
  for (const auto& s : specs)
    if (s.names.front() == canonical) return &s;
  return nullptr;
}

// Every flag as "--canonical=value" (in name order: the parsed form does not
// keep the interleaving), then "--" and the positionals.
std::vector<std::string> Encode(const ParsedFlags& flags) {
  std::vector<std::string> args;
  for (const auto& [name, values] : flags.values_)
    for (const auto& value : values) args.push_back("--" + name + "=" + value);
  args.push_back("--");
  args.insert(args.end(), flags.positional.begin(), flags.positional.end());
  return args;
}

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const uint8_t selector = data[0];
  const std::vector<FlagSpec>* tables[] = {&GlobalFlags(), &CreateFlags(), &ExecFlags()};
  const std::vector<FlagSpec>& specs = *tables[selector % 3];
  const Positional mode = (selector & 0x4) ? Positional::kStopAtFirst : Positional::kInterleaved;

  std::vector<std::string> args;
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  while (!rest.empty()) {
    size_t nul = rest.find('\0');
    args.emplace_back(rest.substr(0, nul));
    rest = nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
  }

  auto parsed = berth::cli::ParseFlags(args, specs, mode);
  if (!parsed.ok()) {
    Check(!parsed.error().message().empty());
    return 0;
  }
  const ParsedFlags& flags = parsed.value();
  size_t values = 0;
  for (const auto& [name, list] : flags.values_) {
    const FlagSpec* spec = Spec(specs, name);
    Check(spec != nullptr);  // only canonical names are recorded
    Check(!list.empty());
    for (const auto& value : list) {
      if (!spec->takes_value) Check(value == "true" || value == "false");
    }
    Check(flags.Has(name) && flags.Get(name) == list.back() && flags.GetAll(name) == list);
    if (!spec->takes_value) Check(flags.Bool(name) == (list.back() == "true"));
    auto number = flags.Int(name, 0);
    if (!number.ok()) Check(!number.error().message().empty());
    values += list.size();
  }
  // Each argument is a flag, a flag's value, "--", or one positional.
  Check(values + flags.positional.size() <= args.size());
  if (mode == Positional::kStopAtFirst && !flags.positional.empty()) {
    // The first positional ends the flags: the rest is kept verbatim.
    Check(flags.positional.size() <= args.size());
    Check(std::equal(flags.positional.rbegin(), flags.positional.rend(), args.rbegin()));
  }

  std::vector<std::string> encoded = Encode(flags);
  auto again = berth::cli::ParseFlags(encoded, specs, mode);
  Check(again.ok());
  Check(again.value().values_ == flags.values_);
  Check(again.value().positional == flags.positional);
  (void)berth::cli::FlagHelp(specs);
  return 0;
}
