#include "dismake/base/case_fold.h"

#include <locale.h>
#include <wctype.h>

#include <cstdint>

namespace dismake {

namespace {
locale_t utf8_locale() {
  static locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}

// Decodes one UTF-8 character at `i`; returns 0 and leaves `i` for a bad byte.
std::uint32_t decode(const std::string& s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || i + length > s.size()) return 0;
  std::uint32_t cp = length == 1 ? c : c & (0x7F >> length);
  for (int k = 1; k < length; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc >> 6) != 0x2) return 0;
    cp = (cp << 6) | (cc & 0x3F);
  }
  i += length;
  return cp;
}

void encode(std::uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}
}  // namespace

std::string fold_case(const std::string& utf8) {
  std::string out;
  out.reserve(utf8.size());
  locale_t locale = utf8_locale();
  for (size_t i = 0; i < utf8.size();) {
    size_t start = i;
    std::uint32_t cp = decode(utf8, i);
    if (i == start) {  // invalid byte: keep it
      out += utf8[i++];
      continue;
    }
    if (cp < 0x80) {
      out += static_cast<char>(cp >= 'a' && cp <= 'z' ? cp - 32 : cp);
    } else {
      wint_t upper = locale != static_cast<locale_t>(0)
                         ? towupper_l(static_cast<wint_t>(cp), locale)
                         : static_cast<wint_t>(cp);
      encode(static_cast<std::uint32_t>(upper), out);
    }
  }
  return out;
}

}  // namespace dismake
