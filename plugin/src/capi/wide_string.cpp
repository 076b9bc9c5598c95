#include "wide_string.h"

#include <climits>
#include <cstdint>
#include <cwchar>

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

std::string required_path(const wchar_t* text, const char* parameter) {
  // Measured before converting: a path of a million characters is refused
  // without being copied.
  if (text && std::wcslen(text) >= PATH_MAX)
    throw Error(hr::kFilenameTooLong,
                std::string(parameter) + " is " + std::to_string(std::wcslen(text)) +
                    " characters long; a path on Linux has fewer than " + std::to_string(PATH_MAX) +
                    " bytes",
                "pass a shorter path");
  std::string path = required_utf8(text, parameter);
  if (path.size() >= PATH_MAX)
    throw Error(hr::kFilenameTooLong,
                std::string(parameter) + " is " + std::to_string(path.size()) +
                    " bytes long in UTF-8; a path on Linux has fewer than " +
                    std::to_string(PATH_MAX),
                "pass a shorter path");
  for (std::size_t start = 0; start < path.size();) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (end - start > NAME_MAX)
      throw Error(hr::kFilenameTooLong,
                  std::string(parameter) + " has a component of " + std::to_string(end - start) +
                      " bytes; a file name on Linux has at most " + std::to_string(NAME_MAX),
                  "pass a path with shorter names");
    start = end + 1;
  }
  return path;
}

std::wstring to_wide(const std::string& text) {
  std::wstring out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) out += static_cast<wchar_t>(decode_utf8(text, i));
  return out;
}

}  // namespace dismake::capi
