// Every servicing op, run as a step (run_step) on real WIM images, lazy and
// full mounts alike, checked in the COMMITTED image with independent readers
// (wimlib-imagex for the tree, hivex for hives).
#include "dismake/ops/servicing_ops.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "dismake/base/files.h"
#include "dismake/ops/step_runner.h"
#include "support/ops_test_support.h"
#include "support/registry_test_support.h"

namespace dismake {
namespace {

using test::count_files;
using test::expect_error;
using test::StepsTest;
using test::wim_file;
using test::wim_has;
using test::write_text;

const char* kSoftware = "/Windows/System32/config/SOFTWARE";

class OpsOnMount : public test::StepsTest, public ::testing::WithParamInterface<bool> {
 protected:
  bool lazy() const { return GetParam(); }
  fs::path open_mount() { return mount("mount", lazy()); }

  // The committed image's SOFTWARE hive, extracted to a scratch file.
  fs::path committed_software(const fs::path& wim) {
    fs::path hive = scratch / ("SOFTWARE-" + wim.stem().string());
    test::wim_extract(wim, 1, kSoftware, hive);
    return hive;
  }
};

INSTANTIATE_TEST_SUITE_P(Mounts, OpsOnMount, ::testing::Values(true, false),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Lazy" : "Full";
                         });

// --- add ------------------------------------------------------------------

TEST_P(OpsOnMount, AddFileReplacesTheExistingFileMatchedCaseInsensitively) {
  fs::path m = open_mount();
  write_text(scratch / "hosts", "10.0.0.1 contoso\r\n");
  EXPECT_EQ(
      step(m, make_add_files_op(scratch / "hosts", "windows/system32/DRIVERS/etc/HOSTS")).action,
      StepAction::kRan);
  fs::path out = commit(m, "out.wim");
  EXPECT_EQ(wim_file(out, 1, "/Windows/System32/drivers/etc/hosts"), "10.0.0.1 contoso\r\n");
  EXPECT_FALSE(wim_has(out, 1, "/windows"));
  EXPECT_FALSE(wim_has(out, 1, "/Windows/System32/drivers/etc/HOSTS"));
  EXPECT_TRUE(wim_has(out, 1, "/Windows/System32/drivers/etc/lmhosts.sam"));
}

TEST_P(OpsOnMount, AddFileCreatesMissingParentDirectories) {
  fs::path m = open_mount();
  write_text(scratch / "setup.cmd", "echo hi\r\n");
  step(m, make_add_files_op(scratch / "setup.cmd", "Windows/Setup/Scripts/SetupComplete.cmd"));
  fs::path out = commit(m, "out.wim");
  EXPECT_EQ(wim_file(out, 1, "/Windows/Setup/Scripts/SetupComplete.cmd"), "echo hi\r\n");
}

TEST_P(OpsOnMount, AddDirectoryMergesIntoExistingDirectoriesAndLaterFilesWin) {
  fs::path m = open_mount();
  // `windows/` and `system32/` spelled otherwise than in the image.
  write_text(scratch / "ov1/windows/system32/kernel32.dll", "overlay one\n");
  write_text(scratch / "ov1/windows/system32/extra/new.dll", "new\n");
  write_text(scratch / "ov2/Windows/System32/kernel32.dll", "overlay two\n");
  step(m, make_add_files_op(scratch / "ov1", "/"));
  step(m, make_add_files_op(scratch / "ov2", ""));
  fs::path out = commit(m, "out.wim");
  EXPECT_EQ(wim_file(out, 1, "/Windows/System32/kernel32.dll"), "overlay two\n");
  EXPECT_EQ(wim_file(out, 1, "/Windows/System32/extra/new.dll"), "new\n");
  // Merged, not replaced: what the overlays did not name is still there.
  EXPECT_EQ(wim_file(out, 1, "/Windows/System32/ntdll.dll"), "ntdll placeholder\n");
  EXPECT_TRUE(wim_has(out, 1, "/Windows/Fonts/big.ttf"));
  EXPECT_FALSE(wim_has(out, 1, "/windows"));
  EXPECT_FALSE(wim_has(out, 1, "/Windows/system32"));
}

TEST_P(OpsOnMount, AddDirectoryIntoASubdirectoryKeepsEmptyDirectories) {
  fs::path m = open_mount();
  write_text(scratch / "ov/Scripts/run.cmd", "run\r\n");
  fs::create_directories(scratch / "ov/EmptyDir");
  step(m, make_add_files_op(scratch / "ov", "Windows/Setup"));
  fs::path out = commit(m, "out.wim");
  EXPECT_EQ(wim_file(out, 1, "/Windows/Setup/Scripts/run.cmd"), "run\r\n");
  EXPECT_TRUE(wim_has(out, 1, "/Windows/Setup/EmptyDir"));
}

// An image is case-insensitive: two spellings of one new directory in one
// overlay are one directory in the image, never two.
TEST_P(OpsOnMount, OverlayWithTwoSpellingsOfANewDirectoryMakesOneDirectory) {
  fs::path m = open_mount();
  write_text(scratch / "ov/Tools/a.exe", "a");
  write_text(scratch / "ov/tools/b.exe", "b");
  step(m, make_add_files_op(scratch / "ov", ""));
  fs::path out = commit(m, "out.wim");
  std::string listing = test::wim_listing(out);
  bool upper = wim_has(out, 1, "/Tools"), lower = wim_has(out, 1, "/tools");
  EXPECT_NE(upper, lower) << "expected exactly one of /Tools and /tools:\n" << listing;
  std::string dir = upper ? "/Tools" : "/tools";
  EXPECT_EQ(wim_file(out, 1, dir + "/a.exe"), "a");
  EXPECT_EQ(wim_file(out, 1, dir + "/b.exe"), "b");
}

// --- delete -----------------------------------------------------------------

TEST_P(OpsOnMount, DeleteRemovesDirectoriesRecursively) {
  fs::path m = open_mount();
  step(m, make_delete_paths_op({"windows/LOGS", "\\Users\\Public\\desktop.ini"}, false));
  fs::path out = commit(m, "out.wim");
  std::string listing = test::wim_listing(out);
  EXPECT_EQ(listing.find("/Windows/Logs"), std::string::npos) << listing;
  EXPECT_FALSE(wim_has(out, 1, "/Users/Public/desktop.ini"));
  EXPECT_TRUE(wim_has(out, 1, "/Users/Public"));
  EXPECT_TRUE(wim_has(out, 1, "/Windows/win.ini"));
}

TEST_P(OpsOnMount, DeleteOfAMissingPathFailsUnlessIfExists) {
  fs::path m = open_mount();
  test::MountSnapshot before = test::snapshot_mount(m);
  Error e = expect_error(hr::kPathNotFound, [&] {
    step(m, make_delete_paths_op({"Windows/win.ini", "Windows/NoSuchFile"}, false));
  });
  EXPECT_NE(std::string(e.what()).find("NoSuchFile"), std::string::npos) << e.what();
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "")
      << "a refused delete changed the mount";

