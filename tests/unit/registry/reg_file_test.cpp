#include "dismake/registry/reg_file.h"

#include <gtest/gtest.h>

#include "dismake/base/error.h"
#include "dismake/base/utf8.h"
#include "dismake/registry/hive.h"
#include "support/registry_test_support.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using Kind = RegistryOperation::Kind;
using test::copy_hive;
using test::read_raw_value;
using test::read_text;
using test::ScratchDir;

// As regedit exports: UTF-16LE, a BOM, CRLF line ends.
std::string regedit_bytes(const std::string& utf8) {
  std::string crlf;
  for (char c : utf8) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return "\xff\xfe" + *utf8_to_utf16le(crlf);
}

Error parse_error(const std::string& text) {
  return test::error_of([&] { parse_reg_file(text, "settings.reg"); }, "this .reg text:\n" + text);
}

const char kHeader[] = "Windows Registry Editor Version 5.00\n\n";

TEST(RegFile, Utf16WithBomAsRegeditExports) {
  std::string text = std::string(kHeader) +
                     "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Caf\xc3\xa9]\n"
                     "\"Path\"=\"C:\\\\Program Files\\\\Contoso\"\n"
                     "\"Quote\"=\"say \\\"hi\\\"\"\n"
                     "@=\"default\"\n"
                     "\"Level\"=dword:0000002a\n";
  auto ops = parse_reg_file(regedit_bytes(text), "export.reg");
  ASSERT_EQ(ops.size(), 5u);
  EXPECT_EQ(ops[0].kind, Kind::kCreateKey);
  EXPECT_EQ(ops[0].key.hive_file, "Windows/System32/config/SOFTWARE");
  EXPECT_EQ(ops[0].key.key, "Contoso\\Caf\xc3\xa9");
  EXPECT_EQ(ops[1].kind, Kind::kSetValue);
  EXPECT_EQ(ops[1].name, "Path");
  EXPECT_EQ(ops[1].value, RegistryValue::string("C:\\Program Files\\Contoso"));
  EXPECT_EQ(ops[2].value, RegistryValue::string("say \"hi\""));
  EXPECT_EQ(ops[3].name, "");
  EXPECT_EQ(ops[3].value, RegistryValue::string("default"));
  EXPECT_EQ(ops[4].value, RegistryValue::dword(42));
  EXPECT_EQ(ops[4].line, 7);
}

TEST(RegFile, Utf8WithAndWithoutBom) {
  std::string text = "REGEDIT4\n[HKCU\\Software\\\xc3\x9c]\n\"N\xc3\xa4me\"=\"W\xc3\xa4rt\"\n";
  for (const std::string& bytes : {text, "\xef\xbb\xbf" + text}) {
    auto ops = parse_reg_file(bytes, "utf8.reg");
    ASSERT_EQ(ops.size(), 2u);
    EXPECT_EQ(ops[0].key.hive_file, "Users/Default/NTUSER.DAT");
    EXPECT_EQ(ops[0].key.key, "Software\\\xc3\x9c");
    EXPECT_EQ(ops[1].name, "N\xc3\xa4me");
    EXPECT_EQ(ops[1].value, RegistryValue::string("W\xc3\xa4rt"));
  }
}

TEST(RegFile, HexTypesWithContinuations) {
  std::string text = std::string(kHeader) +
                     "; a comment\n"
                     "[HKLM\\SOFTWARE\\T]\n"
                     "\"bin\"=hex:01,02,\\\n"
                     "  03,ff\n"
                     "\"exp\"=hex(2):25,00,41,00,25,00,00,00\n"
                     "\"multi\"=hex(7):61,00,00,00,\\\n"
                     "  62,00,00,00,\\\n"
                     "  00,00\n"
                     "\"q\"=hex(b):01,00,00,00,00,00,00,00\n"
                     "\"none\"=hex(0):\n"
                     "\"link\"=hex(6):41,00\n"
                     "\"empty\"=hex:\n"
                     "\r\n"
                     "\"after\"=dword:1\n";
  auto ops = parse_reg_file(text, "hex.reg");
  ASSERT_EQ(ops.size(), 9u);
  EXPECT_EQ(ops[1].value, RegistryValue(RegistryType::kBinary, "\x01\x02\x03\xff"));
  EXPECT_EQ(ops[1].line, 5);
  EXPECT_EQ(ops[2].value, RegistryValue::string("%A%", RegistryType::kExpandSz));
  EXPECT_EQ(ops[3].value, RegistryValue::multi_string({"a", "b"}));
  EXPECT_EQ(ops[4].value, RegistryValue::qword(1));
  EXPECT_EQ(ops[5].value, RegistryValue(RegistryType::kNone, ""));
  EXPECT_EQ(ops[6].value.type(), static_cast<RegistryType>(6));
  EXPECT_EQ(ops[7].value, RegistryValue(RegistryType::kBinary, ""));
  EXPECT_EQ(ops[8].value, RegistryValue::dword(1));
  EXPECT_EQ(ops[8].line, 16);
}

