// A run of registry values to set in one step (set-registry-values), as the
// CMake module writes them for consecutive dismake_set_registry_value()
// calls: a JSON file holding an array of objects
//   [{"key": "HKLM\\SOFTWARE\\Contoso", "name": "A", "type": "REG_SZ", "data": "x"}, ...]
// in the order they are set. A file, not arguments: no command-line length
// limit, and no CMake list splitting REG_MULTI_SZ data at its semicolons.
// `dismake check-registry-value --values-file` reads the same file, so the
// configure-time check and the step parse the values alike.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dismake/registry/registry_value.h"

namespace dismake {

struct RegistrySetting {
  std::string key, name, type, data;  // as written (the step's spec)
  RegistryValue value;                // `type` and `data` parsed
};

// Reads and parses the values file. Throws Error(E_INVALIDARG) for a file
// that is not such an array (naming the file), and for a type or data
// RegistryValue::parse refuses (naming the value: "registry value
// 'HKLM\SOFTWARE\Contoso\A': REG_DWORD data 'x' is not a number ...").
std::vector<RegistrySetting> read_registry_settings(const std::filesystem::path& file);

// "HKLM\SOFTWARE\Contoso\A", or "HKLM\SOFTWARE\Contoso (default value)".
std::string registry_setting_shown(const std::string& key, const std::string& name);

// One value of a set-registry-values spec ({"key", "name", "type", "data"})
// as the step's log and `dismake explain` list it:
// "HKLM\SOFTWARE\Contoso\A = REG_SZ 'x'".
std::string registry_setting_line(const nlohmann::json& value);

}  // namespace dismake
