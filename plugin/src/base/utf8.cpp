#include "dismake/base/utf8.h"

#include <cstdint>

namespace dismake {

namespace {

void append_utf16le_unit(std::string& out, char32_t unit) {
  out.push_back(static_cast<char>(unit & 0xFF));
  out.push_back(static_cast<char>(unit >> 8));
}

}  // namespace

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

std::optional<char32_t> decode_utf8_strictly(std::string_view text, std::size_t& i) {
  auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char lead = byte(i);
  std::size_t length = lead < 0x80           ? 1
                       : (lead >> 5) == 0x6  ? 2
                       : (lead >> 4) == 0xE  ? 3
                       : (lead >> 3) == 0x1E ? 4
                                             : 0;
  if (length == 0 || i + length > text.size()) return std::nullopt;
  if (length == 1) return static_cast<char32_t>(text[i++]);
  char32_t c = lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return std::nullopt;
    c = (c << 6) | (byte(i + k) & 0x3F);
  }
  static constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (c < kSmallest[length] || !is_scalar_value(c)) return std::nullopt;
  i += length;
  return c;
}

char32_t decode_utf8(std::string_view text, std::size_t& i) {
  if (std::optional<char32_t> c = decode_utf8_strictly(text, i)) return *c;
  ++i;
  return kReplacementCharacter;
}

std::optional<std::string> utf8_to_utf16le(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() * 2);
  for (std::size_t i = 0; i < utf8.size();) {
    std::optional<char32_t> c = decode_utf8_strictly(utf8, i);
    if (!c) return std::nullopt;
    if (*c < 0x10000) {
      append_utf16le_unit(out, *c);
    } else {
      char32_t above = *c - 0x10000;
      append_utf16le_unit(out, 0xD800 | (above >> 10));
      append_utf16le_unit(out, 0xDC00 | (above & 0x3FF));
    }
  }
  return out;
}

std::optional<std::string> utf16le_to_utf8(std::string_view utf16) {
  if (utf16.size() % 2 != 0) return std::nullopt;
  auto unit = [&](std::size_t i) {
    return static_cast<char32_t>(static_cast<unsigned char>(utf16[i])) |
           static_cast<char32_t>(static_cast<unsigned char>(utf16[i + 1])) << 8;
  };
  std::string out;
  for (std::size_t i = 0; i < utf16.size(); i += 2) {
    char32_t c = unit(i);
    if (c >= 0xDC00 && c <= 0xDFFF) return std::nullopt;
    if (c >= 0xD800 && c <= 0xDBFF) {
      if (i + 4 > utf16.size()) return std::nullopt;
      char32_t low = unit(i + 2);
      if (low < 0xDC00 || low > 0xDFFF) return std::nullopt;
      c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    append_utf8(out, c);
  }
  return out;
}

}  // namespace dismake