TEST(RegFile, Deletions) {
  std::string text = std::string(kHeader) +
                     "[-HKLM\\SOFTWARE\\Old]\n"
                     "[HKLM\\SOFTWARE\\Keep]\n"
                     "\"gone\"=-\n"
                     "@=-\n";
  auto ops = parse_reg_file(text, "del.reg");
  ASSERT_EQ(ops.size(), 4u);
  EXPECT_EQ(ops[0].kind, Kind::kDeleteKey);
  EXPECT_EQ(ops[0].key.key, "Old");
  EXPECT_TRUE(ops[0].if_exists);
  EXPECT_EQ(ops[2].kind, Kind::kDeleteValue);
  EXPECT_EQ(ops[2].name, "gone");
  EXPECT_EQ(ops[3].kind, Kind::kDeleteValue);
  EXPECT_EQ(ops[3].name, "");
}

TEST(RegFile, BackslashAtTheEndOfAStringIsNoContinuation) {
  std::string text =
      std::string(kHeader) + "[HKLM\\SOFTWARE\\K]\n\"dir\"=\"C:\\\\\"\n\"n\"=dword:2\n";
  auto ops = parse_reg_file(text, "x.reg");
  ASSERT_EQ(ops.size(), 3u);
  EXPECT_EQ(ops[1].value, RegistryValue::string("C:\\"));
}

TEST(RegFile, MalformedInputNamesFileAndLine) {
  struct Case {
    std::string text;
    std::string problem;
  };
  const std::string h = kHeader;  // two lines
  const Case cases[] = {
      {"[HKLM\\SOFTWARE\\K]\n", "line 1: expected 'Windows Registry Editor Version 5.00' or"},
      {h + "[HKLM\\SOFTWARE\\K]\nfoo=bar\n",
       "line 4: expected a [key] or a value, found 'foo=bar'"},
      {h + "\"a\"=\"b\"\n", "line 3: a value comes before any [key]"},
      {h + "[HKLM\\SOFTWARE\\K\n", "line 3: a key line must end with ']'"},
      {h + "[HKLM\\SOFTWARE\\K]\n\"a\"=\"unterminated\n",
       "line 4: a string is missing its closing"},
      {h + "[HKLM\\SOFTWARE\\K]\n\"a\"=hex:01,0g\n", "line 4: bad hex bytes '01,0g'"},
      {h + "[HKLM\\SOFTWARE\\K]\n\"a\"=dword:123456789\n",
       "line 4: dword: needs 1 to 8 hex digits"},
      {h + "[HKLM\\SOFTWARE\\K]\n\"a\"=word:1\n", "line 4: unrecognized value data 'word:1'"},
      {h + "[HKLM\\SOFTWARE\\K]\n\"a\"\n", "line 4: expected '=' after the value name"},
      {h + "[HKLM\\SOFTWARE\\K]\n\"a\"=\"x\\n\"\n", "line 4: unknown escape in a string"},
      {h + "[HKLM\\SOFTWARE\\K]\n\"a\"=hex(z):00\n", "line 4: hex(N): needs a type number"},
      {h + "[-HKLM\\SOFTWARE\\K]\n\"a\"=\"b\"\n", "line 4: a value follows a deleted key"},
      {h + "\n[HKLM\\FOO\\K]\n", "line 4: unknown registry hive 'HKLM\\FOO' in key 'HKLM\\FOO\\K'"},
  };
  for (const Case& c : cases) {
    Error error = parse_error(c.text);
    EXPECT_EQ(error.code(), hr::kInvalidData) << c.text;
    std::string expected = "malformed .reg file 'settings.reg' " + c.problem;
    EXPECT_EQ(error.problem().substr(0, expected.size()), expected) << error.problem();
    EXPECT_FALSE(error.hint().empty());
  }
}

TEST(RegFile, UnknownHiveKeepsTheHiveHint) {
  Error error = parse_error(std::string(kHeader) + "[HKLM\\FOO]\n");
  EXPECT_NE(error.hint().find("HKLM\\SOFTWARE"), std::string::npos);
}

TEST(RegFile, BadEncoding) {
  Error error = parse_error("REGEDIT4\n[HKLM\\SOFTWARE\\\xe9]\n");  // Latin-1, not UTF-8
  EXPECT_EQ(error.code(), hr::kInvalidData);
  EXPECT_EQ(error.problem(),
            "malformed .reg file 'settings.reg': it is neither UTF-16LE nor UTF-8 text");
  Error unpaired = parse_error("\xff\xfe\x00\xd8"s);  // a lone UTF-16 surrogate
  EXPECT_EQ(unpaired.problem(), error.problem());
}

class ApplyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Spelled unlike the canonical paths: image paths match in any case.
    software_ = copy_hive("minimal.hive", dir_.path() / "windows/system32/CONFIG/software");
    ntuser_ = copy_hive("special.hive", dir_.path() / "Users/Default/ntuser.dat");
  }

  ScratchDir dir_;
  fs::path software_;
  fs::path ntuser_;
};

TEST_F(ApplyTest, AppliesToEachHiveOnce) {
  std::string text = std::string(kHeader) +
                     "[HKLM\\SOFTWARE\\Contoso]\n"
                     "\"a\"=dword:1\n"
                     "[HKCU\\Software\\Contoso]\n"
                     "\"b\"=\"x\"\n"
                     "[HKLM\\SOFTWARE\\Contoso\\Sub]\n"
                     "@=\"d\"\n";
  auto ops = parse_reg_file(regedit_bytes(text), "a.reg");
  EXPECT_EQ(registry_hive_files(ops), (std::vector<std::string>{"Windows/System32/config/SOFTWARE",
                                                                "Users/Default/NTUSER.DAT"}));
  auto written = apply_registry_operations(dir_.path(), ops);
  EXPECT_EQ(written, (std::vector<std::string>{"windows/system32/CONFIG/software",
                                               "Users/Default/ntuser.dat"}));
  EXPECT_EQ(read_raw_value(software_, "Contoso", "a")->second, "\x01\0\0\0"s);
  EXPECT_EQ(read_raw_value(software_, "Contoso\\Sub", "")->second, "d\0\0\0"s);
  EXPECT_EQ(read_raw_value(ntuser_, "Software\\Contoso", "b")->second, "x\0\0\0"s);
}

TEST_F(ApplyTest, DeletionsOfMissingKeysAndValuesAreNoErrors) {
  std::string first = std::string(kHeader) +
                      "[HKLM\\SOFTWARE\\Old\\Deep]\n\"v\"=dword:1\n"
                      "[HKLM\\SOFTWARE\\Keep]\n\"gone\"=\"x\"\n\"stay\"=\"y\"\n";
  apply_registry_operations(dir_.path(), parse_reg_file(first, "1.reg"));
  std::string second = std::string(kHeader) +
                       "[-HKLM\\SOFTWARE\\old]\n"
                       "[-HKLM\\SOFTWARE\\NeverThere]\n"
                       "[HKLM\\SOFTWARE\\Keep]\n"
                       "\"GONE\"=-\n"
                       "\"never\"=-\n";
  apply_registry_operations(dir_.path(), parse_reg_file(second, "2.reg"));
  Hive hive(software_);
  EXPECT_FALSE(hive.has_key("Old"));
  EXPECT_FALSE(hive.get_value("Keep", "gone"));
  EXPECT_EQ(hive.get_value("Keep", "stay"), RegistryValue::string("y"));
}

TEST_F(ApplyTest, NothingChangedWritesNothing) {
  std::string text = std::string(kHeader) + "[-HKLM\\SOFTWARE\\NeverThere]\n";
  std::string before = read_text(software_);
  EXPECT_TRUE(apply_registry_operations(dir_.path(), parse_reg_file(text, "n.reg")).empty());
  EXPECT_EQ(read_text(software_), before);
}

TEST_F(ApplyTest, HiveMissingFromTheImageChangesNothing) {
  std::string text = std::string(kHeader) +
                     "[HKLM\\SOFTWARE\\Contoso]\n\"a\"=dword:1\n"
                     "[HKLM\\SYSTEM\\Setup]\n\"b\"=dword:2\n";
  std::string before = read_text(software_);
  try {
    apply_registry_operations(dir_.path(), parse_reg_file(text, "m.reg"));
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), hr::kFileNotFound);
    EXPECT_EQ(error.problem(), "the image at '" + dir_.path().string() +
                                   "' has no registry hive file 'Windows/System32/config/SYSTEM' "
                                   "for key 'HKLM\\SYSTEM\\Setup'");
  }
  EXPECT_EQ(read_text(software_), before);
}

TEST_F(ApplyTest, FailingOperationChangesNoHive) {
  std::vector<RegistryOperation> ops =
      parse_reg_file(std::string(kHeader) + "[HKCU\\A]\n\"v\"=dword:1\n", "f.reg");
  RegistryOperation strict;
  strict.kind = Kind::kDeleteValue;
  strict.key = parse_registry_path("HKLM\\SOFTWARE\\Missing");
  strict.name = "v";
  strict.if_exists = false;
  ops.push_back(strict);
  std::string software = read_text(software_);
  std::string ntuser = read_text(ntuser_);
  EXPECT_THROW(apply_registry_operations(dir_.path(), ops), Error);
  EXPECT_EQ(read_text(software_), software);
  EXPECT_EQ(read_text(ntuser_), ntuser);
}

}  // namespace
}  // namespace dismake
