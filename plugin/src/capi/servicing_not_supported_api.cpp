// The DISM functions that need Windows' own servicing stack (see "Servicing
// that needs Windows" in dismapi.h). Each checks its session and clears its
// outputs as the real function would, then says why it cannot run here.
#include <string>

#include "api_call.h"
#include "api_state.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

// What each family of functions needs on Windows.
constexpr const char* kCbs =
    "it needs Windows' component-based servicing stack (CBS, the TrustedInstaller engine DISM "
    "drives for packages, features, capabilities, editions and health repair), which does not "
    "run on Linux";
constexpr const char* kDriverStore =
    "it needs Windows' driver store and Plug and Play setup, which DISM uses to stage .inf "
    "drivers and which do not run on Linux";
constexpr const char* kAppx =
    "it needs Windows' AppX deployment stack, which DISM uses to provision apps and which does "
    "not run on Linux";
constexpr const char* kFfu =
    "it needs Windows' FFU provider and a physical disk; dismake services WIM files only";

constexpr const char* kLicensing =
    "it needs Windows' Software Protection Platform (the licensing service DISM asks about "
    "product keys), which does not run on Linux";
constexpr const char* kRegistry =
    "it names the key where Windows' registry loaded the image's hive, and Linux has no Windows "
    "registry to load a hive into; the hive files are under <mount>/Windows/System32/config, "
    "which dismake's registry steps edit";

constexpr const char* kHint =
    "run this step with DISM on Windows; on Linux, dismake changes images with files, registry "
    "values and answer files";

template <class T>
void clear(T** output) {
  if (output) *output = nullptr;
}
void clear(UINT* output) {
  if (output) *output = 0;
}

[[noreturn]] void refuse(const char* function, const char* needs) {
  throw Error(hr::kNotSupported, std::string(function) + " is not supported: " + needs, kHint);
}

// Clears the outputs, then checks the API and the session as DISM would, so
// a bad session still reports DISMAPI_E_INVALID_DISM_SESSION.
template <class... Outputs>
HRESULT refuse_on_session(DismSession session, const char* function, const char* needs,
                          Outputs... outputs) {
  (clear(outputs), ...);
  return api_call(function, [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(session);
    refuse(function, needs);
  });
}

}  // namespace

