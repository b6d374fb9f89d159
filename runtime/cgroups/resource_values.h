// Values shared by the v1 and v2 resource writers, and the v1 -> v2 unit
// conversions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::cgroups {

// runc's reading of 0 for the fields where the kernel has no meaning for it
// (cpu shares/quota/period/realtime*, blockIO weights): "not set". Engines
// send zeros for what the user did not ask for (docker: blockIO.weight 0).
// Both writers apply it first, so they only see values to write.
spec::Resources WithoutUnsetZeros(spec::Resources resources);

// pids.max: the limit (0 included); negative or absent is "max".
std::string PidsMaxValue(const spec::PidsResources& pids);

// rdma.max line "mlx5_1 hca_handle=3 hca_object=10000" (absent fields left
// out; just the device name when both are absent).
Result<std::string> RdmaMaxLine(const std::string& device, const spec::RdmaLimit& limit);

// cpu.shares [2, 262144] -> cpu.weight [1, 10000], linear, the mapping the
// kernel documentation and other runtimes use; 0 stays 0 (unset).
uint64_t CpuSharesToWeight(uint64_t shares);

// blkio weight [10, 1000] -> io.weight [1, 10000], linear; 0 stays 0.
uint64_t BlkioWeightToIoWeight(uint64_t weight);

// memory.swap (v1 meaning: memory+swap) -> v2 memory.swap.max value
// (swap alone). nullopt: leave memory.swap.max alone. -1 means "max".
Result<std::optional<int64_t>> SwapToV2(std::optional<int64_t> swap, std::optional<int64_t> limit);

// "max" for -1 (or any negative), the number otherwise.
std::string LimitValue(int64_t v);

}  // namespace berth::cgroups
