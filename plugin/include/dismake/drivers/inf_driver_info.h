// What DISM's /Get-DriverInfo and DismGetDriverInfo show of a driver
// package's INF: the package's facts (as DismGetDrivers lists a staged one)
// and one DriverModel per model line, for the image's architecture. Used
// for an .inf on the host (get-driver-info <path.inf>, DismGetDriverInfo
// with a path) and for a staged package whose database keeps no
// descriptors (its Windows\INF\oemN.inf).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dismake/drivers/driver_database.h"
#include "dismake/drivers/driver_inf.h"

namespace dismake {

// A package with its models, as get-driver-info shows it.
struct DriverInfo {
  DriverPackage package;
  std::vector<DriverModel> models;
};

// The models of `driver` (read for `inf_architecture`, "amd64"...): one
// per model line (its hardware id, compatible ids and exclude ids), with
// the service an AddService marks as the function driver
// (SPSVCINST_ASSOCSERVICE).
std::vector<DriverModel> models_of_inf(const InfDriver& driver,
                                       const std::string& inf_architecture);

// The INF at `inf` read for `inf_architecture`: published and original
// name are its file name, the class name is its [Version] Class. Throws
// the InfFile and read_driver_inf errors.
DriverInfo read_inf_driver_info(const std::filesystem::path& inf,
                                const std::string& inf_architecture);

// Whether get-driver-info's argument names an .inf file on the host (it
// holds a path separator, or is a file that exists) rather than a
// published name (oemN.inf), as DISM tells the two apart.
bool names_inf_file(const std::string& driver);

// "amd64" for DISM's "x64", the others as they are ("x86", "arm64", "arm").
std::string inf_architecture_name(const std::string& dism_architecture);

}  // namespace dismake
