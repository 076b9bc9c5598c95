// The driver functions of the DISM API: DismGetDrivers and DismGetDriverInfo
// read a session's image's driver database as `dismake get-drivers` and
// `get-driver-info` do (ops/image_drivers.h); DismAddDriver and
// DismRemoveDriver run the add-driver and remove-driver steps on its mount.
#include <filesystem>
#include <memory>

#include "api_call.h"
#include "api_sessions.h"
#include "api_state.h"
#include "dismake/base/case_fold.h"
#include "dismake/drivers/driver_database.h"
#include "dismake/drivers/inf_driver_info.h"
#include "dismake/ops/image_drivers.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/ops/step_runner.h"
#include "result_buffer.h"
#include "system_time.h"
#include "wide_string.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

// PROCESSOR_ARCHITECTURE_* of an INF architecture name.
UINT processor_architecture(const std::string& architecture) {
  std::string folded = fold_case(architecture);
  if (folded == "AMD64" || folded == "X64") return 9;
  if (folded == "ARM64") return 12;
  if (folded == "ARM") return 5;
  if (folded == "X86") return 0;
  return 0xFFFF;  // PROCESSOR_ARCHITECTURE_UNKNOWN
}

void fill_package(DismDriverPackage& out, ResultArena& arena, const DriverPackage& p) {
  out.PublishedName = arena.string(p.published_name);
  out.OriginalFileName = arena.string(p.original_file_name);
  out.InBox = p.inbox ? TRUE : FALSE;
  out.CatalogFile = arena.string(p.catalog);
  out.ClassName = arena.string(p.class_name);
  out.ClassGuid = arena.string(p.class_guid);
  out.ClassDescription = arena.string(p.class_name);
  out.BootCritical = p.boot_critical ? TRUE : FALSE;
  out.DriverSignature = !p.signer_name.empty() ? DismDriverSignatureSigned
                        : p.catalog.empty()    ? DismDriverSignatureUnsigned
                                               : DismDriverSignatureUnknown;
  out.ProviderName = arena.string(p.provider);
  out.Date = system_time_from_filetime(p.date);
  out.MajorVersion = static_cast<UINT>(p.version >> 48);
  out.MinorVersion = static_cast<UINT>((p.version >> 32) & 0xFFFF);
  out.Build = static_cast<UINT>((p.version >> 16) & 0xFFFF);
  out.Revision = static_cast<UINT>(p.version & 0xFFFF);
}

}  // namespace

extern "C" HRESULT WINAPI DismGetDrivers(DismSession Session, BOOL AllDrivers,
                                         DismDriverPackage** DriverPackage, UINT* Count) {
  if (DriverPackage) *DriverPackage = nullptr;
  if (Count) *Count = 0;
  return api_call("DismGetDrivers", [&] {
    if (!DriverPackage || !Count) throw Error(hr::kInvalidArg, "DriverPackage or Count is NULL");
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(Session);
    ImageDrivers image(operation.target(), 0);
    std::vector<dismake::DriverPackage> packages = image.database().packages(AllDrivers != FALSE);
    Result<DismDriverPackage> result(packages.size());
    for (size_t i = 0; i < packages.size(); ++i)
      fill_package(result[i], result.arena(), packages[i]);
    *Count = static_cast<UINT>(packages.size());
    *DriverPackage = result.release();
  });
}

extern "C" HRESULT WINAPI DismGetDriverInfo(DismSession Session, PCWSTR DriverPath,
                                            DismDriver** Driver, UINT* Count,
                                            DismDriverPackage** DriverPackage) {
  if (Driver) *Driver = nullptr;
  if (Count) *Count = 0;
  if (DriverPackage) *DriverPackage = nullptr;
  return api_call("DismGetDriverInfo", [&] {
    if (!DriverPath || !Driver || !Count)
      throw Error(hr::kInvalidArg, "DriverPath, Driver or Count is NULL");
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(Session);
    ImageDrivers image(operation.target(), 0);
    DriverInfo info = image.driver_info(required_utf8(DriverPath, "DriverPath"));
    const dismake::DriverPackage& package = info.package;
    const std::vector<DriverModel>& models = info.models;
    Result<DismDriver> drivers(models.size());
    for (size_t i = 0; i < models.size(); ++i) {
      DismDriver& out = drivers[i];
      ResultArena& arena = drivers.arena();
      out.ManufacturerName = arena.string(models[i].manufacturer);
      out.HardwareDescription = arena.string(models[i].description);
      out.HardwareId = arena.string(models[i].hardware_id);
      out.Architecture = processor_architecture(package.architecture);
      out.ServiceName = arena.string(models[i].service);
      out.CompatibleIds = arena.string(joined_ids(models[i].compatible_ids));
      out.ExcludeIds = arena.string(joined_ids(models[i].exclude_ids));
    }
    if (DriverPackage) {
      Result<DismDriverPackage> info(1);
      fill_package(info[0], info.arena(), package);
      *DriverPackage = info.release();
    }
    *Count = static_cast<UINT>(models.size());
    *Driver = drivers.release();
  });
}

namespace {

// Steps are recorded in a mount's state; a plain directory has none.
MountPaths require_driver_mount(Runtime& runtime, const std::string& target) {
  MountPaths paths = MountPaths::of(target);
  if (!is_mount(runtime.store(), paths))
    throw Error(hr::kNotFound,
                "'" + paths.mount_dir.string() +
                    "' is a plain directory, not a mount: dismake adds and removes drivers in "
                    "mounted images only",
                "mount the image with DismMountImage and open the session on the mount");
  return paths;
}

}  // namespace

// DismAddDriver and DismRemoveDriver: the engine's add-driver and
// remove-driver steps on the session's mount, so what they stage commits.
extern "C" HRESULT WINAPI DismAddDriver(DismSession Session, PCWSTR DriverPath,
                                        BOOL ForceUnsigned) {
  return api_call("DismAddDriver", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(Session);
    fs::path path = required_path(DriverPath, "DriverPath");
    MountPaths paths = require_driver_mount(*runtime, operation.target());
    std::unique_ptr<Op> op = make_add_driver_op(path, /*recurse=*/false, ForceUnsigned != FALSE);
    run_step(paths.mount_dir, *op, StepOptions());
  });
}

extern "C" HRESULT WINAPI DismRemoveDriver(DismSession Session, PCWSTR DriverPath) {
  return api_call("DismRemoveDriver", [&] {
    std::shared_ptr<Runtime> runtime = current_runtime();
    SessionTable::Operation operation = runtime->sessions().begin_operation(Session);
    std::string name = required_utf8(DriverPath, "DriverPath");
    MountPaths paths = require_driver_mount(*runtime, operation.target());
    std::unique_ptr<Op> op = make_remove_driver_op({name});
    run_step(paths.mount_dir, *op, StepOptions());
  });
}
