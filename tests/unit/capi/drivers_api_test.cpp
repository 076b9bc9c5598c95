// DismGetDrivers and DismGetDriverInfo on an applied image holding the real
// Windows 10 SYSTEM hive (tests/fixtures/data/win10-system): the packages
// and hardware ids its driver database holds, as hivex reads them; every
// returned block released by DismDelete.
#include <fstream>
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
  // One model line: *VMW0003, its compatible ids *PNP0F03 and *PNP0F13
  // (DeviceIds ranks them 02), space-separated.
  ASSERT_EQ(count, 1u);
  std::set<std::string> got{narrow(drivers[0].HardwareId)}, expected(ids.begin(), ids.end());
  EXPECT_EQ(narrow(drivers[0].HardwareId), "*VMW0003");
  EXPECT_EQ(narrow(drivers[0].CompatibleIds), "*PNP0F03 *PNP0F13");
  EXPECT_EQ(narrow(drivers[0].ExcludeIds), "");
  got.insert("*PNP0F03");
  got.insert("*PNP0F13");
  EXPECT_EQ(drivers[0].Architecture, 9u);  // PROCESSOR_ARCHITECTURE_AMD64
  EXPECT_EQ(narrow(drivers[0].ManufacturerName), "VMware, Inc.");
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

// An .inf file on the host, as DISM takes DriverPath: its driver for the
// image's architecture (amd64 here), not the arm64 models.
TEST_F(CapiTest, GetDriverInfoReadsAnInfFileForTheImagesArchitecture) {
  fs::path image = applied_image(dir() / "applied");
  fs::path inf = dir() / "pkg" / "netstub.inf";
  fs::create_directories(inf.parent_path());
  std::ofstream(inf) << "[Version]\n"
                        "Signature = \"$WINDOWS NT$\"\n"
                        "Class = Net\n"
                        "ClassGuid = {4D36E972-E325-11CE-BFC1-08002BE10318}\n"
                        "Provider = %Vendor%\n"
                        "DriverVer = 05/06/2023,2.3.4.5\n"
                        "CatalogFile = netstub.cat\n"
                        "[ControlFlags]\n"
                        "ExcludeFromSelect = PCI\\VEN_1AF4&DEV_1000\n"
                        "[Manufacturer]\n"
                        "%Vendor% = Vendor, NTamd64, NTarm64\n"
                        "[Vendor.NTamd64]\n"
                        "%Desc% = netstub_inst, PCI\\VEN_1AF4&DEV_1000&SUBSYS_00011AF4, "
                        "PCI\\VEN_1AF4&DEV_1000, PCI\\CC_0200\n"
                        "[Vendor.NTarm64]\n"
                        "%Desc% = netstub_inst, PCI\\VEN_1AF4&DEV_1041\n"
                        "[netstub_inst]\n"
                        "[netstub_inst.Services]\n"
                        "AddService = netstub, 2, netstub_service\n"
                        "[netstub_service]\n"
                        "ServiceType = 1\n"
                        "StartType = 3\n"
                        "ErrorControl = 1\n"
                        "ServiceBinary = %12%\\netstub.sys\n"
                        "[Strings]\n"
                        "Vendor = \"Stub Networks\"\n"
                        "Desc = \"Stub Ethernet Adapter\"\n";
  DismSession session = open_session(image);
  DismDriver* drivers = nullptr;
  DismDriverPackage* package = nullptr;
  UINT count = 0;
  ASSERT_EQ(S_OK, DismGetDriverInfo(session, wide(inf).c_str(), &drivers, &count, &package))
      << last_error_message();
  ASSERT_EQ(count, 1u);
  EXPECT_EQ(narrow(drivers[0].HardwareId), "PCI\\VEN_1AF4&DEV_1000&SUBSYS_00011AF4");
  EXPECT_EQ(narrow(drivers[0].CompatibleIds), "PCI\\VEN_1AF4&DEV_1000 PCI\\CC_0200");
  EXPECT_EQ(narrow(drivers[0].ExcludeIds), "PCI\\VEN_1AF4&DEV_1000");
  EXPECT_EQ(narrow(drivers[0].ManufacturerName), "Stub Networks");
  EXPECT_EQ(narrow(drivers[0].HardwareDescription), "Stub Ethernet Adapter");
  EXPECT_EQ(narrow(drivers[0].ServiceName), "netstub");
  EXPECT_EQ(drivers[0].Architecture, 9u);  // PROCESSOR_ARCHITECTURE_AMD64, the image's
  ASSERT_NE(package, nullptr);
  EXPECT_EQ(narrow(package->PublishedName), "netstub.inf");
  EXPECT_EQ(narrow(package->OriginalFileName), "netstub.inf");
  EXPECT_FALSE(package->InBox);
  EXPECT_EQ(narrow(package->ClassName), "Net");
  EXPECT_EQ(narrow(package->ClassGuid), "{4d36e972-e325-11ce-bfc1-08002be10318}");
  EXPECT_EQ(narrow(package->ProviderName), "Stub Networks");
  EXPECT_EQ(narrow(package->CatalogFile), "netstub.cat");
  EXPECT_EQ(package->Date.wYear, 2023);
  EXPECT_EQ(package->Date.wMonth, 5);
  EXPECT_EQ(package->Date.wDay, 6);
  EXPECT_EQ(package->MajorVersion, 2u);
  EXPECT_EQ(package->Revision, 5u);
  EXPECT_EQ(S_OK, DismDelete(drivers));
  EXPECT_EQ(S_OK, DismDelete(package));
  // A path to a missing .inf names it.
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND),
            DismGetDriverInfo(session, wide(dir() / "pkg" / "missing.inf").c_str(), &drivers,
                              &count, nullptr));
  EXPECT_NE(last_error_message().find("missing.inf"), std::string::npos);
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

}  // namespace
}  // namespace capi_test
