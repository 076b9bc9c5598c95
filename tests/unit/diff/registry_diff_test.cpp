#include "dismake/diff/registry_diff.h"

#include <gtest/gtest.h>

#include "support/registry_test_support.h"
#include "support/scratch_dir.h"

namespace dismake {
namespace {

namespace fs = std::filesystem;
using test::copy_hive;
using test::ScratchDir;

class RegistryDiffTest : public ::testing::Test {
 protected:
  // Two copies of the minimal hive: `before` and `after`.
  RegistryDiffTest()
      : before_(copy_hive("minimal.hive", dir_.path() / "before")),
        after_(copy_hive("minimal.hive", dir_.path() / "after")) {}

  RegistryDiff diff() {
    Hive before(before_);
    Hive after(after_);
    return diff_hives(before, after);
  }
  void change(const fs::path& file, void (*edit)(Hive&)) {
    Hive hive(file);
    edit(hive);
    hive.save();
  }

  ScratchDir dir_;
  fs::path before_;
  fs::path after_;
};

TEST_F(RegistryDiffTest, SameHivesHaveNoDifference) { EXPECT_TRUE(diff().empty()); }

TEST_F(RegistryDiffTest, ListsEveryKeyAndValueOfAnAddedTree) {
  change(after_, [](Hive& h) {
    h.set_value("Contoso\\Deep", "N", RegistryValue::dword(1));
    h.set_value("Contoso", "", RegistryValue::string("default"));
  });
  RegistryDiff d = diff();
  ASSERT_EQ(d.keys.size(), 2u);
  EXPECT_EQ(d.keys[0].key, "Contoso");
  EXPECT_EQ(d.keys[1].key, "Contoso\\Deep");
  ASSERT_EQ(d.values.size(), 2u);
  EXPECT_EQ(format_registry_diff(d, "HKEY_LOCAL_MACHINE\\SOFTWARE"),
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso]\n@=\"default\"\n\n"
            "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Deep]\n\"N\"=dword:00000001\n\n");
}

TEST_F(RegistryDiffTest, ChangedValueComparesCaseInsensitivelyAndShowsTheOldData) {
  change(before_, [](Hive& h) {
    h.set_value("Contoso", "Count", RegistryValue::dword(1));
    h.set_value("Contoso", "Gone", RegistryValue::string("x"));
  });
  change(after_, [](Hive& h) { h.set_value("CONTOSO", "count", RegistryValue::dword(2)); });
  RegistryDiff d = diff();
  EXPECT_TRUE(d.keys.empty());  // "CONTOSO" is the key "Contoso"
  ASSERT_EQ(d.values.size(), 2u);
  EXPECT_EQ(d.values[0].kind, RegistryChangeKind::kChanged);
  EXPECT_EQ(d.values[1].kind, RegistryChangeKind::kRemoved);
  EXPECT_EQ(format_registry_diff(d, "HKEY_CURRENT_USER"),
            "[HKEY_CURRENT_USER\\CONTOSO]\n"
            "; was: \"count\"=dword:00000001\n\"count\"=dword:00000002\n\"Gone\"=-\n\n");
}

TEST_F(RegistryDiffTest, RemovedSubtreeIsWrittenOnceAsItsTopKey) {
  change(before_, [](Hive& h) { h.set_value("A\\B\\C", "v", RegistryValue::dword(1)); });
  RegistryDiff d = diff();
  EXPECT_EQ(d.keys.size(), 3u);
  EXPECT_EQ(d.values.size(), 1u);
  EXPECT_EQ(format_registry_diff(d, "HKEY_LOCAL_MACHINE\\SYSTEM"),
            "[-HKEY_LOCAL_MACHINE\\SYSTEM\\A]\n\n");
}

TEST(FormatRegData, WritesWhatRegeditWrites) {
  EXPECT_EQ(format_reg_data(RegistryValue::string("a \"q\" C:\\x")), "\"a \\\"q\\\" C:\\\\x\"");
  EXPECT_EQ(format_reg_data(RegistryValue::dword(0x2a)), "dword:0000002a");
  EXPECT_EQ(format_reg_data(RegistryValue::qword(1)), "hex(b):01,00,00,00,00,00,00,00");
  EXPECT_EQ(format_reg_data(RegistryValue::multi_string({"a", "b"})),
            "hex(7):61,00,00,00,62,00,00,00,00,00");
  EXPECT_EQ(format_reg_data(RegistryValue(RegistryType::kBinary, "")), "hex:");
  // A string with a line break cannot be a .reg string.
  EXPECT_EQ(format_reg_data(RegistryValue::string("a\n")), "hex(1):61,00,0a,00,00,00");
  // Long data is continued with '\' within 80 columns, as regedit does.
  std::string long_data = format_reg_data(
      RegistryValue(RegistryType::kBinary, std::string(40, 'x')), std::string("\"Name\"=").size());
  size_t start = 0;
  int lines = 0;
  for (size_t end; (end = long_data.find('\n', start)) != std::string::npos; start = end + 1) {
    EXPECT_LE(end - start + 7, 80u);
    EXPECT_EQ(long_data[end - 1], '\\');
    ++lines;
  }
  EXPECT_GE(lines, 1);
  EXPECT_EQ(format_reg_data(RegistryValue(RegistryType::kBinary, std::string(40, 'x')), kNoWrap)
                .find('\n'),
            std::string::npos);
}

}  // namespace
}  // namespace dismake
