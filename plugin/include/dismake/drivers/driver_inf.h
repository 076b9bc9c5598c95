// What a driver package's INF says about the driver, for one target
// platform: the [Version] facts DISM lists (provider, class, date, version,
// catalog), the models of each manufacturer with their hardware ids, and the
// services the models install. Models and install sections are chosen by
// their decorations as Windows chooses them (see select_models_section).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dismake/drivers/inf_file.h"

namespace dismake {

// The Windows an INF is read for: its architecture as INF decorations spell
// it ("amd64", "x86", "arm64", "arm") and its version.
struct TargetPlatform {
  std::string architecture = "amd64";
  int major = 10;
  int minor = 0;
  int build = 0x7FFFFFFF;  // unknown: every build decoration matches
};

// One device a package drives: a line of a Models section,
// `description = install-section, hardware-id[, compatible-id...]`.
struct InfModel {
  std::string manufacturer;
  std::string description;
  std::string install_section;              // as the Models line names it (undecorated)
  std::string hardware_id;                  // the line's first id
  std::vector<std::string> compatible_ids;  // the line's further ids
  // Its install section's ExcludeID entries (the ids it must not be
  // installed on; the driver database keeps them as its configuration's
  // ExcludeIds), then the [ControlFlags] ExcludeFromSelect entries
  // (undecorated, .NT and .NT<arch>) that name the hardware id or a
  // compatible id, any case, or are "*" (every model of the INF).
  std::vector<std::string> exclude_ids;
};

// The model's hardware id, then its compatible ids.
std::vector<std::string> ids_of(const InfModel& model);

// An AddService directive with its service-install section.
struct InfService {
  std::string name;
  std::uint32_t flags = 0;
  std::uint32_t service_type = 0;
  std::optional<std::uint32_t> start_type;
  std::uint32_t error_control = 0;
  std::string service_binary;    // as written, e.g. "%12%\viostor.sys"
  std::string load_order_group;  // "" when none
  int line_number = 0;
};

struct InfDriver {
  std::string provider;
  std::string class_name;
  std::string class_guid;     // lower case, with braces, as the registry keys it
  std::string date;           // DriverVer's mm/dd/yyyy, as written
  std::uint64_t version = 0;  // DriverVer's a.b.c.d: a<<48 | b<<32 | c<<16 | d
  std::string catalog;        // CatalogFile.NT<arch>, else CatalogFile; "" when none
  std::vector<InfModel> models;
  // The install sections the models use, decorated as chosen ("x.NTamd64").
  std::vector<std::string> install_sections;
  // Each install section's ExcludeID entries, parallel to install_sections.
  std::vector<std::vector<std::string>> install_exclude_ids;
  std::vector<InfService> services;
  // A service starts at boot (StartType 0, SERVICE_BOOT_START): Windows
  // needs the driver to reach its system disk.
  bool boot_critical = false;
};

// Reads the driver facts of `inf` for `target`. Throws Error naming the
// file and line for a missing [Version] or DriverVer, a bad DriverVer, a
// Models or service section that is named but missing, or a number that is
// not one.
InfDriver read_driver_inf(const InfFile& inf, const TargetPlatform& target);

// The Models section a [Manufacturer] line's `section` and `decorations`
// select for `target`: of the decorations `NT[arch][.major[.minor[.product[.suite[.build]]]]]`
// whose architecture is the target's (or none) and whose version is at
// most the target's, the highest version, an architecture-specific one
// before a generic one; "<section>.<decoration>". Without a matching
// decoration, the undecorated `section` (nullopt when the INF lacks it).
std::optional<std::string> select_models_section(const InfFile& inf, const std::string& section,
                                                 const std::vector<std::string>& decorations,
                                                 const TargetPlatform& target);

// "1.3.15.0" for a packed version (a<<48 | b<<32 | c<<16 | d).
std::string format_driver_version(std::uint64_t version);

}  // namespace dismake