  step(m, make_delete_paths_op({"Windows/win.ini", "Windows/NoSuchFile"}, true));
  fs::path out = commit(m, "out.wim");
  EXPECT_FALSE(wim_has(out, 1, "/Windows/win.ini"));
}

TEST_P(OpsOnMount, DeletingADirectoryAlsoDeletesWhatEarlierStepsAddedInIt) {
  fs::path m = open_mount();
  write_text(scratch / "new.txt", "new\n");
  step(m, make_add_files_op(scratch / "new.txt", "Users/Public/Added/new.txt"));
  step(m, make_delete_paths_op({"users/public"}, false));
  fs::path out = commit(m, "out.wim");
  std::string listing = test::wim_listing(out);
  EXPECT_EQ(listing.find("/Users/Public"), std::string::npos) << listing;
  EXPECT_TRUE(wim_has(out, 1, "/Users/Default"));
}

// --- rename -----------------------------------------------------------------

TEST_P(OpsOnMount, RenameMovesFilesAndDirectoriesWithTheirContent) {
  fs::path m = open_mount();
  write_text(scratch / "added.txt", "added\n");
  step(m, make_add_files_op(scratch / "added.txt", "Users/Public/added.txt"));
  step(m, make_rename_path_op("windows/win.ini", "Windows/system.ini"));
  step(m, make_rename_path_op("users/public", "Users/Shared"));
  fs::path out = commit(m, "out.wim");
  EXPECT_EQ(wim_file(out, 1, "/Windows/system.ini"), "[fonts]\r\n");
  EXPECT_FALSE(wim_has(out, 1, "/Windows/win.ini"));
  EXPECT_EQ(wim_file(out, 1, "/Users/Shared/desktop.ini"), "desktop.ini\r\n");
  EXPECT_EQ(wim_file(out, 1, "/Users/Shared/added.txt"), "added\n");
  EXPECT_EQ(wim_file(out, 1, "/Users/Shared/Документы/файл.txt"), "файл\n");
  std::string listing = test::wim_listing(out);
  EXPECT_EQ(listing.find("/Users/Public"), std::string::npos) << listing;
}

