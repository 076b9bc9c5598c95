// DISM's functions that need Windows' servicing stack compile, check their
// session as DISM would, clear their outputs and return ERROR_NOT_SUPPORTED
// with a message that says why.
#include <functional>
#include <utility>
#include <vector>

#include "support/capi_test_support.h"

namespace capi_test {
namespace {

const HRESULT kNotSupported = HRESULT_FROM_WIN32(ERROR_NOT_SUPPORTED);

// Each call, named as its message names it, on session `s`.
std::vector<std::pair<std::string, std::function<HRESULT(DismSession)>>> session_calls() {
  static DismPackage* package;
  static DismPackageInfo* package_info;
  static DismPackageInfoEx* package_info_ex;
  static DismFeature* feature;
  static DismFeatureInfo* feature_info;
  static DismCapability* capability;
  static DismCapabilityInfo* capability_info;
  static DismAppxPackage* appx;
  static DismString* edition;
  static UINT count;
  static DWORD state;
  return {
      {"DismRestoreImageHealth",
       [](DismSession s) {
         return DismRestoreImageHealth(s, nullptr, 0, TRUE, nullptr, nullptr, nullptr);
       }},
      {"DismAddPackage",
       [](DismSession s) {
         return DismAddPackage(s, L"/x.cab", FALSE, FALSE, nullptr, nullptr, nullptr);
       }},
      {"DismRemovePackage",
       [](DismSession s) {
         return DismRemovePackage(s, L"P", DismPackageName, nullptr, nullptr, nullptr);
       }},
      {"DismGetPackages", [](DismSession s) { return DismGetPackages(s, &package, &count); }},
      {"DismGetPackageInfo",
       [](DismSession s) { return DismGetPackageInfo(s, L"P", DismPackageName, &package_info); }},
      {"DismGetPackageInfoEx",
       [](DismSession s) {
         return DismGetPackageInfoEx(s, L"P", DismPackageName, &package_info_ex);
       }},
      {"DismEnableFeature",
       [](DismSession s) {
         return DismEnableFeature(s, L"NetFx3", nullptr, DismPackageNone, TRUE, nullptr, 0, FALSE,
                                  nullptr, nullptr, nullptr);
       }},
      {"DismDisableFeature",
       [](DismSession s) {
         return DismDisableFeature(s, L"NetFx3", nullptr, FALSE, nullptr, nullptr, nullptr);
       }},
      {"DismGetFeatures",
       [](DismSession s) {
         return DismGetFeatures(s, nullptr, DismPackageNone, &feature, &count);
       }},
      {"DismGetFeatureInfo",
       [](DismSession s) {
         return DismGetFeatureInfo(s, L"NetFx3", nullptr, DismPackageNone, &feature_info);
       }},
      {"DismGetFeatureParent",
       [](DismSession s) {
         return DismGetFeatureParent(s, L"NetFx3", nullptr, DismPackageNone, &feature, &count);
       }},
      {"DismGetCapabilities",
       [](DismSession s) { return DismGetCapabilities(s, &capability, &count); }},
      {"DismGetCapabilityInfo",
       [](DismSession s) { return DismGetCapabilityInfo(s, L"Cap", &capability_info); }},
      {"DismAddCapability",
       [](DismSession s) {
         return DismAddCapability(s, L"Cap", TRUE, nullptr, 0, nullptr, nullptr, nullptr);
       }},
      {"DismRemoveCapability",
       [](DismSession s) { return DismRemoveCapability(s, L"Cap", nullptr, nullptr, nullptr); }},
      {"DismGetReservedStorageState",
       [](DismSession s) { return DismGetReservedStorageState(s, &state); }},
      {"DismSetReservedStorageState",
       [](DismSession s) {
         return DismSetReservedStorageState(s, DISM_RESERVED_STORAGE_DISABLED);
       }},
      {"DismGetProvisionedAppxPackages",
       [](DismSession s) { return DismGetProvisionedAppxPackages(s, &appx, &count); }},
      {"DismAddProvisionedAppxPackage",
       [](DismSession s) {
         return DismAddProvisionedAppxPackage(s, L"/a.appx", nullptr, 0, nullptr, 0, nullptr, 0,
                                              TRUE, nullptr, nullptr, DismStubPackageOptionNone);
       }},
      {"DismRemoveProvisionedAppxPackage",
       [](DismSession s) { return DismRemoveProvisionedAppxPackage(s, L"App"); }},
      {"DismGetCurrentEdition", [](DismSession s) { return DismGetCurrentEdition(s, &edition); }},
      {"DismGetTargetEditions",
       [](DismSession s) { return DismGetTargetEditions(s, &edition, &count); }},
      {"DismSetEdition",
       [](DismSession s) {
         return DismSetEdition(s, L"Enterprise", nullptr, nullptr, nullptr, nullptr);
       }},
      {"DismSetProductKey", [](DismSession s) { return DismSetProductKey(s, L"XXXXX"); }},
  };
}

TEST_F(CapiTest, ServicingThatNeedsWindowsIsNotSupportedAndSaysWhy) {
  fs::path mount_dir = mount(copy_fixture("single.wim"));
  DismSession session = open_session(mount_dir);
  for (auto& [name, call] : session_calls()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(kNotSupported, call(session));
    std::string message = last_error_message();
    EXPECT_NE(std::string::npos, message.find(name + " is not supported")) << message;
    EXPECT_NE(std::string::npos, message.find("Windows'")) << message;
    EXPECT_NE(std::string::npos, message.find("0x80070032")) << message;
  }
  EXPECT_EQ(kNotSupported, DismApplyFfuImage(L"/x.ffu", L"/dev/sdz", nullptr));
  EXPECT_NE(std::string::npos, last_error_message().find("FFU"));
  EXPECT_EQ(S_OK, DismCloseSession(session));
  EXPECT_EQ(S_OK, DismUnmountImage(wide(mount_dir).c_str(), DISM_DISCARD_IMAGE, nullptr, nullptr,
                                   nullptr));
}

TEST_F(CapiTest, ServicingThatNeedsWindowsChecksTheSessionFirst) {
  for (auto& [name, call] : session_calls()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(hr_of(DISMAPI_E_INVALID_DISM_SESSION), call(77));
  }
}

TEST_F(CapiTest, ServicingThatNeedsWindowsClearsItsOutputs) {
  DismSession session = open_session(fixture("tree"));
  auto* stale = reinterpret_cast<DismPackage*>(0x1234);
  DismPackage* packages = stale;
  UINT count = 99;
  EXPECT_EQ(kNotSupported, DismGetPackages(session, &packages, &count));
  EXPECT_EQ(nullptr, packages);
  EXPECT_EQ(0u, count);
  EXPECT_EQ(S_OK, DismDelete(packages));  // what a client's cleanup does next
  DismDriver* drivers = reinterpret_cast<DismDriver*>(0x1234);
  DismDriverPackage* driver_package = reinterpret_cast<DismDriverPackage*>(0x1234);
  count = 5;
  // DismGetDriverInfo runs (drivers_api_test), but fails on an image without a SYSTEM hive.
  EXPECT_EQ(HRESULT_FROM_WIN32(ERROR_NOT_FOUND),
            DismGetDriverInfo(session, L"oem1.inf", &drivers, &count, &driver_package));
  EXPECT_EQ(nullptr, drivers);
  EXPECT_EQ(nullptr, driver_package);
  EXPECT_EQ(0u, count);
  DWORD state = 7;
  EXPECT_EQ(kNotSupported, DismGetReservedStorageState(session, &state));
  EXPECT_EQ(0u, state);
  EXPECT_EQ(S_OK, DismCloseSession(session));
}

class NotInitialized : public CapiTest {
 protected:
  NotInitialized() : CapiTest(/*initialize=*/false) {}
};

TEST_F(NotInitialized, ServicingThatNeedsWindowsNeedsInitializeFirst) {
  for (auto& [name, call] : session_calls()) {
    SCOPED_TRACE(name);
    EXPECT_EQ(hr_of(DISMAPI_E_DISMAPI_NOT_INITIALIZED), call(1));
  }
  EXPECT_EQ(hr_of(DISMAPI_E_DISMAPI_NOT_INITIALIZED), DismApplyFfuImage(L"a", L"b", nullptr));
}

}  // namespace
}  // namespace capi_test
