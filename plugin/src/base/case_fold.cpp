#include "dismake/base/case_fold.h"

#include <locale.h>
#include <wctype.h>

#include "dismake/base/utf8.h"

namespace dismake {

namespace {
locale_t utf8_locale() {
  static locale_t locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
  return locale;
}
}  // namespace

std::string fold_case(const std::string& utf8) {
  std::string out;
  out.reserve(utf8.size());
  locale_t locale = utf8_locale();
  for (size_t i = 0; i < utf8.size();) {
    std::optional<char32_t> decoded = decode_utf8_strictly(utf8, i);
    if (!decoded) {
      out += utf8[i++];  // an invalid byte is kept as it is
      continue;
    }
    char32_t cp = *decoded;
    if (cp < 0x80) {
      out += static_cast<char>(cp >= 'a' && cp <= 'z' ? cp - 32 : cp);
    } else {
      wint_t upper = locale != static_cast<locale_t>(0)
                         ? towupper_l(static_cast<wint_t>(cp), locale)
                         : static_cast<wint_t>(cp);
      append_utf8(out, static_cast<char32_t>(upper));
    }
  }
  return out;
}

}  // namespace dismake