TEST_P(OpsOnMount, RenameRefusesAnExistingTargetAndAMissingSource) {
  fs::path m = open_mount();
  test::MountSnapshot before = test::snapshot_mount(m);
  expect_error(hr::kAlreadyExists, [&] {
    step(m, make_rename_path_op("Windows/win.ini", "windows/system32/NTDLL.dll"));
  });
  expect_error(hr::kPathNotFound,
               [&] { step(m, make_rename_path_op("Windows/nope", "Windows/x")); });
  expect_error(hr::kPathNotFound,
               [&] { step(m, make_rename_path_op("Windows/win.ini", "NoDir/win.ini")); });
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "");
}

// --- registry ---------------------------------------------------------------

struct TypedValue {
  const char* name;
  const char* type;
  const char* data;
  std::uint32_t type_number;
  std::string bytes;
};

std::string u16(const std::string& ascii) {
  std::string out;
  for (char c : ascii) out += std::string{c, '\0'};
  return out;
}

TEST_P(OpsOnMount, EveryRegistryTypeIsReadBackFromTheCommittedImage) {
  const std::vector<TypedValue> values = {
      {"Sz", "REG_SZ", "Contoso", 1, u16("Contoso") + std::string(2, '\0')},
      {"Expand", "REG_EXPAND_SZ", "%SystemRoot%\\x", 2,
       u16("%SystemRoot%\\x") + std::string(2, '\0')},
      {"Binary", "REG_BINARY", "01,02,ff", 3, std::string("\x01\x02\xff", 3)},
      {"Dword", "REG_DWORD", "0x12345678", 4, std::string("\x78\x56\x34\x12", 4)},
      {"Multi", "REG_MULTI_SZ", "a;bc", 7,
       u16("a") + std::string(2, '\0') + u16("bc") + std::string(4, '\0')},
      {"Qword", "REG_QWORD", "0x0102030405060708", 11,
       std::string("\x08\x07\x06\x05\x04\x03\x02\x01", 8)},
      {"", "REG_SZ", "default value", 1, u16("default value") + std::string(2, '\0')},
  };
  fs::path m = open_mount();
  for (const TypedValue& v : values)
    step(m,
         make_set_registry_value_op("HKLM\\SOFTWARE\\Contoso\\Settings", v.name, v.type, v.data));
  fs::path hive = committed_software(commit(m, "out.wim"));
  for (const TypedValue& v : values) {
    auto read = test::read_raw_value(hive, "Contoso\\Settings", v.name);
    ASSERT_TRUE(read.has_value()) << "value '" << v.name << "' is missing";
    EXPECT_EQ(read->first, v.type_number) << v.name;
    EXPECT_EQ(read->second, v.bytes) << v.name;
  }
  // Lazy: only the hive was extracted, nothing else.
  if (lazy()) EXPECT_EQ(count_files(m), 1u);
}

TEST_P(OpsOnMount, DeleteRegistryValueAndKey) {
  fs::path m = open_mount();
  const std::string key = "HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso";
  step(m, make_set_registry_value_op(key, "Keep", "REG_DWORD", "1"));
  step(m, make_set_registry_value_op(key, "Drop", "REG_DWORD", "2"));
  step(m, make_set_registry_value_op(key + "\\Sub\\Deeper", "X", "REG_SZ", "x"));
  step(m, make_delete_registry_value_op(key, "Drop", false));
  step(m, make_delete_registry_key_op(key + "\\sub", false));
  fs::path hive = committed_software(commit(m, "out.wim"));
  EXPECT_TRUE(test::read_raw_value(hive, "Contoso", "Keep").has_value());
  EXPECT_FALSE(test::read_raw_value(hive, "Contoso", "Drop").has_value());
  EXPECT_TRUE(test::subkey_names(hive, "Contoso").empty());

  test::MountSnapshot before = test::snapshot_mount(m);
  expect_error(hr::kFileNotFound,
               [&] { step(m, make_delete_registry_value_op(key, "Drop", false)); });
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "");
  EXPECT_EQ(step(m, make_delete_registry_value_op(key, "Drop", true)).action, StepAction::kRan);
}

