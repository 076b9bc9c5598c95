#include "dismake/registry/hive.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "dismake/base/error.h"
#include "dismake/registry/registry_path.h"
#include "support/registry_test_support.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

namespace fs = std::filesystem;
using namespace std::string_literals;
using namespace test;

class HiveTest : public ::testing::Test {
 protected:
  fs::path minimal() { return copy_hive("minimal.hive", dir_.path() / "SOFTWARE"); }
  fs::path special() { return copy_hive("special.hive", dir_.path() / "special"); }

  ScratchDir dir_;
};

TEST_F(HiveTest, EveryTypeRoundTrips) {
  fs::path path = minimal();
  const std::vector<std::pair<std::string, RegistryValue>> values = {
      {"sz", RegistryValue::parse("REG_SZ", "C:\\Program Files\\Contoso \xe2\x84\xa2")},
      {"expand", RegistryValue::parse("REG_EXPAND_SZ", "%SystemRoot%\\system32")},
      {"dword", RegistryValue::parse("REG_DWORD", "0xdeadbeef")},
      {"qword", RegistryValue::parse("REG_QWORD", "0x1122334455667788")},
      {"multi", RegistryValue::parse("REG_MULTI_SZ", "one;two;three")},
      {"binary", RegistryValue::parse("REG_BINARY", "00,01,fe,ff,10")},
      {"none", RegistryValue::parse("REG_NONE", "")},
      {"link", RegistryValue(static_cast<RegistryType>(6), "\x41\0"s)},
  };
  {
    Hive hive(path);
    for (const auto& [name, value] : values) hive.set_value("Dismake\\Types", name, value);
    EXPECT_TRUE(hive.save());
  }
  for (const auto& [name, value] : values) {
    auto raw = read_raw_value(path, "Dismake\\Types", name);
    ASSERT_TRUE(raw) << name;
    EXPECT_EQ(raw->first, static_cast<std::uint32_t>(value.type())) << name;
    EXPECT_EQ(raw->second, value.bytes()) << name;
  }
  Hive reopened(path);
  for (const auto& [name, value] : values) {
    EXPECT_EQ(reopened.get_value("Dismake\\Types", name), value) << name;
  }
}

TEST_F(HiveTest, HivexToolsReadWhatWeWrote) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("Contoso\\App", "Path", RegistryValue::string("C:\\Contoso"));
    hive.set_value("Contoso\\App", "Count", RegistryValue::dword(42));
    hive.set_value("Contoso\\App", "", RegistryValue::string("default"));
    hive.save();
  }
  std::string get = "hivexget " + quote(path.string()) + " '\\Contoso\\App' ";
  EXPECT_EQ(run_output(get + "Path"), "C:\\Contoso\n");
  EXPECT_EQ(run_output(get + "Count"), "42\n");
  EXPECT_EQ(run_output(get + "@"), "default\n");
  std::string listing =
      run_output("hivexsh " + quote(path.string()) + " <<'EOF'\ncd \\contoso\\app\nlsval\nEOF\n");
  EXPECT_NE(listing.find("\"Path\"=\"C:\\\\Contoso\""), std::string::npos) << listing;
}

TEST_F(HiveTest, CreatesMissingKeysAndKeepsExisting) {
  fs::path path = minimal();
  {
    Hive hive(path);
    EXPECT_FALSE(hive.has_key("A"));
    hive.create_key("A\\B\\C");
    hive.set_value("A\\B\\D", "x", RegistryValue::dword(1));
    EXPECT_TRUE(hive.has_key("A\\B\\C"));
    EXPECT_TRUE(hive.has_key(""));
    hive.save();
  }
  EXPECT_EQ(subkey_names(path, ""), std::vector<std::string>{"A"});
  EXPECT_EQ(subkey_names(path, "A\\B"), (std::vector<std::string>{"C", "D"}));
}

