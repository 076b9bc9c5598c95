#include "dismake/ops/registry_settings.h"

#include <nlohmann/json.hpp>

#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace {

Error bad_file(const std::filesystem::path& file, const std::string& what) {
  return Error(hr::kInvalidArg, "registry values file '" + file.string() + "' " + what,
               "write it as a JSON array of {\"key\", \"name\", \"type\", \"data\"} objects "
               "(the CMake module writes it for a run of dismake_set_registry_value calls)");
}

std::string field(const nlohmann::json& item, const char* name, const std::filesystem::path& file,
                  size_t index) {
  auto it = item.find(name);
  if (it == item.end() || !it->is_string())
    throw bad_file(
        file, "has no string \"" + std::string(name) + "\" in value " + std::to_string(index + 1));
  return it->get<std::string>();
}

}  // namespace

std::string registry_setting_shown(const std::string& key, const std::string& name) {
  return name.empty() ? key + " (default value)" : key + "\\" + name;
}

std::string registry_setting_line(const nlohmann::json& value) {
  return registry_setting_shown(value.value("key", ""), value.value("name", "")) + " = " +
         value.value("type", "") + " '" + value.value("data", "") + "'";
}

std::vector<RegistrySetting> read_registry_settings(const std::filesystem::path& file) {
  nlohmann::json items;
  try {
    items = nlohmann::json::parse(read_file(file));
  } catch (const nlohmann::json::exception& e) {
    throw bad_file(file, std::string("is not JSON: ") + e.what());
  }
  if (!items.is_array() || items.empty()) throw bad_file(file, "is not a non-empty array");
  std::vector<RegistrySetting> settings;
  for (size_t i = 0; i < items.size(); ++i) {
    if (!items[i].is_object()) throw bad_file(file, "has a value that is not an object");
    RegistrySetting s{field(items[i], "key", file, i),
                      field(items[i], "name", file, i),
                      field(items[i], "type", file, i),
                      field(items[i], "data", file, i),
                      {}};
    try {
      s.value = RegistryValue::parse(s.type, s.data);
    } catch (const Error& e) {
      throw Error(e.code(),
                  "registry value '" + registry_setting_shown(s.key, s.name) + "': " + e.problem(),
                  e.hint());
    }
    settings.push_back(std::move(s));
  }
  return settings;
}

}  // namespace dismake
