// Windows times as a WIM's XML records them (FILETIME: 100 ns ticks since
// 1601-01-01 UTC, split into HIGHPART and LOWPART hex strings) turned into
// the SYSTEMTIME DISM's structures carry.
#pragma once

#include <cstdint>
#include <string>

#include "dismapi.h"

namespace dismake::capi {

// "0x01D5C0A9", "0x8B2E6A00" → SYSTEMTIME (UTC). All zero when either part
// is missing or not a number, or the time is before 1970.
SYSTEMTIME system_time_from_filetime(const std::string& high_part, const std::string& low_part);

}  // namespace dismake::capi
