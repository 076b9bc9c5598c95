// A driver package on the host, read and checked before anything of the
// image is touched: its INF (driver_inf.h) for the image's platform, every
// file its INF copies (SourceDisksFiles), its catalog and the catalog's
// signer. `add-driver` stages what this returns (driver_staging.h).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dismake/drivers/driver_inf.h"

namespace dismake {

// One file of the package: where it is on the host and where it goes below
// the package's DriverStore folder ('/'-separated, as the package lays it out).
struct DriverPackageFile {
  std::filesystem::path source;
  std::string relative;
};

struct DriverPackageSource {
  std::filesystem::path inf_path;
  std::string inf_name;  // lower case, as Windows names the package folder
  InfDriver driver;
  std::string architecture;               // the target's, "amd64" ...
  std::vector<DriverPackageFile> files;   // the INF first, then sorted by `relative`
  std::string catalog;                    // "" when forced unsigned without one
  std::string signer_name;                // the catalog signer's common name, "" when unsigned
  std::string package_id;                 // "<inf>_<arch>_<16 hex digits of the package's SHA-256>"
  std::vector<std::string> strings_keys;  // the INF's [Strings] keys, as spelt
  std::vector<std::string> strings_values;  // their values (the language's)
};

// The INFs `path` names: the file itself, or the *.inf files of the
// directory (and its subdirectories with `recurse`), sorted. Throws
// ERROR_FILE_NOT_FOUND when there is none.
std::vector<std::filesystem::path> find_driver_infs(const std::filesystem::path& path,
                                                    bool recurse);

// Reads and checks the package of `inf` for `target`. Throws Error naming
// the file (and INF line where there is one): the INF errors; a package
// with no models for the target's architecture
// (ERROR_INSTALL_PLATFORM_UNSUPPORTED); a file the INF copies that the
// package lacks or SourceDisksFiles does not list (ERROR_FILE_NOT_FOUND);
// without `force_unsigned`, a package with no catalog or a catalog that is
// not a signed PKCS#7 (TRUST_E_NOSIGNATURE, DISM's /ForceUnsigned error).
DriverPackageSource read_driver_package(const std::filesystem::path& inf,
                                        const TargetPlatform& target, bool force_unsigned);

// The common name (else the whole subject) of the first signer of a
// PKCS#7 SignedData file (DER or PEM), as Windows shows a catalog's signer.
// Throws TRUST_E_NOSIGNATURE when it is not one.
std::string catalog_signer_name(const std::filesystem::path& catalog);

}  // namespace dismake