TEST_F(HiveTest, KeyAndValueNamesAreCaseInsensitive) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("Contoso\\App", "Name", RegistryValue::string("one"));
    hive.set_value("CONTOSO\\app", "NAME", RegistryValue::string("two"));
    EXPECT_EQ(hive.get_value("contoso\\APP", "name"), RegistryValue::string("two"));
    hive.save();
  }
  EXPECT_EQ(subkey_names(path, ""), std::vector<std::string>{"Contoso"});
  EXPECT_EQ(subkey_names(path, "Contoso"), std::vector<std::string>{"App"});
  // The replaced value keeps the spelling it had.
  std::string listing =
      run_output("hivexsh " + quote(path.string()) + " <<'EOF'\ncd \\Contoso\\App\nlsval\nEOF\n");
  EXPECT_EQ(listing, "\"Name\"=\"two\"\n");
}

TEST_F(HiveTest, UnicodeKeyNamesMatchInAnyCase) {
  fs::path path = special();
  std::vector<std::string> before = subkey_names(path, "");
  ASSERT_EQ(before.size(), 3u);
  {
    Hive hive(path);
    EXPECT_TRUE(hive.has_key("ABCD_\xc3\x84\xc3\x96\xc3\x9c\xc3\x9f"));  // ABCD_ÄÖÜß
    EXPECT_TRUE(hive.has_key("WEIRD\xe2\x84\xa2"));                      // WEIRD™
    hive.set_value("ABCD_\xc3\x84\xc3\x96\xc3\x9c\xc3\x9f", "v", RegistryValue::dword(7));
    hive.set_value("WEIRD\xe2\x84\xa2\\Sub", "\xc3\xa4", RegistryValue::dword(8));
    hive.save();
  }
  EXPECT_EQ(subkey_names(path, ""), before);
  Hive reopened(path);
  EXPECT_EQ(reopened.get_value("abcd_\xc3\xa4\xc3\xb6\xc3\xbc\xc3\x9f", "V"),
            RegistryValue::dword(7));
  EXPECT_EQ(reopened.get_value("weird\xe2\x84\xa2\\SUB", "\xc3\x84"), RegistryValue::dword(8));
}

TEST_F(HiveTest, NewKeysNeedAsciiNames) {
  fs::path path = minimal();
  std::string original = read_text(path);
  {
    Hive hive(path);
    Error error = error_of([&] { hive.create_key("Neu\\Caf\xc3\xa9\\Sub"); });
    EXPECT_EQ(error.code(), hr::kNotSupported);
    EXPECT_EQ(error.problem().rfind("cannot create registry key 'Neu\\Caf\xc3\xa9'", 0), 0u)
        << error.problem();
    EXPECT_FALSE(hive.has_key("Neu"));  // nothing of the path was made
    EXPECT_FALSE(hive.modified());
    EXPECT_EQ(error_of([&] { hive.create_key(std::string(256, 'k')); }).code(), hr::kInvalidArg);
    hive.create_key(std::string(255, 'k'));
  }
  EXPECT_EQ(read_text(path), original);
}

TEST_F(HiveTest, DefaultValue) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("Key", "", RegistryValue::string("d"));
    hive.set_value("Key", "other", RegistryValue::string("o"));
    hive.save();
  }
  auto raw = read_raw_value(path, "Key", "");
  ASSERT_TRUE(raw);
  EXPECT_EQ(raw->second, "d\0\0\0"s);
  Hive hive(path);
  EXPECT_TRUE(hive.delete_value("Key", ""));
  EXPECT_FALSE(hive.get_value("Key", ""));
  EXPECT_EQ(hive.get_value("Key", "other"), RegistryValue::string("o"));
}

TEST_F(HiveTest, DeleteValue) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("K", "a", RegistryValue::dword(1));
    hive.set_value("K", "b", RegistryValue::dword(2));
    hive.save();
  }
  {
    Hive hive(path);
    EXPECT_TRUE(hive.delete_value("k", "A"));
    EXPECT_FALSE(hive.delete_value("K", "a", /*if_exists=*/true));
    EXPECT_FALSE(hive.delete_value("Missing", "a", /*if_exists=*/true));
    hive.save();
  }
  EXPECT_FALSE(read_raw_value(path, "K", "a"));
  EXPECT_EQ(read_raw_value(path, "K", "b")->second, "\x02\0\0\0"s);
}

