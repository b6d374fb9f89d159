// The committed registry files, embedded in the harness at build time.
#pragma once

namespace berth::conformance {
extern const char kRequirementsTsv[];  // requirements.tsv (tools/extract-requirements)
extern const char kNotCheckableTsv[];  // not_checkable.tsv (hand-written reasons)
}  // namespace berth::conformance
