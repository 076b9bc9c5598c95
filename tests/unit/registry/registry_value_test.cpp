#include "dismake/registry/registry_value.h"

#include <gtest/gtest.h>

#include "dismake/base/error.h"
#include "dismake/base/utf8.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

using namespace std::string_literals;

Error error_of(const std::string& type, const std::string& text) {
  return test::error_of([&] { RegistryValue::parse(type, text); }, type + " '" + text + "'");
}

TEST(RegistryValue, StringsAreUtf16LeWithTerminator) {
  RegistryValue value = RegistryValue::parse("REG_SZ", "h\xc3\xa9");
  EXPECT_EQ(value.type(), RegistryType::kSz);
  EXPECT_EQ(value.bytes(), "h\0\xe9\0\0\0"s);
  RegistryValue expand = RegistryValue::parse("reg_expand_sz", "%A%");
  EXPECT_EQ(expand.type(), RegistryType::kExpandSz);
  EXPECT_EQ(expand.bytes(), "%\0A\0%\0\0\0"s);
  EXPECT_EQ(RegistryValue::parse("SZ", "").bytes(), "\0\0"s);
}

TEST(RegistryValue, StringOutsideTheBmpUsesSurrogates) {
  RegistryValue value = RegistryValue::string("\xf0\x9f\x98\x80");  // U+1F600
  EXPECT_EQ(value.bytes(), "\x3d\xd8\x00\xde\0\0"s);
  EXPECT_EQ(utf16le_to_utf8(value.bytes().substr(0, 4)), "\xf0\x9f\x98\x80");
}

TEST(RegistryValue, Dword) {
  EXPECT_EQ(RegistryValue::parse("REG_DWORD", "42").bytes(), "\x2a\0\0\0"s);
  EXPECT_EQ(RegistryValue::parse("REG_DWORD", "0x2A").bytes(), "\x2a\0\0\0"s);
  EXPECT_EQ(RegistryValue::parse("dword", "0XFFFFFFFF").bytes(), "\xff\xff\xff\xff"s);
  EXPECT_EQ(RegistryValue::parse("REG_DWORD", "4294967295").bytes(), "\xff\xff\xff\xff"s);
  EXPECT_EQ(RegistryValue::parse("REG_DWORD", " 0x01020304 ").bytes(), "\x04\x03\x02\x01"s);
  EXPECT_EQ(RegistryValue::parse("REG_DWORD", "1").type(), RegistryType::kDword);
}

TEST(RegistryValue, DwordOutOfRange) {
  Error error = error_of("REG_DWORD", "4294967296");
  EXPECT_EQ(error.code(), hr::kInvalidArg);
  EXPECT_EQ(error.problem(), "REG_DWORD data '4294967296' is out of range");
  EXPECT_EQ(error.hint(), "give an unsigned number from 0 to 4294967295, decimal or 0x-hex");
  EXPECT_EQ(error_of("REG_DWORD", "0x100000000").problem(),
            "REG_DWORD data '0x100000000' is out of range");
}

TEST(RegistryValue, DwordNotANumber) {
  for (const char* text : {"", "abc", "-1", "0x", "12a", "1.5", "0x1g"}) {
    Error error = error_of("REG_DWORD", text);
    EXPECT_EQ(error.code(), hr::kInvalidArg);
    EXPECT_EQ(error.problem(), "REG_DWORD data '"s + text + "' is not a number");
  }
}

TEST(RegistryValue, Qword) {
  EXPECT_EQ(RegistryValue::parse("REG_QWORD", "0x1122334455667788").bytes(),
            "\x88\x77\x66\x55\x44\x33\x22\x11"s);
  EXPECT_EQ(RegistryValue::parse("REG_QWORD", "18446744073709551615").bytes(),
            std::string(8, '\xff'));
  EXPECT_EQ(RegistryValue::parse("REG_QWORD", "5").bytes(), "\x05\0\0\0\0\0\0\0"s);
  EXPECT_EQ(error_of("REG_QWORD", "18446744073709551616").problem(),
            "REG_QWORD data '18446744073709551616' is out of range");
}

