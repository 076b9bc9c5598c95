// The driver packages an offline Windows image has staged, read from its
// driver database as DISM's /Get-Drivers and /Get-DriverInfo report them.
//
// Windows keeps the database in the key DriverDatabase: of the SYSTEM hive
// (Windows 10 up to 1709, as the reference hive tests/fixtures/data/
// win10-system has it), or of the DRIVERS hive (System32\config\DRIVERS)
// that later versions load beside it; whichever holds the key is read, the
// DRIVERS hive first. Each package is DriverPackages\<inf>_<arch>_<id>:
// default value the published name (oemN.inf for third-party packages, the
// INF's own name for inbox ones), Version (driver_version_record.h),
// Provider, InfName, Catalog, SignerName; Descriptors\<hardware id> and
// Strings for its models. Class names come from SYSTEM's
// CurrentControlSet\Control\Class\{guid}\Class. docs/design-notes.md
// ("Drivers") records what Windows wrote there.
//
// Dirty hives are read with their transaction logs replayed (Hive does it);
// a dirty hive whose logs are gone (the reference hive is one) is read as
// its primary file is, as reglookup and hivex read it. Nothing is written.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/temporary_directory.h"
#include "dismake/drivers/driver_inf.h"
#include "dismake/registry/hive.h"

namespace dismake {

struct DriverPackage {
  std::string published_name;      // "oem4.inf"; an inbox package's own INF name
  std::string original_file_name;  // "pvscsi.inf"
  std::string package_id;          // "pvscsi.inf_amd64_b0d59727d712523f" (its DriverStore folder)
  bool inbox = false;
  std::string class_guid;  // "{4d36e97b-e325-11ce-bfc1-08002be10318}"
  std::string class_name;  // "SCSIAdapter"; "" when the image does not name the class
  std::string provider;
  std::uint64_t date = 0;     // FILETIME of DriverVer's date
  std::uint64_t version = 0;  // a<<48 | b<<32 | c<<16 | d
  bool boot_critical = false;
  std::string architecture;  // "amd64", "x86", "arm64", "arm" (from the package id)
  std::string catalog;
  std::string signer_name;
};

// One device a package drives (DISM's DismDriver): a hardware id with its
// compatible ids and exclude ids.
struct DriverModel {
  std::string hardware_id;
  std::string manufacturer;
  std::string description;
  std::string architecture;
  std::string service;  // "" when the image's database does not say
  std::vector<std::string> compatible_ids;
  std::vector<std::string> exclude_ids;
};

class DriverDatabase {
 public:
  // The image's INF of a published name (Windows\INF\oemN.inf) on disk, or
  // nullopt when the image has none: it is read for the packages the
  // database does not tell boot-criticality of.
  using InfLocator = std::function<std::optional<std::filesystem::path>(const std::string&)>;

  // Opens the database of the image whose SYSTEM hive is `system_hive` and
  // DRIVERS hive `drivers_hive` (nullopt when the image has none). Throws
  // Error(ERROR_NOT_FOUND) when neither holds a DriverDatabase key, and the
  // Hive errors for an unreadable hive.
  DriverDatabase(const std::filesystem::path& system_hive,
                 const std::optional<std::filesystem::path>& drivers_hive,
                 InfLocator inf_locator = {});

  // Every package, third-party ones only unless `include_inbox`, sorted by
  // published name as DISM lists them (oem0.inf, oem1.inf, ..., oem10.inf).
  const std::vector<DriverPackage>& packages() const { return packages_; }
  std::vector<DriverPackage> packages(bool include_inbox) const;

  // The package published as `name` (any case). Throws
  // Error(ERROR_FILE_NOT_FOUND) naming it and listing how to see the names.
  const DriverPackage& find(const std::string& published_name) const;

  // The package's models from its Descriptors with their strings
  // substituted, sorted by hardware id; empty when the database keeps none
  // for it. Descriptors key hardware and compatible ids alike; an id whose
  // DeviceIds entry for the package has first byte 2 is a compatible id,
  // and goes with the hardware ids of the same Configuration, Manufacturer
  // and Description (a model line's ids share them). Exclude ids are its
  // configuration's ExcludeIds.
  std::vector<DriverModel> models(const DriverPackage& package);

  // The image's architecture as DISM's ImageArchitecture names it.
  std::string architecture() const { return architecture_; }

 private:
  Hive& database_hive() { return drivers_ ? *drivers_ : *system_; }
  // DeviceIds\<id>\<published name> says `id` is a compatible id.
  bool is_compatible_id(const std::string& id, const std::string& published_name);

  std::unique_ptr<TemporaryDirectory> scratch_;  // clean copies of dirty hives without logs
  std::unique_ptr<Hive> system_;
  std::unique_ptr<Hive> drivers_;
  std::string architecture_;
  std::vector<DriverPackage> packages_;
};

// "x64" for "amd64" and DISM's names of the others ("x86", "arm64", "arm").
std::string dism_architecture_name(const std::string& inf_architecture);

// Ids as get-driver-info and DismDriver's CompatibleIds / ExcludeIds give
// them: separated by one space (a device id holds no spaces), "" for none.
std::string joined_ids(const std::vector<std::string>& ids);

// DISM's date text of a FILETIME: "8/2/2019" (month/day/year, en-US).
std::string format_driver_date(std::uint64_t filetime);
// "2019-08-02", for JSON.
std::string iso_driver_date(std::uint64_t filetime);

}  // namespace dismake
