// INF parsing as SetupAPI reads INFs: sections, comments, quoting, line
// continuation, %strkey% substitution with localized [Strings.<LANGID>],
// Manufacturer/Models decorations, DriverVer, AddService; and the errors,
// each naming the file and line. The INFs are written here, in the style of
// a virtio storage driver's (sections and directives as real packages have
// them, not copied from one).
#include "dismake/drivers/inf_file.h"

#include <gtest/gtest.h>

#include "dismake/drivers/driver_inf.h"
#include "support/thrown_error.h"

namespace dismake {
namespace {

using namespace test;

const char kStorageInf[] = R"INF(;
; A storage miniport for the tests; comments, blank lines and odd case on purpose.
;
[Version]
Signature   = "$WINDOWS NT$"
Class       = SCSIAdapter
ClassGuid   = {4D36E97B-E325-11CE-BFC1-08002BE10318}
Provider    = %TESTVENDOR%
DriverVer   = 03/14/2024,100.94.104.26200 ; the date and version DISM lists
CatalogFile = teststor.cat
CatalogFile.NTarm64 = teststor_arm64.cat
PnpLockdown = 1

[DestinationDirs]
DefaultDestDir = 12

[SourceDisksNames]
1 = %DiskId1%,,,""

[SourceDisksFiles]
teststor.sys = 1,,

[Manufacturer]
%TESTVENDOR% = TestVendor, NTamd64.10.0...16299, NTamd64.6.3, NTarm64

[TestVendor.NTamd64.10.0...16299]
%TestStor.DeviceDesc% = teststor_inst, PCI\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00, \
                                        PCI\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01
[TestVendor.NTamd64.6.3]
%TestStor.OldDesc% = teststor_inst, PCI\VEN_1AF4&DEV_1001

[TestVendor.NTarm64]
%TestStor.DeviceDesc% = teststor_inst, PCI\VEN_1AF4&DEV_1042

[teststor_inst]
CopyFiles = teststor_files

[teststor_inst.NTamd64]
CopyFiles = teststor_files, @teststor.sys

[teststor_files]
teststor.sys,,,2

[teststor_inst.NTamd64.Services]
AddService = teststor, 0x00000002, teststor_service, teststor_eventlog

[teststor_service]
DisplayName    = %TestStor.SVCDESC%
ServiceType    = 1               ; SERVICE_KERNEL_DRIVER
StartType      = 0               ; SERVICE_BOOT_START
ErrorControl   = 1               ; SERVICE_ERROR_NORMAL
ServiceBinary  = %12%\teststor.sys
LoadOrderGroup = SCSI miniport
AddReg         = pnpsafe_pci_addreg

[teststor_eventlog]
AddReg = teststor_eventlog_addreg

[pnpsafe_pci_addreg]
HKR, "Parameters\PnpInterface", "5", %REG_DWORD%, 0x00000001
HKR, "Parameters", "Note", 0x00000000, "a ""quoted"" text; with a semicolon, and = sign"

[Strings]
TESTVENDOR           = "Test Vendor, Inc."
DiskId1              = "Test Storage Installation Disk"
TestStor.DeviceDesc  = "Test SCSI Controller"
TestStor.OldDesc     = "Test SCSI Controller (8.1)"
TestStor.SVCDESC     = "Test SCSI Service"
REG_DWORD            = 0x00010001

[Strings.0407]
TestStor.DeviceDesc  = "Test-SCSI-Controller"
)INF";

InfFile storage_inf(const std::string& language = "0409") {
  return InfFile::parse(kStorageInf, "teststor.inf", language);
}

TEST(InfFile, ReadsKeysFieldsAndCommentsAsSetupApiDoes) {
  InfFile inf = storage_inf();
  EXPECT_EQ(inf.value("version", "signature"), "$WINDOWS NT$");
  EXPECT_EQ(inf.value("Version", "Class"), "SCSIAdapter");
  EXPECT_EQ(inf.value("Version", "Provider"), "Test Vendor, Inc.");
  const InfLine* driver_ver = inf.lines_with_key("Version", "DriverVer").at(0);
  EXPECT_EQ(driver_ver->fields, (std::vector<std::string>{"03/14/2024", "100.94.104.26200"}));
  EXPECT_EQ(driver_ver->line_number, 9);
  // A line of fields only, with empty ones kept.
  const std::vector<InfLine>* files = inf.section("teststor_files");
  ASSERT_NE(files, nullptr);
  EXPECT_EQ(files->at(0).key, "");
  EXPECT_EQ(files->at(0).fields, (std::vector<std::string>{"teststor.sys", "", "", "2"}));
  EXPECT_EQ(inf.section("NoSuchSection"), nullptr);
}

TEST(InfFile, QuotesKeepCommasSemicolonsAndPercentSigns) {
  InfFile inf = storage_inf();
  const std::vector<InfLine>* addreg = inf.section("pnpsafe_pci_addreg");
  ASSERT_NE(addreg, nullptr);
  ASSERT_EQ(addreg->size(), 2u);
  EXPECT_EQ(addreg->at(0).fields, (std::vector<std::string>{"HKR", "Parameters\\PnpInterface", "5",
                                                            "0x00010001", "0x00000001"}));
  EXPECT_EQ(addreg->at(1).fields.at(4), "a \"quoted\" text; with a semicolon, and = sign");
}

TEST(InfFile, JoinsContinuedLinesAndNumbersThemByTheirFirstLine) {
  InfFile inf = storage_inf();
  const std::vector<InfLine>* models = inf.section("TestVendor.NTamd64.10.0...16299");
  ASSERT_NE(models, nullptr);
  ASSERT_EQ(models->size(), 1u);
  EXPECT_EQ(models->at(0).key, "Test SCSI Controller");
  EXPECT_EQ(
      models->at(0).fields,
      (std::vector<std::string>{"teststor_inst", "PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00",
                                "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"}));
  EXPECT_EQ(models->at(0).line_number, 27);
}

TEST(InfFile, LocalizedStringsWinForTheirLanguage) {
  EXPECT_EQ(storage_inf("0409").string("TestStor.DeviceDesc"), "Test SCSI Controller");
  EXPECT_EQ(storage_inf("0407").string("TestStor.DeviceDesc"), "Test-SCSI-Controller");
  // A string the localized section lacks comes from [Strings].
  EXPECT_EQ(storage_inf("0407").string("TESTVENDOR"), "Test Vendor, Inc.");
  // The primary language's section serves its sublanguages (0807: German, Switzerland).
  InfFile swiss = InfFile::parse(
      "[Version]\nProvider=%P%\n[Strings]\nP=Vendor\n"
      "[Strings.0007]\nP=Hersteller\n",
      "p.inf", "0807");
  EXPECT_EQ(swiss.value("Version", "Provider"), "Hersteller");
}

TEST(InfFile, DirectoryIdsAndDoublePercentStay) {
  InfFile inf = storage_inf();
  EXPECT_EQ(inf.value("teststor_service", "ServiceBinary"), "%12%\\teststor.sys");
  InfFile percent = InfFile::parse("[S]\nK = 100%%\n", "p.inf");
  EXPECT_EQ(percent.value("S", "K"), "100%");
}

TEST(InfFile, ReadsUtf16WithItsByteOrderMark) {
  std::string utf16 = "\xFF\xFE";
  for (char c : std::string("[Version]\r\nProvider = \"V\"\r\n")) {
    utf16 += c;
    utf16 += '\0';
  }
  // parse() takes text; load() decodes; check through a file.
  auto path = std::filesystem::temp_directory_path() / "dismake_inf_utf16_test.inf";
  {
    FILE* f = std::fopen(path.c_str(), "wb");
    std::fwrite(utf16.data(), 1, utf16.size(), f);
    std::fclose(f);
  }
  EXPECT_EQ(InfFile::load(path).value("Version", "Provider"), "V");
  std::filesystem::remove(path);
}

TEST(InfFile, ErrorsNameTheFileAndLine) {
  Error unclosed = expect_error(
      hr::kInfGeneralSyntax, [] { InfFile::parse("[Version]\nProvider = \"Vendor\n", "bad.inf"); });
  EXPECT_NE(std::string(unclosed.what()).find("bad.inf, line 2"), std::string::npos)
      << unclosed.what();
  Error section = expect_error(hr::kInfBadSectionNameLine,
                               [] { InfFile::parse("[Version]\nA=1\n\n[Models\n", "bad.inf"); });
  EXPECT_NE(std::string(section.what()).find("line 4"), std::string::npos) << section.what();
  Error undefined = expect_error(hr::kInfGeneralSyntax, [] {
    InfFile::parse("[Version]\n\n\nProvider=%Nobody%\n[Strings]\nX=1\n", "bad.inf");
  });
  EXPECT_NE(std::string(undefined.what()).find("line 4"), std::string::npos);
  EXPECT_NE(std::string(undefined.what()).find("%Nobody%"), std::string::npos);
  expect_error(hr::kInfGeneralSyntax, [] { InfFile::parse("Provider=x\n[Version]\n", "bad.inf"); });
}

TEST(DriverInf, ReadsVersionModelsAndServicesForTheTarget) {
  InfFile inf = storage_inf();
  InfDriver driver = read_driver_inf(inf, TargetPlatform{});
  EXPECT_EQ(driver.provider, "Test Vendor, Inc.");
  EXPECT_EQ(driver.class_name, "SCSIAdapter");
  EXPECT_EQ(driver.class_guid, "{4d36e97b-e325-11ce-bfc1-08002be10318}");
  EXPECT_EQ(driver.date, "03/14/2024");
  EXPECT_EQ(format_driver_version(driver.version), "100.94.104.26200");
  EXPECT_EQ(driver.catalog, "teststor.cat");
  ASSERT_EQ(driver.models.size(), 1u);
  EXPECT_EQ(driver.models[0].manufacturer, "Test Vendor, Inc.");
  EXPECT_EQ(driver.models[0].description, "Test SCSI Controller");
  EXPECT_EQ(driver.models[0].hardware_id, "PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00");
  EXPECT_EQ(driver.models[0].compatible_ids,
            std::vector<std::string>{"PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01"});
  EXPECT_TRUE(driver.models[0].exclude_ids.empty());
  ASSERT_EQ(driver.services.size(), 1u);
  const InfService& service = driver.services[0];
  EXPECT_EQ(service.name, "teststor");
  EXPECT_EQ(service.flags, 2u);
  EXPECT_EQ(service.service_type, 1u);
  EXPECT_EQ(service.start_type, 0u);
  EXPECT_EQ(service.error_control, 1u);
  EXPECT_EQ(service.service_binary, "%12%\\teststor.sys");
  EXPECT_EQ(service.load_order_group, "SCSI miniport");
  EXPECT_TRUE(driver.boot_critical);
}

TEST(DriverInf, DecorationsChooseTheModelsAsWindowsDoes) {
  InfFile inf = storage_inf();
  TargetPlatform windows81{"amd64", 6, 3};
  InfDriver old = read_driver_inf(inf, windows81);
  ASSERT_EQ(old.models.size(), 1u);
  EXPECT_EQ(old.models[0].description, "Test SCSI Controller (8.1)");
  TargetPlatform build15063{"amd64", 10, 0, 15063};  // before 16299: the 6.3 models
  EXPECT_EQ(read_driver_inf(inf, build15063).models.at(0).hardware_id, "PCI\\VEN_1AF4&DEV_1001");
  TargetPlatform arm64{"arm64"};
  InfDriver arm = read_driver_inf(inf, arm64);
  EXPECT_EQ(arm.catalog, "teststor_arm64.cat");
  ASSERT_EQ(arm.models.size(), 1u);
  EXPECT_EQ(arm.models[0].hardware_id, "PCI\\VEN_1AF4&DEV_1042");
  EXPECT_TRUE(arm.models[0].compatible_ids.empty());
  // arm64's install section is the undecorated one: no services, not boot-critical.
  EXPECT_TRUE(arm.services.empty());
  EXPECT_FALSE(arm.boot_critical);
  TargetPlatform x86{"x86"};
  EXPECT_TRUE(read_driver_inf(inf, x86).models.empty());
}

// A model line's further ids are compatible ids; its install section's
// ExcludeID and [ControlFlags] ExcludeFromSelect (undecorated, .NT,
// .NT<arch>; not another architecture's) give the exclude ids of the models
// they concern.
TEST(DriverInf, ModelsHaveCompatibleAndExcludeIds) {
  InfFile inf = InfFile::parse(
      "[Version]\nSignature=\"$WINDOWS NT$\"\nClass=Net\nProvider=P\n"
      "DriverVer=01/02/2023,1.0.0.0\n"
      "[ControlFlags]\nExcludeFromSelect = PCI\\VEN_1&DEV_2\n"
      "ExcludeFromSelect.NTamd64 = root\\net3\n"
      "ExcludeFromSelect.NTarm64 = PCI\\VEN_1\n"
      "[Manufacturer]\nM = M, NTamd64\n"
      "[M.NTamd64]\n"
      "One = inst, PCI\\VEN_1&DEV_2&SUBSYS_3, PCI\\VEN_1&DEV_2, PCI\\VEN_1\n"
      "Two = inst, ROOT\\NET3\n"
      "Three = inst, ROOT\\NET4\n"
      "[inst]\nExcludeID = PCI\\VEN_1&DEV_2&SUBSYS_9\n",
      "compat.inf");
  InfDriver driver = read_driver_inf(inf, TargetPlatform{});
  ASSERT_EQ(driver.models.size(), 3u);
  EXPECT_EQ(driver.models[0].hardware_id, "PCI\\VEN_1&DEV_2&SUBSYS_3");
  EXPECT_EQ(driver.models[0].compatible_ids,
            (std::vector<std::string>{"PCI\\VEN_1&DEV_2", "PCI\\VEN_1"}));
  // The install section's ExcludeID first, for every model that uses it.
  EXPECT_EQ(driver.models[0].exclude_ids,
            (std::vector<std::string>{"PCI\\VEN_1&DEV_2&SUBSYS_9", "PCI\\VEN_1&DEV_2"}));
  EXPECT_EQ(driver.models[1].exclude_ids,
            (std::vector<std::string>{"PCI\\VEN_1&DEV_2&SUBSYS_9", "root\\net3"}));
  EXPECT_EQ(driver.models[2].exclude_ids, std::vector<std::string>{"PCI\\VEN_1&DEV_2&SUBSYS_9"});
  EXPECT_EQ(driver.install_exclude_ids,
            std::vector<std::vector<std::string>>{{"PCI\\VEN_1&DEV_2&SUBSYS_9"}});
  InfFile all = InfFile::parse(
      "[Version]\nDriverVer=01/02/2023,1.0.0.0\n[ControlFlags]\nExcludeFromSelect=*\n"
      "[Manufacturer]\nM=M\n[M]\nOne = inst, ROOT\\X\n[inst]\n",
      "all.inf");
  EXPECT_EQ(read_driver_inf(all, TargetPlatform{}).models.at(0).exclude_ids,
            std::vector<std::string>{"*"});
}

TEST(DriverInf, RefusesWhatWindowsCannotInstall) {
  auto read = [](const std::string& text) {
    read_driver_inf(InfFile::parse(text, "bad.inf"), TargetPlatform{});
  };
  expect_error(hr::kInfSectionNotFound, [&] { read("[Strings]\nA=1\n"); });
  Error no_ver =
      expect_error(hr::kInfGeneralSyntax, [&] { read("[Version]\nSignature=\"$Windows NT$\"\n"); });
  EXPECT_NE(std::string(no_ver.what()).find("DriverVer"), std::string::npos);
  Error bad_date =
      expect_error(hr::kInfGeneralSyntax, [&] { read("[Version]\n\nDriverVer=2024-03-14,1.0\n"); });
  EXPECT_NE(std::string(bad_date.what()).find("bad.inf, line 3"), std::string::npos);
  Error missing_install = expect_error(hr::kInfGeneralSyntax, [&] {
    read("[Version]\nDriverVer=01/01/2024,1.0\n[Manufacturer]\nV=M\n[M]\nDev=nowhere,PCI\\X\n");
  });
  EXPECT_NE(std::string(missing_install.what()).find("line 6"), std::string::npos);
  Error bad_start = expect_error(hr::kInfGeneralSyntax, [&] {
    read(
        "[Version]\nDriverVer=01/01/2024,1.0\n[Manufacturer]\nV=M\n[M]\nDev=I,PCI\\X\n"
        "[I]\n[I.Services]\nAddService=s,2,S\n[S]\nStartType=boot\n");
  });
  EXPECT_NE(std::string(bad_start.what()).find("line 11"), std::string::npos);
}

}  // namespace
}  // namespace dismake
