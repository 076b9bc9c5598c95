#include "dismake/registry/registry_path.h"

#include <cctype>
#include <vector>

#include "dismake/base/error.h"

namespace dismake {

namespace {

const char kHiveHint[] =
    "use one of HKLM\\SOFTWARE, HKLM\\SYSTEM, HKLM\\SAM, HKLM\\SECURITY, HKLM\\COMPONENTS, "
    "HKLM\\DRIVERS, HKU\\.DEFAULT, HKU\\DefaultUser, HKCU, HKCR (or the HKEY_ long names)";

struct RootAlias {
  const char* long_name;
  const char* short_name;
};

constexpr RootAlias kRoots[] = {
    {"HKEY_LOCAL_MACHINE", "HKLM"},
    {"HKEY_USERS", "HKU"},
    {"HKEY_CURRENT_USER", "HKCU"},
    {"HKEY_CLASSES_ROOT", "HKCR"},
};

struct HiveMapping {
  const char* root;  // short root name
  const char* hive;  // upper-case second component, or nullptr when the root is the hive
  const char* file;
  const char* name;        // canonical hive name for messages
  const char* key_prefix;  // where the root lies inside the hive
};

constexpr HiveMapping kHives[] = {
    {"HKLM", "SOFTWARE", "Windows/System32/config/SOFTWARE", "HKLM\\SOFTWARE", ""},
    {"HKLM", "SYSTEM", "Windows/System32/config/SYSTEM", "HKLM\\SYSTEM", ""},
    {"HKLM", "SAM", "Windows/System32/config/SAM", "HKLM\\SAM", ""},
    {"HKLM", "SECURITY", "Windows/System32/config/SECURITY", "HKLM\\SECURITY", ""},
    {"HKLM", "COMPONENTS", "Windows/System32/config/COMPONENTS", "HKLM\\COMPONENTS", ""},
    {"HKLM", "DRIVERS", "Windows/System32/config/DRIVERS", "HKLM\\DRIVERS", ""},
    {"HKU", ".DEFAULT", "Windows/System32/config/DEFAULT", "HKU\\.DEFAULT", ""},
    {"HKU", "DEFAULTUSER", "Users/Default/NTUSER.DAT", "HKU\\DefaultUser", ""},
    {"HKCU", nullptr, "Users/Default/NTUSER.DAT", "HKCU", ""},
    {"HKCR", nullptr, "Windows/System32/config/SOFTWARE", "HKLM\\SOFTWARE", "Classes"},
};

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

std::vector<std::string_view> split_components(std::string_view name) {
  std::vector<std::string_view> parts;
  for (;;) {
    size_t slash = name.find('\\');
    parts.push_back(name.substr(0, slash));
    if (slash == std::string_view::npos) break;
    name.remove_prefix(slash + 1);
  }
  return parts;
}

std::string short_root(std::string_view root) {
  std::string wanted = upper(root);
  for (const RootAlias& alias : kRoots) {
    if (wanted == alias.long_name) return alias.short_name;
  }
  return wanted;
}

// The mapping for the key's first components, and how many of them it used.
const HiveMapping* find_hive(const std::vector<std::string_view>& parts, size_t* used) {
  std::string root = short_root(parts[0]);
  std::string hive = parts.size() > 1 ? upper(parts[1]) : "";
  for (const HiveMapping& mapping : kHives) {
    if (root != mapping.root) continue;
    if (mapping.hive == nullptr) {
      *used = 1;
      return &mapping;
    }
    if (hive == mapping.hive) {
      *used = 2;
      return &mapping;
    }
  }
  return nullptr;
}

[[noreturn]] void throw_unknown_hive(const std::vector<std::string_view>& parts,
                                     std::string_view name) {
  std::string hive(parts[0]);
  if (parts.size() > 1) hive += "\\" + std::string(parts[1]);
  throw Error(hr::kInvalidArg,
              "unknown registry hive '" + hive + "' in key '" + std::string(name) + "'", kHiveHint);
}

std::string join_key(const std::string& prefix, const std::vector<std::string_view>& parts,
                     size_t first, std::string_view name) {
  std::string key = prefix;
  for (size_t i = first; i < parts.size(); ++i) {
    if (parts[i].empty()) {
      throw Error(hr::kInvalidArg, "registry key '" + std::string(name) + "' has an empty key name",
                  "separate key names with a single '\\'");
    }
    if (!key.empty()) key += '\\';
    key += parts[i];
  }
  return key;
}

}  // namespace

std::string RegistryPath::display() const {
  return key.empty() ? hive_name : hive_name + "\\" + key;
}

RegistryPath parse_registry_path(std::string_view name) {
  std::string_view trimmed = name;
  if (!trimmed.empty() && trimmed.back() == '\\') trimmed.remove_suffix(1);
  std::vector<std::string_view> parts = split_components(trimmed);
  size_t used = 0;
  const HiveMapping* mapping = find_hive(parts, &used);
  if (mapping == nullptr) throw_unknown_hive(parts, name);
  RegistryPath path;
  path.hive_file = mapping->file;
  path.hive_name = mapping->name;
  path.key = join_key(mapping->key_prefix, parts, used, name);
  return path;
}

std::string registry_root_of_hive_file(std::string_view hive_file) {
  std::string wanted = upper(hive_file);
  for (const HiveMapping& mapping : kHives) {
    if (*mapping.key_prefix != '\0' || upper(mapping.file) != wanted) continue;
    std::string_view name = mapping.name;
    size_t slash = name.find('\\');
    std::string root = short_root(name.substr(0, slash));
    for (const RootAlias& alias : kRoots)
      if (root == alias.short_name) root = alias.long_name;
    return slash == std::string_view::npos ? root : root + std::string(name.substr(slash));
  }
  return "";
}

}  // namespace dismake