// The value is parsed once, when the op is made: data its type cannot hold
// is refused before the step touches a mount.
TEST(SetRegistryValueOp, BadDataIsRefusedWhenTheOpIsMade) {
  const std::string key = "HKLM\\SOFTWARE\\Contoso";
  expect_error(hr::kInvalidArg, [&] { make_set_registry_value_op(key, "A", "REG_DWORD", "abc"); });
  expect_error(hr::kInvalidArg, [&] { make_set_registry_value_op(key, "A", "REG_TEXT", "x"); });
  expect_error(hr::kInvalidArg,
               [&] { make_set_registry_value_op(key, "A", "REG_MULTI_SZ", "a;;b"); });
  EXPECT_EQ(make_set_registry_value_op(key, "A", "dword", "7")->spec()["type"], "dword")
      << "the spec keeps the text as written (the step's fingerprint)";
}

// A run of values (set-registry-values, as the CMake module makes of
// consecutive calls) gives the hive bytes one step per value gives: a new
// key, a value set twice (the last wins), the default value, every type.
TEST_P(OpsOnMount, ARunOfValuesGivesTheHiveOfOneStepPerValue) {
  struct Value {
    std::string key, name, type, data;
  };
  const std::vector<Value> values = {
      {"HKLM\\SOFTWARE\\Contoso\\Run", "A", "REG_SZ", "first"},
      {"HKLM\\SOFTWARE\\Contoso\\Run", "B", "dword", "7"},
      {"HKLM\\SOFTWARE\\Contoso\\Run\\Sub", "", "REG_MULTI_SZ", "x;y"},
      {"HKLM\\SOFTWARE\\Contoso\\Run", "A", "REG_SZ", "second"},
      {"HKLM\\SOFTWARE\\Contoso", "Bin", "REG_BINARY", "01,02"},
  };
  fs::path one_by_one = mount("one-by-one", lazy());
  for (const Value& v : values)
    step(one_by_one, make_set_registry_value_op(v.key, v.name, v.type, v.data));
  nlohmann::json file = nlohmann::json::array();
  for (const Value& v : values)
    file.push_back({{"key", v.key}, {"name", v.name}, {"type", v.type}, {"data", v.data}});
  write_text(scratch / "values.json", file.dump());
  fs::path run = mount("run", lazy());
  step(run, make_set_registry_values_op(scratch / "values.json"));

  fs::path expected = committed_software(commit(one_by_one, "one-by-one.wim"));
  fs::path got = committed_software(commit(run, "run.wim"));
  EXPECT_TRUE(read_file(expected) == read_file(got))
      << "the run's SOFTWARE hive differs from that of one step per value";
  auto a = test::read_raw_value(got, "Contoso\\Run", "A");
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->second, u16("second") + std::string(2, '\0')) << "the last value set wins";
}

// The values file is read and every value parsed when the op is made: a bad
// value is refused, naming it, before the step touches a mount.
TEST(SetRegistryValuesOp, ABadValueIsRefusedWhenTheOpIsMadeNamingIt) {
  test::ScratchDir dir;
  write_text(dir / "bad.json",
             R"([{"key": "HKLM\\SOFTWARE\\C", "name": "A", "type": "REG_SZ", "data": "a"},
                 {"key": "HKLM\\SOFTWARE\\C", "name": "B", "type": "REG_DWORD", "data": "x"}])");
  try {
    make_set_registry_values_op(dir / "bad.json");
    ADD_FAILURE() << "a REG_DWORD 'x' was taken";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), hr::kInvalidArg);
    EXPECT_NE(e.problem().find("registry value 'HKLM\\SOFTWARE\\C\\B': REG_DWORD data 'x'"),
              std::string::npos)
        << e.problem();
  }
  write_text(dir / "not-a-list.json", R"({"key": "HKLM\\SOFTWARE\\C"})");
  expect_error(hr::kInvalidArg, [&] { make_set_registry_values_op(dir / "not-a-list.json"); });
  write_text(dir / "no-data.json",
             R"([{"key": "HKLM\\SOFTWARE\\C", "name": "A", "type": "REG_SZ"}])");
  expect_error(hr::kInvalidArg, [&] { make_set_registry_values_op(dir / "no-data.json"); });
}

