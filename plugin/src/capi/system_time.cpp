#include "system_time.h"

#include <cstdlib>
#include <ctime>
#include <optional>

namespace dismake::capi {

namespace {

constexpr std::uint64_t kTicksPerSecond = 10'000'000;
constexpr std::uint64_t kSeconds1601To1970 = 11'644'473'600;

std::optional<std::uint32_t> parse_part(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  if (*end != '\0' || value > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

}  // namespace

SYSTEMTIME system_time_from_filetime(const std::string& high_part, const std::string& low_part) {
  SYSTEMTIME result{};
  auto high = parse_part(high_part);
  auto low = parse_part(low_part);
  if (!high || !low) return result;
  std::uint64_t ticks = (std::uint64_t{*high} << 32) | *low;
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