TEST_F(HiveTest, DeleteMissingValueOrKeyIsAnError) {
  fs::path path = minimal();
  std::string original = read_text(path);
  {
    Hive hive(path);
    hive.create_key("K");
    Error value = error_of([&] { hive.delete_value("K", "nope"); });
    EXPECT_EQ(value.code(), hr::kFileNotFound);
    EXPECT_EQ(value.problem(), "registry value 'nope' of key 'K' not found in registry hive '" +
                                   path.string() + "'");
    Error key = error_of([&] { hive.delete_key("K\\Missing"); });
    EXPECT_EQ(key.code(), hr::kFileNotFound);
    EXPECT_EQ(key.problem(),
              "registry key 'K\\Missing' not found in registry hive '" + path.string() + "'");
    EXPECT_EQ(error_of([&] { hive.delete_value("Missing", "x"); }).code(), hr::kFileNotFound);
    EXPECT_EQ(error_of([&] { hive.delete_key(""); }).code(), hr::kInvalidArg);
  }
  EXPECT_EQ(read_text(path), original);
}

TEST_F(HiveTest, DeleteKeyIsRecursive) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("Top\\Mid\\Leaf", "v", RegistryValue::dword(1));
    hive.set_value("Top\\Mid", "v", RegistryValue::dword(1));
    hive.create_key("Top\\Other");
    hive.save();
  }
  {
    Hive hive(path);
    EXPECT_TRUE(hive.delete_key("TOP\\mid"));
    EXPECT_FALSE(hive.delete_key("Top\\Mid", /*if_exists=*/true));
    hive.save();
  }
  EXPECT_EQ(subkey_names(path, "Top"), std::vector<std::string>{"Other"});
  Hive hive(path);
  EXPECT_FALSE(hive.has_key("Top\\Mid\\Leaf"));
}

TEST_F(HiveTest, SaveReplacesTheFileAtomicallyKeepingItsMode) {
  fs::path path = minimal();
  ::chmod(path.c_str(), 0640);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  ino_t before = st.st_ino;
  Hive hive(path);
  hive.set_value("K", "v", RegistryValue::dword(1));
  EXPECT_TRUE(hive.save());
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_NE(st.st_ino, before);  // renamed into place, not rewritten
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir_.path())) files.push_back(entry.path());
  EXPECT_EQ(files, std::vector<fs::path>{path});
}

TEST_F(HiveTest, UnchangedHiveIsNotRewritten) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("K", "v", RegistryValue::dword(1));
    hive.save();
  }
  std::string saved = read_text(path);
  Hive hive(path);
  hive.set_value("k", "V", RegistryValue::dword(1));  // already so
  hive.create_key("K");
  EXPECT_FALSE(hive.modified());
  EXPECT_FALSE(hive.save());
  EXPECT_EQ(read_text(path), saved);
}

TEST_F(HiveTest, SameChangesGiveSameBytes) {
  auto serviced = [&](const std::string& name) {
    fs::path path = copy_hive("minimal.hive", dir_.path() / name);
    Hive hive(path);
    hive.set_value("A\\B", "s", RegistryValue::string("x"));
    hive.set_value("A\\C", "d", RegistryValue::dword(3));
    hive.delete_key("A\\C");
    hive.save();
    return read_text(path);
  };
  EXPECT_EQ(serviced("one"), serviced("two"));
}

TEST_F(HiveTest, CurrentControlSetGoesToTheSelectedSet) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("Select", "Current", RegistryValue::dword(2));
    hive.create_key("ControlSet001");
    hive.create_key("ControlSet002\\Services");
    hive.set_value("CurrentControlSet\\Services\\Contoso", "Start", RegistryValue::dword(4));
    EXPECT_EQ(hive.get_value("CurrentControlSet\\Services\\Contoso", "Start"),
              RegistryValue::dword(4));
    hive.save();
  }
  EXPECT_TRUE(read_raw_value(path, "ControlSet002\\Services\\Contoso", "Start"));
  EXPECT_EQ(subkey_names(path, ""),
            (std::vector<std::string>{"ControlSet001", "ControlSet002", "Select"}));
}