TEST(RegistryValue, MultiSzFromText) {
  RegistryValue value = RegistryValue::parse("REG_MULTI_SZ", "a;bc");
  EXPECT_EQ(value.type(), RegistryType::kMultiSz);
  EXPECT_EQ(value.bytes(), "a\0\0\0b\0c\0\0\0\0\0"s);
  EXPECT_EQ(RegistryValue::parse("REG_MULTI_SZ", "").bytes(), "\0\0"s);
}

TEST(RegistryValue, MultiSzFromListKeepsSemicolons) {
  RegistryValue value = RegistryValue::multi_string({"a;b", "c"});
  EXPECT_EQ(value.bytes(), "a\0;\0b\0\0\0c\0\0\0\0\0"s);
}

TEST(RegistryValue, MultiSzRejectsEmptyItems) {
  for (const char* text : {"a;;b", "a;", ";a", ";"}) {
    Error error = error_of("REG_MULTI_SZ", text);
    EXPECT_EQ(error.code(), hr::kInvalidArg) << text;
    EXPECT_EQ(error.problem(), "REG_MULTI_SZ data has an empty item") << text;
  }
  EXPECT_THROW(RegistryValue::multi_string({"a", ""}), Error);
}

TEST(RegistryValue, BinaryForms) {
  EXPECT_EQ(RegistryValue::parse("REG_BINARY", "01,02,ff").bytes(), "\x01\x02\xff"s);
  EXPECT_EQ(RegistryValue::parse("REG_BINARY", "0102FF").bytes(), "\x01\x02\xff"s);
  EXPECT_EQ(RegistryValue::parse("REG_BINARY", "01, 02 ,ff").bytes(), "\x01\x02\xff"s);
  EXPECT_EQ(RegistryValue::parse("REG_BINARY", "").bytes(), "");
  EXPECT_EQ(RegistryValue::parse("REG_BINARY", "1,a").bytes(), "\x01\x0a"s);
  EXPECT_EQ(RegistryValue::parse("REG_NONE", "").type(), RegistryType::kNone);
  EXPECT_EQ(RegistryValue::parse("REG_NONE", "00").bytes(), "\0"s);
}

TEST(RegistryValue, BadHex) {
  for (const char* text : {"0g", "012", "01,,02", "001,02", "01,", "zz"}) {
    Error error = error_of("REG_BINARY", text);
    EXPECT_EQ(error.code(), hr::kInvalidArg) << text;
    EXPECT_EQ(error.problem(), "REG_BINARY data '"s + text + "' is not hex bytes");
    EXPECT_NE(error.hint().find("\"01,02,ff\" or \"0102ff\""), std::string::npos);
  }
}

TEST(RegistryValue, UnknownType) {
  Error error = error_of("REG_FOO", "1");
  EXPECT_EQ(error.code(), hr::kInvalidArg);
  EXPECT_EQ(error.problem(), "unknown registry value type 'REG_FOO'");
  EXPECT_EQ(error.hint(),
            "use one of REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_QWORD, REG_MULTI_SZ, REG_BINARY, "
            "REG_NONE");
  EXPECT_EQ(error_of("REG_LINK", "").code(), hr::kInvalidArg);
  EXPECT_EQ(error_of("", "").code(), hr::kInvalidArg);
}

TEST(RegistryValue, BadUtf8) {
  Error error = error_of("REG_SZ", "\xff");
  EXPECT_EQ(error.code(), hr::kInvalidArg);
  EXPECT_EQ(error.problem(), "REG_SZ data is not valid UTF-8 text");
  EXPECT_FALSE(utf8_to_utf16le("\xc0\x80"));      // overlong NUL
  EXPECT_FALSE(utf8_to_utf16le("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(utf16le_to_utf8("\x00\xd8"s));     // unpaired high surrogate
  EXPECT_FALSE(utf16le_to_utf8("a"));             // odd length
}

TEST(RegistryValue, TypeNames) {
  EXPECT_EQ(registry_type_name(RegistryType::kMultiSz), "REG_MULTI_SZ");
  EXPECT_EQ(registry_type_name(static_cast<RegistryType>(8)), "REG_TYPE_8");
}

}  // namespace
}  // namespace dismake
