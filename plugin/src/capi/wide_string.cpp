#include "wide_string.h"

#include <climits>
#include <cstdint>
#include <string>
#include <type_traits>

#include "dismake/base/error.h"
#include "dismake/base/utf8.h"

namespace dismake::capi {

namespace {

[[noreturn]] void refuse_invalid(const char* parameter, std::size_t position) {
#ifdef DISMAKE_UTF16
  throw Error(hr::kInvalidArg,
              std::string(parameter) +
                  " is not valid UTF-16 text (a surrogate without its pair at "
                  "code unit " +
                  std::to_string(position) + ")",
              "pass UTF-16 strings, as on Windows");
#else
  throw Error(hr::kInvalidArg,
              std::string(parameter) +
                  " is not valid Unicode text (no Unicode scalar value at "
                  "character " +
                  std::to_string(position) + ")",
              "pass UTF-32 wchar_t strings (wchar_t is 4 bytes on Linux)");
#endif
}

bool is_high_surrogate(char32_t c) { return c >= 0xD800 && c <= 0xDBFF; }
bool is_low_surrogate(char32_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

// The code point starting at text[i], moving i past it; throws for invalid text.
char32_t next_code_point(const WCHAR* text, std::size_t& i, const char* parameter) {
  std::size_t start = i;
  auto unit = static_cast<char32_t>(static_cast<std::make_unsigned_t<WCHAR>>(text[i++]));
#ifdef DISMAKE_UTF16
  if (is_high_surrogate(unit)) {
    auto low = static_cast<char32_t>(text[i]);  // text[i] is at worst the terminating NUL
    if (!is_low_surrogate(low)) refuse_invalid(parameter, start);
    ++i;
    return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
  }
#endif
  if (!is_scalar_value(unit)) refuse_invalid(parameter, start);
  return unit;
}

void append_code_point(DismText& out, char32_t c) {
#ifdef DISMAKE_UTF16
  if (c >= 0x10000) {
    c -= 0x10000;
    out += static_cast<WCHAR>(0xD800 + (c >> 10));
    out += static_cast<WCHAR>(0xDC00 + (c & 0x3FF));
    return;
  }
#endif
  out += static_cast<WCHAR>(c);
}

}  // namespace

std::string to_utf8(const WCHAR* text, const char* parameter) {
  if (!text) throw Error(hr::kInvalidArg, std::string(parameter) + " is NULL");
  std::string out;
  for (std::size_t i = 0; text[i];) append_utf8(out, next_code_point(text, i, parameter));
  return out;
}

std::string required_utf8(const WCHAR* text, const char* parameter) {
  std::string utf8 = to_utf8(text, parameter);
  if (utf8.empty()) throw Error(hr::kInvalidArg, std::string(parameter) + " is empty");
  return utf8;
}

std::string required_path(const WCHAR* text, const char* parameter) {
  // Measured before converting: a path of a million characters is refused
  // without being copied.
  std::size_t length = text ? std::char_traits<WCHAR>::length(text) : 0;
  if (length >= PATH_MAX)
    throw Error(hr::kFilenameTooLong,
                std::string(parameter) + " is " + std::to_string(length) +
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

DismText to_wide(const std::string& text) {
  DismText out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) append_code_point(out, decode_utf8(text, i));
  return out;
}

bool text_equals(const WCHAR* text, DismTextView literal) {
  return text && DismTextView(text) == literal;
}

}  // namespace dismake::capi
