// Staging a driver package into an offline image's driver database, and
// taking it out again, as Windows leaves a staged package (the reference
// hive's keys: docs/design-notes.md, "Drivers"). Only hives are changed
// here; the caller (ops/add_driver_op.cpp, remove_driver_op.cpp) writes and
// deletes the files this names, then saves the hives.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dismake/drivers/driver_package.h"
#include "dismake/registry/hive.h"

namespace dismake {

// Where a staged package's files go in the image.
constexpr char kDriverStoreRepository[] = "Windows/System32/DriverStore/FileRepository";

struct DriverStaging {
  std::string published_name;  // "oem12.inf"
  std::string package_id;
  // (image path, host file) to write: the package in its DriverStore folder,
  // the INF as Windows/INF/oemN.inf, boot-start binaries in System32/drivers.
  std::vector<std::pair<std::string, std::filesystem::path>> files;
  bool already_staged = false;  // the same package was there: nothing changed
};

// Records `package` in the DriverDatabase of `database` (SYSTEM or DRIVERS)
// under the next free oemN.inf (DriverDatabase\OemInfMap), with the keys
// and value types Windows writes: DriverPackages\<id> (default, Version,
// Provider, InfName, Catalog, SignerName, SignerScore, StatusFlags,
// ImportDate; Configurations, Descriptors, Strings), DriverInfFiles\oemN.inf,
// DeviceIds\<hardware id>\oemN.inf and DeviceIds\{class}\oemN.inf. A
// boot-start service (StartType 0) also gets its key in every control set of
// `system` (which may be the same Hive): ImagePath, Type, Start,
// ErrorControl, Group. `import_date` is the FILETIME ImportDate records.
DriverStaging stage_driver_package(Hive& database, Hive& system, const DriverPackageSource& package,
                                   std::uint64_t import_date);

struct DriverRemoval {
  std::string package_id;
  // Image paths to delete: the DriverStore folder, Windows/INF/oemN.inf, the
  // boot-start binaries staged for it.
  std::vector<std::string> paths;
};

// Takes the package published as `published_name` out of the database (its
// oemN.inf bit freed) and its boot-start services (`boot_services`: name and
// binary file name, read from its INF) out of every control set where their
// ImagePath is the one staging wrote. Throws ERROR_FILE_NOT_FOUND for an
// unknown name, ERROR_ACCESS_DENIED for an inbox package.
DriverRemoval unstage_driver_package(
    Hive& database, Hive& system, const std::string& published_name,
    const std::vector<std::pair<std::string, std::string>>& boot_services);

// The package id published as `published_name` (its DriverInfFiles Active
// value); throws as unstage_driver_package does.
std::string published_package_id(Hive& database, const std::string& published_name);

// The boot-start services of an INF's driver: (name, binary file name).
std::vector<std::pair<std::string, std::string>> boot_start_services(const InfDriver& driver);

// The FILETIME of midnight UTC of DriverVer's "mm/dd/yyyy".
std::uint64_t filetime_of_driver_date(const std::string& mm_dd_yyyy);

}  // namespace dismake