TEST_P(OpsOnMount, ImportsAUtf16RegFileWithBom) {
  fs::path m = open_mount();
  step(m, make_set_registry_value_op("HKLM\\SOFTWARE\\Contoso\\Gone", "x", "REG_SZ", "x"));
  step(m, make_set_registry_value_op("HKLM\\SOFTWARE\\Contoso", "Old", "REG_SZ", "old"));
  test::write_reg_utf16(scratch / "settings.reg",
                        "Windows Registry Editor Version 5.00\n"
                        "\n"
                        "; a comment\n"
                        "[HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso]\n"
                        "\"Name\"=\"h\xC3\xA9llo \\\"quoted\\\"\"\n"
                        "\"Count\"=dword:0000002a\n"
                        "\"Old\"=-\n"
                        "@=\"default\"\n"
                        "\"Multi\"=hex(7):61,00,00,00,62,00,00,00,00,00\n"
                        "\n"
                        "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Contoso\\Gone]\n");
  step(m, make_import_registry_op(scratch / "settings.reg"));
  fs::path hive = committed_software(commit(m, "out.wim"));
  auto name = test::read_raw_value(hive, "Contoso", "Name");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->first, 1u);
  const char kName[] = "h\0\xE9\0l\0l\0o\0 \0\"\0q\0u\0o\0t\0e\0d\0\"\0\0\0";
  EXPECT_EQ(name->second, std::string(kName, sizeof kName - 1));
  auto count = test::read_raw_value(hive, "Contoso", "Count");
  ASSERT_TRUE(count.has_value());
  EXPECT_EQ(count->second, std::string("\x2a\0\0\0", 4));
  EXPECT_FALSE(test::read_raw_value(hive, "Contoso", "Old").has_value());
  EXPECT_TRUE(test::read_raw_value(hive, "Contoso", "").has_value());
  auto multi = test::read_raw_value(hive, "Contoso", "Multi");
  ASSERT_TRUE(multi.has_value());
  EXPECT_EQ(multi->first, 7u);
  EXPECT_TRUE(test::subkey_names(hive, "Contoso").empty());
}

// --- unattend ---------------------------------------------------------------

const char* kUnattend =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<unattend xmlns=\"urn:schemas-microsoft-com:unattend\">\n"
    "  <settings pass=\"oobeSystem\"/>\n"
    "</unattend>\n";

TEST_P(OpsOnMount, ApplyUnattendPlacesTheFileInPanther) {
  fs::path m = open_mount();
  write_text(scratch / "unattend.xml", kUnattend);
  ::testing::internal::CaptureStderr();
  step(m, make_apply_unattend_op(scratch / "unattend.xml"));
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err.find("warning"), std::string::npos) << err;
  fs::path out = commit(m, "out.wim");
  EXPECT_EQ(wim_file(out, 1, "/Windows/Panther/unattend.xml"), kUnattend);
}

TEST_P(OpsOnMount, ApplyUnattendRefusesMalformedXmlAndOtherRoots) {
  fs::path m = open_mount();
  test::MountSnapshot before = test::snapshot_mount(m);
  write_text(scratch / "broken.xml", "<unattend><settings></unattend>");
  Error e = expect_error(hr::kInvalidData,
                         [&] { step(m, make_apply_unattend_op(scratch / "broken.xml")); });
  EXPECT_NE(std::string(e.what()).find("broken.xml"), std::string::npos) << e.what();
  write_text(scratch / "other.xml", "<?xml version=\"1.0\"?><configuration/>");
  e = expect_error(hr::kInvalidData,
                   [&] { step(m, make_apply_unattend_op(scratch / "other.xml")); });
  EXPECT_NE(std::string(e.what()).find("unattend"), std::string::npos) << e.what();
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "");
}

TEST_P(OpsOnMount, ApplyUnattendWarnsThatOfflineServicingIsNotApplied) {
  fs::path m = open_mount();
  write_text(scratch / "offline.xml",
             "<unattend xmlns=\"urn:schemas-microsoft-com:unattend\">"
             "<settings pass=\"offlineServicing\"><component name=\"x\"/></settings>"
             "</unattend>");
  ::testing::internal::CaptureStderr();
  step(m, make_apply_unattend_op(scratch / "offline.xml"));
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("warning"), std::string::npos) << err;
  EXPECT_NE(err.find("offlineServicing"), std::string::npos) << err;
  EXPECT_TRUE(wim_has(commit(m, "out.wim"), 1, "/Windows/Panther/unattend.xml"));
}

