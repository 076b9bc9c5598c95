#include "wide_string.h"

#include <cstdint>

#include "dismake/base/error.h"

namespace dismake::capi {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

bool is_scalar_value(char32_t c) { return c <= 0x10FFFF && (c < 0xD800 || c > 0xDFFF); }

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

// Decodes the sequence starting at text[i] and advances i past it; an
// invalid or overlong sequence yields U+FFFD and consumes one byte.
char32_t decode_utf8(const std::string& text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80           ? 1
                       : (lead >> 5) == 0x6  ? 2
                       : (lead >> 4) == 0xE  ? 3
                       : (lead >> 3) == 0x1E ? 4
                                             : 0;
  if (length == 0 || i + length > text.size()) {
    ++i;
    return kReplacement;
  }
  if (length == 1) return static_cast<char32_t>(text[i++]);
  char32_t c = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kSmallest[length] || !is_scalar_value(c)) {
    ++i;
    return kReplacement;
  }
  i += length;
  return c;
}

}  // namespace

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