TEST_F(HiveTest, CurrentControlSetWithoutSelectIsRefusedNamingTheSets) {
  fs::path path = minimal();
  std::string original = read_text(path);
  {
    Hive hive(path);
    hive.create_key("ControlSet001");
    hive.create_key("ControlSet002");
    Error error = error_of([&] {
      hive.set_value("CurrentControlSet\\Services\\Contoso", "Start", RegistryValue::dword(4));
    });
    EXPECT_EQ(error.code(), hr::kFileNotFound);
    EXPECT_NE(error.problem().find("(its control sets: ControlSet001, ControlSet002)"),
              std::string::npos)
        << error.problem();
    EXPECT_FALSE(hive.has_key("ControlSet001\\Services"));
  }
  Hive hive(path);
  Error error = error_of([&] { hive.create_key("CurrentControlSet\\Control"); });
  EXPECT_NE(error.problem().find("(its control sets: none)"), std::string::npos) << error.problem();
  EXPECT_FALSE(hive.modified());
  EXPECT_EQ(read_text(path), original);
}

TEST_F(HiveTest, KeysWrittenGetTheChangeTime) {
  fs::path path = minimal();
  {
    Hive hive(path);
    hive.set_value("Old", "v", RegistryValue::dword(1));
    hive.create_key("Kept");
    hive.save();
  }
  std::int64_t kept = key_filetime(path, "Kept");
  const std::int64_t when = 1700000000;  // 2023-11-14 22:13:20 UTC
  const std::int64_t filetime = (when + 11644473600) * 10000000;
  {
    Hive hive(path);
    hive.set_change_time(when);
    hive.set_value("New\\Deeper", "v", RegistryValue::dword(2));
    hive.set_value("Old", "w", RegistryValue::dword(3));
    hive.save();
  }
  EXPECT_EQ(key_filetime(path, "New"), filetime);
  EXPECT_EQ(key_filetime(path, "New\\Deeper"), filetime);
  EXPECT_EQ(key_filetime(path, "Old"), filetime);  // its values changed
  EXPECT_EQ(key_filetime(path, ""), filetime);     // a subkey was added
  EXPECT_EQ(key_filetime(path, "Kept"), kept);     // untouched
  EXPECT_NE(kept, filetime);
}

// Bytes that differ along the value, so a misplaced segment shows.
std::string big_data(size_t size, unsigned seed) {
  std::string data(size, '\0');
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<char>((i * 2654435761u + seed) >> 13);
  return data;
}

// The signature of the value's data cell in the file ("db" for big data).
std::string data_cell_signature(const fs::path& hive, const std::string& key,
                                const std::string& name) {
  auto cell = value_data_cell(hive, key, name);
  if (!cell) return "";
  return read_text(hive).substr(*cell + 4, 2);
}

// reglookup's complaints about the hive ("" when it reads it cleanly).
std::string reglookup_errors(const fs::path& hive) {
  return run_output("reglookup -H " + quote(hive.string()) +
                    " 2>&1 >/dev/null | grep ERROR || true");
}

