// Registry key names as Windows users write them ("HKLM\SOFTWARE\Contoso"),
// mapped to what an offline image has: a hive file inside the image and a key
// path inside that hive. Offline there is no live registry to resolve the
// roots, so the mapping is fixed:
//
//   HKLM\SOFTWARE, SYSTEM, SAM, SECURITY, COMPONENTS, DRIVERS
//                                   -> Windows/System32/config/<NAME>
//   HKU\.DEFAULT                    -> Windows/System32/config/DEFAULT
//   HKU\DefaultUser, HKCU           -> Users/Default/NTUSER.DAT
//   HKCR                            -> Windows/System32/config/SOFTWARE, key Classes
//
// HKCU means the default user profile, the one Windows copies for every new
// user: an offline image has no logged-on user, and that profile is where a
// per-user setting must go to reach the users of the image. HKCR is the
// machine half of the merged view (HKLM\SOFTWARE\Classes), where Windows
// writes when no user has an override.
#pragma once

#include <string>
#include <string_view>

namespace dismake {

struct RegistryPath {
  // The hive file, relative to the image root, '/'-separated
  // ("Windows/System32/config/SOFTWARE"). Image paths are case-insensitive.
  std::string hive_file;
  // The key inside that hive, '\'-separated, without a leading or trailing
  // '\'; "" is the hive's root key.
  std::string key;
  // The canonical short name of the hive ("HKLM\SOFTWARE", "HKCU"), for
  // messages.
  std::string hive_name;

  // "HKLM\SOFTWARE\Contoso": the canonical full name, for messages.
  std::string display() const;
};

// Parses `name` ("HKLM\SOFTWARE\Contoso", "HKEY_LOCAL_MACHINE\SOFTWARE\...",
// "HKU\.DEFAULT\...", "HKCU\..."). Root and hive names match in any case; one
// trailing '\' is tolerated; the key part keeps its spelling (the registry
// compares it case-insensitively). Throws Error(E_INVALIDARG) for an unknown
// root or hive, and for an empty key name ("A\\B").
RegistryPath parse_registry_path(std::string_view name);

// The long root name a .reg file uses for the keys of the image hive file
// `hive_file` ("Windows/System32/config/SOFTWARE" gives
// "HKEY_LOCAL_MACHINE\SOFTWARE"; matched in any case): the inverse of
// parse_registry_path. "" for a hive file the mapping does not have.
std::string registry_root_of_hive_file(std::string_view hive_file);

}  // namespace dismake