extern "C" {

HRESULT WINAPI DismRestoreImageHealth(DismSession Session, PCWSTR*, UINT, BOOL, HANDLE,
                                      DISM_PROGRESS_CALLBACK, PVOID) {
  return refuse_on_session(Session, "DismRestoreImageHealth", kCbs);
}

HRESULT WINAPI DismAddPackage(DismSession Session, PCWSTR, BOOL, BOOL, HANDLE,
                              DISM_PROGRESS_CALLBACK, PVOID) {
  return refuse_on_session(Session, "DismAddPackage", kCbs);
}

HRESULT WINAPI DismRemovePackage(DismSession Session, PCWSTR, DismPackageIdentifier, HANDLE,
                                 DISM_PROGRESS_CALLBACK, PVOID) {
  return refuse_on_session(Session, "DismRemovePackage", kCbs);
}

HRESULT WINAPI DismGetPackages(DismSession Session, DismPackage** Package, UINT* Count) {
  return refuse_on_session(Session, "DismGetPackages", kCbs, Package, Count);
}

HRESULT WINAPI DismGetPackageInfo(DismSession Session, PCWSTR, DismPackageIdentifier,
                                  DismPackageInfo** PackageInfo) {
  return refuse_on_session(Session, "DismGetPackageInfo", kCbs, PackageInfo);
}

HRESULT WINAPI DismGetPackageInfoEx(DismSession Session, PCWSTR, DismPackageIdentifier,
                                    DismPackageInfoEx** PackageInfoEx) {
  return refuse_on_session(Session, "DismGetPackageInfoEx", kCbs, PackageInfoEx);
}

HRESULT WINAPI DismEnableFeature(DismSession Session, PCWSTR, PCWSTR, DismPackageIdentifier, BOOL,
                                 PCWSTR*, UINT, BOOL, HANDLE, DISM_PROGRESS_CALLBACK, PVOID) {
  return refuse_on_session(Session, "DismEnableFeature", kCbs);
}

HRESULT WINAPI DismDisableFeature(DismSession Session, PCWSTR, PCWSTR, BOOL, HANDLE,
                                  DISM_PROGRESS_CALLBACK, PVOID) {
  return refuse_on_session(Session, "DismDisableFeature", kCbs);
}

HRESULT WINAPI DismGetFeatures(DismSession Session, PCWSTR, DismPackageIdentifier,
                               DismFeature** Feature, UINT* Count) {
  return refuse_on_session(Session, "DismGetFeatures", kCbs, Feature, Count);
}

HRESULT WINAPI DismGetFeatureInfo(DismSession Session, PCWSTR, PCWSTR, DismPackageIdentifier,
                                  DismFeatureInfo** FeatureInfo) {
  return refuse_on_session(Session, "DismGetFeatureInfo", kCbs, FeatureInfo);
}

HRESULT WINAPI DismGetFeatureParent(DismSession Session, PCWSTR, PCWSTR, DismPackageIdentifier,
                                    DismFeature** Feature, UINT* Count) {
  return refuse_on_session(Session, "DismGetFeatureParent", kCbs, Feature, Count);
}

HRESULT WINAPI DismAddDriver(DismSession Session, PCWSTR, BOOL) {
  return refuse_on_session(Session, "DismAddDriver", kDriverStore);
}

HRESULT WINAPI DismRemoveDriver(DismSession Session, PCWSTR) {
  return refuse_on_session(Session, "DismRemoveDriver", kDriverStore);
}

HRESULT WINAPI DismGetDrivers(DismSession Session, BOOL, DismDriverPackage** DriverPackage,
                              UINT* Count) {
  return refuse_on_session(Session, "DismGetDrivers", kDriverStore, DriverPackage, Count);
}

HRESULT WINAPI DismGetDriverInfo(DismSession Session, PCWSTR, DismDriver** Driver, UINT* Count,
                                 DismDriverPackage** DriverPackage) {
  return refuse_on_session(Session, "DismGetDriverInfo", kDriverStore, Driver, Count,
                           DriverPackage);
}

HRESULT WINAPI DismGetCapabilities(DismSession Session, DismCapability** Capability, UINT* Count) {
  return refuse_on_session(Session, "DismGetCapabilities", kCbs, Capability, Count);
}

HRESULT WINAPI DismGetCapabilityInfo(DismSession Session, PCWSTR, DismCapabilityInfo** Info) {
  return refuse_on_session(Session, "DismGetCapabilityInfo", kCbs, Info);
}

HRESULT WINAPI DismAddCapability(DismSession Session, PCWSTR, BOOL, PCWSTR*, UINT, HANDLE,
                                 DISM_PROGRESS_CALLBACK, PVOID) {
  return refuse_on_session(Session, "DismAddCapability", kCbs);
}

HRESULT WINAPI DismRemoveCapability(DismSession Session, PCWSTR, HANDLE, DISM_PROGRESS_CALLBACK,
                                    PVOID) {
  return refuse_on_session(Session, "DismRemoveCapability", kCbs);
}

HRESULT WINAPI DismGetReservedStorageState(DismSession Session, PDWORD State) {
  return refuse_on_session(Session, "DismGetReservedStorageState", kCbs, State);
}

HRESULT WINAPI DismSetReservedStorageState(DismSession Session, DWORD) {
  return refuse_on_session(Session, "DismSetReservedStorageState", kCbs);
}

HRESULT WINAPI _DismGetProvisionedAppxPackages(DismSession Session, DismAppxPackage** Package,
                                               UINT* Count) {
  return refuse_on_session(Session, "DismGetProvisionedAppxPackages", kAppx, Package, Count);
}

HRESULT WINAPI _DismAddProvisionedAppxPackage(DismSession Session, PCWSTR, PCWSTR*, UINT, PCWSTR*,
                                              UINT, PCWSTR*, UINT, BOOL, PCWSTR, PCWSTR,
                                              DismStubPackageOption) {
  return refuse_on_session(Session, "DismAddProvisionedAppxPackage", kAppx);
}

HRESULT WINAPI _DismRemoveProvisionedAppxPackage(DismSession Session, PCWSTR) {
  return refuse_on_session(Session, "DismRemoveProvisionedAppxPackage", kAppx);
}

HRESULT WINAPI _DismGetCurrentEdition(DismSession Session, DismString** EditionId) {
  return refuse_on_session(Session, "DismGetCurrentEdition", kCbs, EditionId);
}

HRESULT WINAPI _DismGetTargetEditions(DismSession Session, DismString** EditionIds, UINT* Count) {
  return refuse_on_session(Session, "DismGetTargetEditions", kCbs, EditionIds, Count);
}

HRESULT WINAPI _DismSetEdition(DismSession Session, PCWSTR, PCWSTR, HANDLE, DISM_PROGRESS_CALLBACK,
                               PVOID) {
  return refuse_on_session(Session, "DismSetEdition", kCbs);
}

HRESULT WINAPI _DismSetProductKey(DismSession Session, PCWSTR) {
  return refuse_on_session(Session, "DismSetProductKey", kCbs);
}

HRESULT WINAPI _DismApplyFfuImage(PCWSTR, PCWSTR, PCWSTR) {
  return api_call("_DismApplyFfuImage", [] {
    current_runtime();
    refuse("DismApplyFfuImage", kFfu);
  });
}

HRESULT WINAPI _DismSplitFfuImage(PCWSTR, PCWSTR, UINT64) {
  return api_call("_DismSplitFfuImage", [] {
    current_runtime();
    refuse("DismSplitFfuImage", kFfu);
  });
}

HRESULT WINAPI _DismGetProductKeyInfo(DismSession Session, PCWSTR, DismString** EditionId,
                                      DismString** Channel) {
  return refuse_on_session(Session, "DismGetProductKeyInfo", kLicensing, EditionId, Channel);
}

HRESULT WINAPI _DismValidateProductKey(DismSession Session, PCWSTR) {
  return refuse_on_session(Session, "DismValidateProductKey", kLicensing);
}

HRESULT WINAPI _DismGetRegistryMountPoint(DismSession Session, DismRegistryHive,
                                          DismString** RegistryMountPoint) {
  return refuse_on_session(Session, "DismGetRegistryMountPoint", kRegistry, RegistryMountPoint);
}

}  // extern "C"