TEST_F(HiveTest, BigValuesAreWrittenAsBigDataRecords) {
  fs::path path = minimal();
  const RegistryValue forty_kb(RegistryType::kBinary, big_data(40000, 1));
  const RegistryValue one_mb(RegistryType::kBinary, big_data(1 << 20, 2));
  const RegistryValue exact(RegistryType::kBinary, big_data(16345, 3));
  {
    Hive hive(path);
    hive.set_value("K", "40k", forty_kb);
    hive.set_value("K", "1m", one_mb);
    hive.set_value("K", "cell", RegistryValue(RegistryType::kBinary, big_data(16344, 4)));
    hive.set_value("K\\Sub", "edge", exact);
    EXPECT_TRUE(hive.get_value("K", "1m") == one_mb);  // read back before the save
    EXPECT_TRUE(hive.save());
    EXPECT_TRUE(hive.get_value("K", "40k") == forty_kb);  // and after it
  }
  EXPECT_TRUE(read_raw_value(path, "K", "40k")->second == forty_kb.bytes());
  EXPECT_TRUE(read_raw_value(path, "K", "1m")->second == one_mb.bytes());
  EXPECT_TRUE(read_raw_value(path, "K\\Sub", "edge")->second == exact.bytes());
  EXPECT_EQ(data_cell_signature(path, "K", "40k"), "db");
  EXPECT_EQ(data_cell_signature(path, "K", "1m"), "db");
  EXPECT_EQ(data_cell_signature(path, "K\\Sub", "edge"), "db");
  EXPECT_NE(data_cell_signature(path, "K", "cell"), "db");  // fits one cell
  EXPECT_EQ(reglookup_errors(path), "");
  Hive reopened(path);
  EXPECT_TRUE(reopened.get_value("K", "1m") == one_mb);
}

TEST_F(HiveTest, UnchangedBigValueKeepsItsRecordWhenTheKeyChanges) {
  fs::path path = minimal();
  const RegistryValue big(RegistryType::kBinary, big_data(21428, 5));
  {
    Hive hive(path);
    hive.set_value("ProductOptions", "ProductPolicy", big);
    hive.save();
  }
  auto record = value_data_cell(path, "ProductOptions", "ProductPolicy");
  ASSERT_TRUE(record);
  auto size_before = fs::file_size(path);
  {
    Hive hive(path);
    hive.set_value("ProductOptions", "ProductType", RegistryValue::string("WinNT"));
    hive.set_value("ProductOptions", "ProductSuite", RegistryValue::dword(1));
    hive.delete_value("ProductOptions", "ProductSuite");
    hive.save();
  }
  EXPECT_EQ(value_data_cell(path, "ProductOptions", "ProductPolicy"), record);
  EXPECT_TRUE(read_raw_value(path, "ProductOptions", "ProductPolicy")->second == big.bytes());
  EXPECT_LT(fs::file_size(path), size_before + 16344) << "the big value was written again";
  EXPECT_EQ(reglookup_errors(path), "");
}

// The used cells' total size, walking the hive bins: what the hive holds.
size_t used_cell_bytes(const fs::path& path) {
  std::string hive = read_text(path);
  auto get32 = [&](size_t at) {
    std::uint32_t v = 0;
    for (int i = 3; i >= 0; --i) v = v << 8 | static_cast<unsigned char>(hive[at + i]);
    return v;
  };
  size_t used = 0;
  for (size_t bin = 4096; bin + 32 <= hive.size(); bin += get32(bin + 8)) {
    for (size_t at = bin + 32; at < bin + get32(bin + 8);) {
      auto size = static_cast<std::int32_t>(get32(at));
      used += size < 0 ? static_cast<size_t>(-size) : 0;
      at += static_cast<size_t>(size < 0 ? -size : size);
    }
  }
  return used;
}

TEST_F(HiveTest, ReplacedOrDeletedBigValuesFreeTheirSegments) {
  fs::path path = minimal();
  size_t empty = used_cell_bytes(path);
  {
    Hive hive(path);
    hive.set_value("A\\B", "big", RegistryValue(RegistryType::kBinary, big_data(300000, 6)));
    hive.save();
  }
  size_t one = used_cell_bytes(path);
  EXPECT_GT(one, empty + 300000);
  const RegistryValue other(RegistryType::kBinary, big_data(300000, 7));
  {
    Hive hive(path);
    hive.set_value("A\\B", "big", other);
    hive.save();
  }
  EXPECT_LT(used_cell_bytes(path), one + 1024) << "the old segments were not freed";
  EXPECT_TRUE(read_raw_value(path, "A\\B", "big")->second == other.bytes());
  {
    Hive hive(path);
    hive.delete_key("A");
    hive.save();
  }
  EXPECT_LT(used_cell_bytes(path), empty + 1024) << "the deleted key's segments were not freed";
  EXPECT_EQ(reglookup_errors(path), "");
}

