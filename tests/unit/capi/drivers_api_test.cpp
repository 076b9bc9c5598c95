// DismGetDrivers and DismGetDriverInfo on an applied image holding the real
// Windows 10 SYSTEM hive (tests/fixtures/data/win10-system): the packages
// and hardware ids its driver database holds, as hivex reads them; every
// returned block released by DismDelete.
#include <set>

#include "support/capi_test_support.h"
#include "support/registry_test_support.h"

namespace capi_test {
namespace {

using dismake::test::quote;
using dismake::test::run_output;
using dismake::test::subkey_names;
using dismake::test::testdata;

fs::path applied_image(const fs::path& root) {
  fs::create_directories(root / "Windows/System32/config");
  run_output("xz -dc " + quote(testdata("win10-system/SYSTEM.xz")) + " > " +
             quote(root / "Windows/System32/config/SYSTEM"));
  return root;
}

TEST_F(CapiTest, GetDriversListsTheThirdPartyPackagesOrAll) {
  fs::path image = applied_image(dir() / "applied");
  DismSession session = open_session(image);
  DismDriverPackage* packages = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetDrivers(session, FALSE, &packages, &count)) << last_error_message();
  std::set<std::string> published;
  for (UINT i = 0; i < count; ++i) {
    published.insert(narrow(packages[i].PublishedName));
    EXPECT_FALSE(packages[i].InBox);
  }
  EXPECT_EQ(published,
            (std::set<std::string>{"oem0.inf", "oem2.inf", "oem4.inf", "oem6.inf", "oem11.inf"}));
  const DismDriverPackage& pvscsi = packages[2];
  EXPECT_EQ(narrow(pvscsi.PublishedName), "oem4.inf");
  EXPECT_EQ(narrow(pvscsi.OriginalFileName), "pvscsi.inf");
  EXPECT_EQ(narrow(pvscsi.ClassName), "SCSIAdapter");
  EXPECT_EQ(narrow(pvscsi.ClassGuid), "{4d36e97b-e325-11ce-bfc1-08002be10318}");
  EXPECT_EQ(narrow(pvscsi.ProviderName), "VMware, Inc.");
  EXPECT_EQ(narrow(pvscsi.CatalogFile), "pvscsi.cat");
  EXPECT_EQ(pvscsi.DriverSignature, DismDriverSignatureSigned);
  EXPECT_EQ(pvscsi.Date.wYear, 2019);
  EXPECT_EQ(pvscsi.Date.wMonth, 8);
  EXPECT_EQ(pvscsi.Date.wDay, 2);
  EXPECT_EQ(pvscsi.MajorVersion, 1u);
  EXPECT_EQ(pvscsi.MinorVersion, 3u);
  EXPECT_EQ(pvscsi.Build, 15u);
  EXPECT_EQ(pvscsi.Revision, 0u);
  EXPECT_EQ(S_OK, DismDelete(packages));

  ASSERT_EQ(S_OK, DismGetDrivers(session, TRUE, &packages, &count));
  EXPECT_EQ(count,
            subkey_names(image / "Windows/System32/config/SYSTEM", "DriverDatabase\\DriverPackages")
                .size());
  EXPECT_EQ(S_OK, DismDelete(packages));
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

TEST_F(CapiTest, GetDriverInfoGivesEveryHardwareIdOfAPackage) {
  fs::path image = applied_image(dir() / "applied");
  DismSession session = open_session(image);
  DismDriver* drivers = nullptr;
  DismDriverPackage* package = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetDriverInfo(session, L"OEM6.inf", &drivers, &count, &package))
      << last_error_message();
  std::string key;
  for (const std::string& name :
       subkey_names(image / "Windows/System32/config/SYSTEM", "DriverDatabase\\DriverPackages"))
    if (name.rfind("vmmouse.inf_", 0) == 0) key = name;
  std::vector<std::string> ids =
      subkey_names(image / "Windows/System32/config/SYSTEM",
                   "DriverDatabase\\DriverPackages\\" + key + "\\Descriptors");
  ASSERT_EQ(count, ids.size());
  std::set<std::string> got, expected(ids.begin(), ids.end());
  for (UINT i = 0; i < count; ++i) {
    got.insert(narrow(drivers[i].HardwareId));
    EXPECT_EQ(drivers[i].Architecture, 9u);  // PROCESSOR_ARCHITECTURE_AMD64
    EXPECT_EQ(narrow(drivers[i].ManufacturerName), "VMware, Inc.");
  }
  EXPECT_EQ(got, expected);
  ASSERT_NE(package, nullptr);
  EXPECT_EQ(narrow(package->OriginalFileName), "vmmouse.inf");
  EXPECT_EQ(S_OK, DismDelete(drivers));
  EXPECT_EQ(S_OK, DismDelete(package));
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            DismGetDriverInfo(session, L"oem99.inf", &drivers, &count, nullptr));
  EXPECT_NE(last_error_message().find("oem99.inf"), std::string::npos);
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

}  // namespace
}  // namespace capi_test
