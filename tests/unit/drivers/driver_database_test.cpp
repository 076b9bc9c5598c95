// The driver database of a real Windows 10 (1709) SYSTEM hive
// (tests/fixtures/data/win10-system), read by DriverDatabase and checked
// against hivex's own reading of the same keys: every package is listed, the
// Version record decodes and encodes back to Windows's bytes, the
// third-party packages are the oemN.inf ones, and a DRIVERS hive (where later
// Windows keeps the database) is read the same way.
#include "dismake/drivers/driver_database.h"

#include <gtest/gtest.h>

#include <optional>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/drivers/driver_version_record.h"
#include "dismake/registry/hive.h"
#include "support/registry_test_support.h"
#include "support/scratch_dir.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

using namespace test;

fs::path unpacked_system(const ScratchDir& scratch) {
  fs::path hive = scratch / "SYSTEM";
  run_output("xz -dc " + quote(testdata("win10-system/SYSTEM.xz")) + " > " + quote(hive));
  return hive;
}

std::string sz_text(const std::string& bytes) {
  std::string text;
  for (size_t i = 0; i + 1 < bytes.size(); i += 2) {
    if (bytes[i] == 0 && bytes[i + 1] == 0) break;
    text += bytes[i];  // the names checked here are ASCII
  }
  return text;
}

TEST(DriverDatabase, ListsEveryPackageOfTheHiveAsHivexReadsIt) {
  ScratchDir scratch;
  fs::path system = unpacked_system(scratch);
  std::vector<std::string> keys = subkey_names(system, "DriverDatabase\\DriverPackages");
  ASSERT_GT(keys.size(), 200u);
  DriverDatabase database(system, std::nullopt);
  EXPECT_EQ(database.architecture(), "x64");
  ASSERT_EQ(database.packages(true).size(), keys.size());

  std::set<std::string> oem;
  for (const std::string& key : keys) {
    std::string base = "DriverDatabase\\DriverPackages\\" + key;
    std::string published = sz_text(read_raw_value(system, base, "").value().second);
    if (published.rfind("oem", 0) == 0) oem.insert(published);
    const DriverPackage& package = database.find(published);
    EXPECT_EQ(package.package_id, key);
    // Inbox packages have no InfName: Windows names them by their default value alone.
    std::optional<std::pair<std::uint32_t, std::string>> inf_name =
        read_raw_value(system, base, "InfName");
    EXPECT_EQ(package.original_file_name, inf_name ? sz_text(inf_name->second) : "") << key;
    EXPECT_EQ(package.provider, sz_text(read_raw_value(system, base, "Provider")->second));
    // The record decodes and encodes back to exactly what Windows wrote.
    std::string version = read_raw_value(system, base, "Version").value().second;
    DriverVersionRecord record = decode_driver_version_record(version, key);
    EXPECT_EQ(encode_driver_version_record(record), version) << key;
    EXPECT_EQ(record.inbox, package.inbox) << key;
    EXPECT_EQ(package.class_guid, record.class_guid);
    EXPECT_FALSE(package.class_name.empty()) << key << " " << package.class_guid;
  }
  std::vector<DriverPackage> third_party = database.packages(false);
  ASSERT_EQ(third_party.size(), oem.size());
  ASSERT_FALSE(third_party.empty());
  // DISM's order: oem0, oem2, ..., oem11 by number.
  for (size_t i = 1; i < third_party.size(); ++i)
    EXPECT_LT(std::stoi(third_party[i - 1].published_name.substr(3)),
              std::stoi(third_party[i].published_name.substr(3)));
}

TEST(DriverDatabase, DecodesPvscsiAsWindowsWroteIt) {
  ScratchDir scratch;
  DriverDatabase database(unpacked_system(scratch), std::nullopt);
  const DriverPackage& pvscsi = database.find("OEM4.INF");
  EXPECT_EQ(pvscsi.original_file_name, "pvscsi.inf");
  EXPECT_FALSE(pvscsi.inbox);
  EXPECT_EQ(pvscsi.class_name, "SCSIAdapter");
  EXPECT_EQ(format_driver_date(pvscsi.date), "8/2/2019");
  EXPECT_EQ(iso_driver_date(pvscsi.date), "2019-08-02");
  EXPECT_EQ(format_driver_version(pvscsi.version), "1.3.15.0");
  EXPECT_EQ(pvscsi.catalog, "pvscsi.cat");
  EXPECT_EQ(pvscsi.architecture, "amd64");
  expect_error(hr::kFileNotFound, [&] { database.find("oem99.inf"); });
}

