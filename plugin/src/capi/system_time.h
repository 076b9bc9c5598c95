// Windows times as a WIM's XML records them (FILETIME: 100 ns ticks since
// 1601-01-01 UTC) turned into the SYSTEMTIME DISM's structures carry.
#pragma once

#include <cstdint>

#include "dismapi.h"

namespace dismake::capi {

// FILETIME → SYSTEMTIME (UTC). All zero for 0 or a time before 1970.
SYSTEMTIME system_time_from_filetime(std::uint64_t filetime);

}  // namespace dismake::capi
