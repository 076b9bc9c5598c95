// The base layer's text rules: Windows' case-insensitive names, UTF-8, and
// the HRESULT message format every error follows.
#include <gtest/gtest.h>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/utf8.h"

namespace dismake {
namespace {

TEST(CaseFold, FoldsAsciiAndOtherScripts) {
  EXPECT_EQ(fold_case("Windows/System32"), fold_case("WINDOWS/system32"));
  EXPECT_EQ(fold_case("Users/Public/Документы"), fold_case("users/public/документы"));
  EXPECT_EQ(fold_case("Ärger.txt"), fold_case("ärger.TXT"));
  EXPECT_NE(fold_case("a.txt"), fold_case("b.txt"));
}

TEST(CaseFold, KeepsInvalidBytes) {
  std::string bad = "a\xff" "b";
  EXPECT_EQ(fold_case(bad), "A\xff" "B");
}

TEST(Utf8, RoundTripsAndRejectsBadSequences) {
  std::string text = "x\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80";  // x é 日 😀
  std::string out;
  for (size_t i = 0; i < text.size();) append_utf8(out, decode_utf8(text, i));
  EXPECT_EQ(out, text);
  std::string overlong = "\xc0\xaf";
  size_t i = 0;
  EXPECT_EQ(decode_utf8(overlong, i), kReplacementCharacter);
  EXPECT_EQ(i, 1u);
  EXPECT_FALSE(is_scalar_value(0xD800));
}

TEST(Error, MessageNamesProblemHintAndCode) {
  Error e(hr::kInvalidImageIndex, "image index 7 is not in 'base.wim'", "it has images 1 to 2");
  EXPECT_STREQ(e.what(),
               "image index 7 is not in 'base.wim'; it has images 1 to 2 "
               "(0xC0040005 DISMAPI_E_INVALID_IMAGE_INDEX)");
  EXPECT_EQ(format_hresult(0x12345678), "0x12345678");
}

}  // namespace
}  // namespace dismake