TEST(DriverDatabase, ModelsComeFromTheDescriptorsWithTheirStrings) {
  ScratchDir scratch;
  DriverDatabase database(unpacked_system(scratch), std::nullopt);
  const DriverPackage& vmmouse = database.find("oem6.inf");
  std::vector<DriverModel> models = database.models(vmmouse);
  std::vector<std::string> ids =
      subkey_names(scratch / "SYSTEM",
                   "DriverDatabase\\DriverPackages\\" + vmmouse.package_id + "\\Descriptors");
  // Every descriptor is a hardware id or a compatible id of one model.
  std::set<std::string> listed;
  for (const DriverModel& model : models) {
    listed.insert(model.hardware_id);
    listed.insert(model.compatible_ids.begin(), model.compatible_ids.end());
    EXPECT_EQ(model.manufacturer.find('%'), std::string::npos) << model.manufacturer;
    EXPECT_EQ(model.description.find('%'), std::string::npos) << model.description;
    EXPECT_EQ(model.architecture, "x64");
    EXPECT_TRUE(model.exclude_ids.empty());
  }
  EXPECT_EQ(listed, std::set<std::string>(ids.begin(), ids.end()));
  // DeviceIds ranks *VMW0003 01 FE, *PNP0F03 and *PNP0F13 02 FE: one model
  // line, the hardware id and two compatible ids.
  ASSERT_EQ(models.size(), 1u);
  EXPECT_EQ(models[0].hardware_id, "*VMW0003");
  EXPECT_EQ(std::set<std::string>(models[0].compatible_ids.begin(), models[0].compatible_ids.end()),
            (std::set<std::string>{"*PNP0F03", "*PNP0F13"}));
  // vmci: PCI\VEN_15AD&DEV_0740 (02 FF) is the compatible id of the SUBSYS
  // one (01 FF), the same descriptor; ROOT\VMWVMCIHOSTDEV is a model of its own.
  std::vector<DriverModel> vmci = database.models(database.find("oem2.inf"));
  ASSERT_EQ(vmci.size(), 2u);
  EXPECT_EQ(vmci[0].hardware_id, "PCI\\VEN_15AD&DEV_0740&SUBSYS_074015AD");
  EXPECT_EQ(vmci[0].compatible_ids, std::vector<std::string>{"PCI\\VEN_15AD&DEV_0740"});
  EXPECT_EQ(vmci[1].hardware_id, "ROOT\\VMWVMCIHOSTDEV");
  EXPECT_TRUE(vmci[1].compatible_ids.empty());
  // Exclude ids: the configuration's ExcludeIds (disk.inf's disk_install.NT
  // keeps six, as its INF's ExcludeID gives them).
  size_t with_excludes = 0;
  for (const DriverModel& model : database.models(database.find("disk.inf"))) {
    if (model.exclude_ids.empty()) continue;
    ++with_excludes;
    EXPECT_EQ(model.exclude_ids.size(), 6u) << model.hardware_id;
    EXPECT_EQ(model.exclude_ids.at(0), "GenSFloppy");
  }
  EXPECT_GT(with_excludes, 0u);
}

// The reference hive is dirty and its logs are gone: Hive edits it only
// once it is marked clean (the secondary sequence number set to the primary,
// the header checksum recomputed), as Windows would find it after loading it.
void mark_clean(const fs::path& hive) {
  std::string bytes = read_text(hive);
  bytes.replace(8, 4, bytes.substr(4, 4));
  std::uint32_t sum = 0;
  for (size_t at = 0; at < 508; at += 4) {
    std::uint32_t word = 0;
    for (int i = 3; i >= 0; --i) word = word << 8 | static_cast<unsigned char>(bytes[at + i]);
    sum ^= word;
  }
  for (int i = 0; i < 4; ++i) bytes[508 + i] = static_cast<char>(sum >> (8 * i));
  write_text(hive, bytes);
}

TEST(DriverDatabase, ReadsTheDriversHiveWhereLaterWindowsKeepsIt) {
  ScratchDir scratch;
  fs::path system = unpacked_system(scratch);
  mark_clean(system);
  fs::path drivers = scratch / "DRIVERS";
  fs::copy_file(system, drivers);
  std::vector<DriverPackage> before = DriverDatabase(system, std::nullopt).packages(true);
  {
    Hive hive(system);
    hive.delete_key("DriverDatabase");
    hive.save();
  }
  expect_error(hr::kNotFound, [&] { DriverDatabase(system, std::nullopt); });
  std::vector<DriverPackage> after = DriverDatabase(system, drivers).packages(true);
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_EQ(after[i].package_id, before[i].package_id);
    EXPECT_EQ(after[i].class_name, before[i].class_name);  // classes still from SYSTEM
  }
}

TEST(DriverVersionRecord, RefusesAValueOfAnotherSize) {
  expect_error(hr::kInvalidData, [] { decode_driver_version_record(std::string(40, '\0'), "x"); });
}

}  // namespace
}  // namespace dismake
