// Names Windows cannot store, refused with the rule they break.
#include "dismake/store/windows_name.h"

#include <gtest/gtest.h>

#include "dismake/base/error.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

HResult code_of(const std::string& name) {
  return test::hresult_of([&] { check_windows_name(name, "Windows/" + name); });
}

TEST(WindowsName, RefusesWhatWindowsCannotStore) {
  for (const char* bad : {"con", "AUX", "nul.txt", "com1", "LPT9.log", "prn ", "x.", "x ", "a*",
                          "a?", "a<b", "a>b", "a|b", "a\"b", "abc:def", "back\\slash", "tab\there"})
    EXPECT_EQ(code_of(bad), hr::kInvalidName) << bad;
  EXPECT_EQ(code_of("latin1-\xe9"), hr::kNoUnicodeTranslation);
  EXPECT_EQ(code_of(std::string(256, 'n')), hr::kFilenameTooLong);
}

TEST(WindowsName, AcceptsWhatOnlyLooksReserved) {
  for (const char* good : {"console.txt", "com10", "lpt", "auxiliary", "Документы", "日本語.txt",
                           ".hidden", "a b", "replacement \xef\xbf\xbd"})
    EXPECT_EQ(code_of(good), hr::kOk) << good;
}

TEST(WindowsName, NamesBothOfACaseCollision) {
  try {
    check_no_case_collision({{"README.TXT", false}, {"Readme.txt", false}}, "overlay/Windows");
    FAIL() << "a case collision was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), hr::kAlreadyExists);
    EXPECT_NE(e.problem().find("'README.TXT' and 'Readme.txt'"), std::string::npos);
  }
  EXPECT_THROW(check_no_case_collision({{"Tools", true}, {"tools", false}}, "overlay"), Error);
  EXPECT_NO_THROW(check_no_case_collision({{"a.txt", false}, {"b.txt", false}}, "overlay"));
  // Two spellings of one directory are one directory: merged, not refused.
  EXPECT_NO_THROW(check_no_case_collision({{"Tools", true}, {"tools", true}}, "overlay"));
}

}  // namespace
}  // namespace dismake
