#include "system_time.h"

#include <ctime>

namespace dismake::capi {

namespace {
constexpr std::uint64_t kTicksPerSecond = 10'000'000;
constexpr std::uint64_t kSeconds1601To1970 = 11'644'473'600;
}  // namespace

SYSTEMTIME system_time_from_filetime(std::uint64_t ticks) {
  SYSTEMTIME result{};
  if (ticks / kTicksPerSecond < kSeconds1601To1970) return result;
  std::time_t seconds = static_cast<std::time_t>(ticks / kTicksPerSecond - kSeconds1601To1970);
  std::tm utc{};
  if (!gmtime_r(&seconds, &utc)) return result;
  result.wYear = static_cast<WORD>(utc.tm_year + 1900);
  result.wMonth = static_cast<WORD>(utc.tm_mon + 1);
  result.wDayOfWeek = static_cast<WORD>(utc.tm_wday);
  result.wDay = static_cast<WORD>(utc.tm_mday);
  result.wHour = static_cast<WORD>(utc.tm_hour);
  result.wMinute = static_cast<WORD>(utc.tm_min);
  result.wSecond = static_cast<WORD>(utc.tm_sec);
  result.wMilliseconds = static_cast<WORD>(ticks % kTicksPerSecond / 10'000);
  return result;
}

}  // namespace dismake::capi