// --- image info -------------------------------------------------------------

TEST_P(OpsOnMount, SetImageInfoShowsInTheOutputsXml) {
  fs::path m = open_mount();
  ImageInfoChange change;
  change.name = "Contoso Pro";
  change.description = "serviced by dismake";
  change.display_name = "Contoso";
  change.flags = "Professional";
  step(m, make_set_image_info_op(change));
  fs::path out = commit(m, "out.wim");
  std::string info = test::run_output("wimlib-imagex info " + test::quote(out) + " 1");
  EXPECT_NE(info.find("Name:                   Contoso Pro"), std::string::npos) << info;
  EXPECT_NE(info.find("serviced by dismake"), std::string::npos) << info;
  EXPECT_NE(info.find("Display Name:           Contoso"), std::string::npos) << info;
  EXPECT_NE(info.find("Professional"), std::string::npos) << info;
  // The source is an input: never written.
  std::string source =
      test::run_output("wimlib-imagex info " + test::quote(test::fixture("base.wim")) + " 1");
  EXPECT_EQ(source.find("Contoso"), std::string::npos);
}

TEST_P(OpsOnMount, SetImageInfoWithNothingToSetIsRefused) {
  fs::path m = open_mount();
  expect_error(hr::kInvalidArg, [&] { step(m, make_set_image_info_op({})); });
}

// --- run --------------------------------------------------------------------

TEST_P(OpsOnMount, RunRunsInTheMountWithDismakeMountDir) {
  fs::path m = open_mount();
  step(m, make_run_command_op(
              {"sh", "-c",
               "test \"$(pwd -P)\" = \"$(cd \"$DISMAKE_MOUNT_DIR\" && pwd -P)\" || exit 3; "
               "echo ran > Windows/ran.txt && rm Windows/win.ini && mkdir -p NewDir/Sub"},
              {}, {}));
  fs::path out = commit(m, "out.wim");
  EXPECT_EQ(wim_file(out, 1, "/Windows/ran.txt"), "ran\n");
  EXPECT_FALSE(wim_has(out, 1, "/Windows/win.ini"));
  EXPECT_TRUE(wim_has(out, 1, "/NewDir/Sub"));
}

TEST_P(OpsOnMount, AFailingCommandLeavesTheMountAsItWas) {
  fs::path m = open_mount();
  test::MountSnapshot before = test::snapshot_mount(m);
  expect_error(hr::kFail, [&] {
    step(m,
         make_run_command_op({"sh", "-c", "echo x > Windows/x.txt; rm -f Windows/win.ini; exit 4"},
                             {"Windows"}, {}));
  });
  test::MountSnapshot after = test::snapshot_mount(m);
  EXPECT_EQ(after.head_json, before.head_json);
  EXPECT_EQ(after.states, before.states);
  EXPECT_FALSE(fs::exists(m / "Windows/x.txt"));
  if (!lazy()) EXPECT_TRUE(fs::exists(m / "Windows/win.ini"));
  EXPECT_EQ(test::tree_digest(commit(m, "out.wim")), test::tree_digest(test::fixture("base.wim")));
}

TEST_F(StepsTest, RunWithPathsOnALazyMountExtractsOnlyThoseSubtrees) {
  fs::path m = mount("mount", /*lazy=*/true);
  fs::path count = scratch / "count.txt";
  // The command reports what it sees in a file outside the mount, which the
  // run sandbox (run_sandbox.h) forbids: run it unconfined.
  ::setenv("DISMAKE_RUN_SANDBOX", "off", 1);
  step(m, make_run_command_op({"sh", "-c", "find . -type f | sort > " + test::quote(count)},
                              {"windows/system32/drivers", "Windows/Fonts/big.ttf"}, {}));
  ::unsetenv("DISMAKE_RUN_SANDBOX");
  EXPECT_EQ(test::read_text(count),
            "./Windows/Fonts/big.ttf\n"
            "./Windows/System32/drivers/etc/hosts\n"
            "./Windows/System32/drivers/etc/lmhosts.sam\n");
  EXPECT_EQ(count_files(m), 3u);
}

TEST_F(StepsTest, RunWithoutPathsOnALazyMountGetsTheWholeTree) {
  fs::path m = mount("mount", /*lazy=*/true);
  step(m, make_run_command_op({"true"}, {}, {}));
  EXPECT_EQ(count_files(m), count_files(test::fixture("tree")));
}