TEST_F(HiveTest, TooLargeValueIsRefusedAndChangesNothing) {
  fs::path path = minimal();
  std::string original = read_text(path);
  {
    Hive hive(path);
    Error error = error_of([&] {
      hive.set_value("K", "big", RegistryValue(RegistryType::kBinary, std::string(8000001, 'x')));
    });
    EXPECT_EQ(error.code(), hr::kNotSupported);
    EXPECT_NE(error.problem().find("8000001 bytes"), std::string::npos) << error.problem();
    EXPECT_FALSE(hive.modified());
  }
  EXPECT_EQ(read_text(path), original);
}

TEST_F(HiveTest, NotAHive) {
  fs::path path = dir_.path() / "text";
  std::ofstream(path) << std::string(10000, 'x');
  Error error = error_of([&] { Hive hive(path); });
  EXPECT_EQ(error.code(), hr::kBadFormat);
  EXPECT_EQ(error.problem(), "'" + path.string() + "' is not a registry hive file");
}

TEST_F(HiveTest, CorruptHive) {
  fs::path path = minimal();
  fs::resize_file(path, 4096);  // the header without any hive bins
  Error error = error_of([&] { Hive hive(path); });
  EXPECT_EQ(error.code(), hr::kInvalidData);
  EXPECT_EQ(error.problem().rfind("registry hive '" + path.string() + "' is corrupt", 0), 0u)
      << error.problem();
}

TEST_F(HiveTest, MissingHive) {
  fs::path path = dir_.path() / "absent";
  Error error = error_of([&] { Hive hive(path); });
  EXPECT_EQ(error.code(), hr::kFileNotFound);
  EXPECT_NE(error.problem().find(path.string()), std::string::npos);
}

TEST_F(HiveTest, BadKeyPath) {
  fs::path path = minimal();
  Hive hive(path);
  EXPECT_EQ(error_of([&] { hive.create_key("A\\\\B"); }).code(), hr::kInvalidArg);
  EXPECT_EQ(error_of([&] { hive.set_value("A", "\xff", RegistryValue::dword(1)); }).code(),
            hr::kInvalidArg);
  EXPECT_FALSE(hive.modified());
}

// What a CLI "set a value" does: parse everything, then change and save.
void set_from_text(const fs::path& hive_path, const std::string& key, const std::string& type,
                   const std::string& data) {
  RegistryPath path = parse_registry_path(key);
  RegistryValue value = RegistryValue::parse(type, data);
  Hive hive(hive_path);
  hive.set_value(path.key, "v", value);
  hive.save();
}

TEST_F(HiveTest, BadUserInputLeavesTheHiveByteIdentical) {
  fs::path path = minimal();
  std::string original = read_text(path);
  struct Case {
    const char* key;
    const char* type;
    const char* data;
    HResult code;
    const char* problem;
  };
  const Case cases[] = {
      {"HKLM\\FOO\\X", "REG_SZ", "a", hr::kInvalidArg,
       "unknown registry hive 'HKLM\\FOO' in key 'HKLM\\FOO\\X'"},
      {"HKLM\\SOFTWARE\\X", "REG_WORD", "1", hr::kInvalidArg,
       "unknown registry value type 'REG_WORD'"},
      {"HKLM\\SOFTWARE\\X", "REG_DWORD", "0x1ffffffff", hr::kInvalidArg,
       "REG_DWORD data '0x1ffffffff' is out of range"},
      {"HKLM\\SOFTWARE\\X", "REG_BINARY", "01,0z", hr::kInvalidArg,
       "REG_BINARY data '01,0z' is not hex bytes"},
  };
  for (const Case& c : cases) {
    Error error = error_of([&] { set_from_text(path, c.key, c.type, c.data); });
    EXPECT_EQ(error.code(), c.code) << c.problem;
    EXPECT_EQ(error.problem(), c.problem);
    EXPECT_EQ(read_text(path), original) << c.problem;
  }
}

}  // namespace
}  // namespace dismake
