// Wall-clock time as dismake records it: nanoseconds for stat comparisons
// (the tree index, event logs) and ISO 8601 for what people read.
#pragma once

#include <cstdint>
#include <string>

namespace dismake {

// Nanoseconds since 1970 (CLOCK_REALTIME, the clock file times use).
std::int64_t now_ns();

// The current time as ISO 8601 UTC ("2026-11-24T07:30:00Z").
std::string utc_now_iso8601();

// The time a reproducible output records (seconds since 1970):
// SOURCE_DATE_EPOCH when set (throws E_INVALIDARG when it is not a number),
// else `fallback`.
std::int64_t reproducible_time(std::int64_t fallback);

}  // namespace dismake