// A command may write where it declared no path: what it writes there is
// still its change (recorded, committed), not an untracked edit.
TEST_F(StepsTest, RunWritingIntoAnUnextractedDirectoryOfALazyMountIsRecorded) {
  fs::path m = mount("mount", /*lazy=*/true);
  step(m, make_run_command_op({"sh", "-c",
                               "mkdir -p Users/Public && echo new > Users/Public/new.txt && "
                               "echo pf > 'Program Files/pf.txt'"},
                              {"Program Files"}, {}));
  {
    ServicedMount sm = ServicedMount::open(m);
    EXPECT_TRUE(sm.tree().scan_untracked_changes().empty())
        << "the command's writes were left untracked, e.g. "
        << (sm.tree().scan_untracked_changes().added.empty()
                ? ""
                : sm.tree().scan_untracked_changes().added.front());
  }
  fs::path out = commit(m, "out.wim", "");
  EXPECT_EQ(wim_file(out, 1, "/Users/Public/new.txt"), "new\n");
  EXPECT_EQ(wim_file(out, 1, "/Program Files/pf.txt"), "pf\n");
  EXPECT_EQ(wim_file(out, 1, "/Users/Public/desktop.ini"), "desktop.ini\r\n");
}

// --- escapes ----------------------------------------------------------------

TEST_P(OpsOnMount, PathsThatLeaveTheImageAreRefused) {
  fs::path m = open_mount();
  write_text(scratch / "f.txt", "f");
  test::MountSnapshot before = test::snapshot_mount(m);
  for (const std::string& bad :
       {"../x", "Windows/../../x", "C:\\x", "c:/Windows/x", "\\\\server\\share\\x"}) {
    SCOPED_TRACE(bad);
    expect_error(hr::kInvalidArg, [&] { step(m, make_add_files_op(scratch / "f.txt", bad)); });
    expect_error(hr::kInvalidArg, [&] { step(m, make_delete_paths_op({bad}, true)); });
    expect_error(hr::kInvalidArg, [&] { step(m, make_rename_path_op("Windows/win.ini", bad)); });
  }
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "");
  EXPECT_FALSE(fs::exists(scratch / "x"));
}

TEST_P(OpsOnMount, OverlaySymlinksThatPointOutsideTheOverlayAreRefused) {
  fs::path m = open_mount();
  write_text(scratch / "secret.txt", "secret");
  test::MountSnapshot before = test::snapshot_mount(m);
  write_text(scratch / "abs/Windows/ok.txt", "ok");
  fs::create_symlink(scratch / "secret.txt", scratch / "abs/Windows/link");
  expect_error(hr::kInvalidArg, [&] { step(m, make_add_files_op(scratch / "abs", "")); });
  write_text(scratch / "rel/Windows/ok.txt", "ok");
  fs::create_symlink("../../secret.txt", scratch / "rel/Windows/link");
  expect_error(hr::kInvalidArg, [&] { step(m, make_add_files_op(scratch / "rel", "")); });
  fs::create_directories(scratch / "top");
  fs::create_symlink("..", scratch / "top/up");
  expect_error(hr::kInvalidArg, [&] { step(m, make_add_files_op(scratch / "top", "")); });
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "");

  // A link that stays inside the overlay is fine, and stays a link.
  write_text(scratch / "in/Windows/target.txt", "t");
  fs::create_symlink("target.txt", scratch / "in/Windows/link.txt");
  step(m, make_add_files_op(scratch / "in", ""));
  std::string detailed = test::tree_digest(commit(m, "out.wim"));
  EXPECT_NE(detailed.find("/Windows/link.txt"), std::string::npos);
}

TEST_P(OpsOnMount, AMissingSourceIsRefused) {
  fs::path m = open_mount();
  test::MountSnapshot before = test::snapshot_mount(m);
  Error e = expect_error(hr::kFileNotFound,
                         [&] { step(m, make_add_files_op(scratch / "nope", "Windows/x")); });
  EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
  expect_error(hr::kFileNotFound, [&] { step(m, make_import_registry_op(scratch / "nope.reg")); });
  expect_error(hr::kFileNotFound, [&] { step(m, make_apply_unattend_op(scratch / "nope.xml")); });
  EXPECT_EQ(test::snapshot_diff(before, test::snapshot_mount(m)), "");
}

}  // namespace
}  // namespace dismake
