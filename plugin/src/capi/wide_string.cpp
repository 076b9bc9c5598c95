#include "wide_string.h"

#include <cstdint>

#include "dismake/base/error.h"
#include "dismake/base/utf8.h"

namespace dismake::capi {

std::string to_utf8(const wchar_t* text, const char* parameter) {
  if (!text) throw Error(hr::kInvalidArg, std::string(parameter) + " is NULL");
  std::string out;
  for (const wchar_t* p = text; *p; ++p) {
    auto c = static_cast<char32_t>(static_cast<std::uint32_t>(*p));
    if (!is_scalar_value(c))
      throw Error(hr::kInvalidArg, std::string(parameter) + " is not valid Unicode text",
                  "pass UTF-32 wchar_t strings (wchar_t is 4 bytes on Linux)");
    append_utf8(out, c);
  }
  return out;
}

std::string required_utf8(const wchar_t* text, const char* parameter) {
  std::string utf8 = to_utf8(text, parameter);
  if (utf8.empty()) throw Error(hr::kInvalidArg, std::string(parameter) + " is empty");
  return utf8;
}

std::wstring to_wide(const std::string& text) {
  std::wstring out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) out += static_cast<wchar_t>(decode_utf8(text, i));
  return out;
}

}  // namespace dismake::capi
