// Signal dispositions and mask back to the defaults before the container's
// process runs. Ignored signals and the mask survive execve, so only the
// signals the runtime inherited ignored (or caught) are reset: found by the
// PARENT from its SigIgn/SigCgt in the host's /proc/self/status (one read;
// clone and fork copy the dispositions), reset by the CHILD (one
// rt_sigaction each, not 64).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace berth::process {

// The hex mask of `field` ("SigIgn", "SigCgt") in /proc/PID/status text;
// bit n-1 is signal n. nullopt when absent or malformed.
std::optional<uint64_t> ParseStatusSignalMask(std::string_view status, std::string_view field);

// PARENT side: the ignored or caught signals (bit n-1 is signal n); every
// signal when /proc/self/status cannot be read.
uint64_t ChangedSignalDispositions();

// CHILD side: the signals in `changed` to SIG_DFL, then an empty mask.
void ResetSignalDispositions(uint64_t changed);

}  // namespace berth::process
