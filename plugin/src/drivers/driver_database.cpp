#include "dismake/drivers/driver_database.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/utf8.h"
#include "dismake/drivers/driver_version_record.h"

namespace dismake {

namespace {

const char kDatabase[] = "DriverDatabase";
const char kPackages[] = "DriverDatabase\\DriverPackages\\";
const char kDeviceIds[] = "DriverDatabase\\DeviceIds\\";
// DeviceIds\<id>\oemN.inf's first byte for a compatible id (1: a hardware id).
constexpr char kCompatibleIdRank = 2;

// The text of a REG_SZ / REG_EXPAND_SZ value ("" for other types).
std::string text_of(const std::optional<RegistryValue>& value) {
  if (!value || (value->type() != RegistryType::kSz && value->type() != RegistryType::kExpandSz))
    return "";
  std::string bytes = value->bytes();
  while (bytes.size() >= 2 && bytes[bytes.size() - 1] == '\0' && bytes[bytes.size() - 2] == '\0')
    bytes.resize(bytes.size() - 2);
  return utf16le_to_utf8(bytes).value_or("");
}

std::string text_of(const std::vector<Hive::NamedValue>& values, const std::string& name) {
  for (const Hive::NamedValue& value : values)
    if (fold_case(value.name) == fold_case(name)) return text_of(value.value);
  return "";
}

std::optional<RegistryValue> value_of(const std::vector<Hive::NamedValue>& values,
                                      const std::string& name) {
  for (const Hive::NamedValue& value : values)
    if (fold_case(value.name) == fold_case(name)) return value.value;
  return std::nullopt;
}

// The items of a REG_MULTI_SZ value `name` (none for another type).
std::vector<std::string> items_of(const std::vector<Hive::NamedValue>& values,
                                  const std::string& name) {
  std::optional<RegistryValue> value = value_of(values, name);
  std::vector<std::string> items;
  if (!value || value->type() != RegistryType::kMultiSz) return items;
  std::string text = utf16le_to_utf8(value->bytes()).value_or("");
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) items.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return items;
}

std::optional<std::uint32_t> dword_of(const std::optional<RegistryValue>& value) {
  if (!value || value->type() != RegistryType::kDword || value->bytes().size() != 4)
    return std::nullopt;
  const std::string& b = value->bytes();
  return static_cast<std::uint32_t>(static_cast<unsigned char>(b[0])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(b[3])) << 24;
}

// "pvscsi.inf_amd64_b0d59727d712523f" → "amd64".
std::string architecture_of_package(const std::string& package_id) {
  size_t last = package_id.rfind('_');
  if (last == std::string::npos || last == 0) return "";
  size_t before = package_id.rfind('_', last - 1);
  if (before == std::string::npos) return "";
  return package_id.substr(before + 1, last - before - 1);
}

// "oem<number>.inf", as Windows publishes third-party INFs.
bool is_oem_name(const std::string& name) {
  std::string folded = fold_case(name);
  if (folded.size() < 8 || folded.rfind("OEM", 0) != 0) return false;
  if (folded.compare(folded.size() - 4, 4, ".INF") != 0) return false;
  std::string digits = folded.substr(3, folded.size() - 7);
  return !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
}

// DriverDatabase\Architecture: PROCESSOR_ARCHITECTURE_* numbers.
std::string architecture_name(std::uint32_t number) {
  switch (number) {
    case 0:
      return "x86";
    case 5:
      return "arm";
    case 9:
      return "x64";
    case 12:
      return "arm64";
    default:
      return "unknown";
  }
}

// oem2.inf before oem10.inf: names with a number compare by it.
bool published_before(const DriverPackage& a, const DriverPackage& b) {
  auto split = [](const std::string& name) {
    std::string folded = fold_case(name);
    size_t digits = folded.find_first_of("0123456789");
    size_t end = folded.find_first_not_of("0123456789", digits);
    if (digits == std::string::npos) return std::make_tuple(folded, -1L, std::string());
    return std::make_tuple(folded.substr(0, digits),
                           std::atol(folded.substr(digits, end - digits).c_str()),
                           end == std::string::npos ? std::string() : folded.substr(end));
  };
  return split(a.published_name) < split(b.published_name);
}

// `%key%` → the package's Strings\key; text without tokens as it is.
std::string resolve_strings(const std::string& text,
                            const std::map<std::string, std::string>& strings) {
  if (text.size() < 3 || text.front() != '%' || text.back() != '%') return text;
  auto it = strings.find(fold_case(text.substr(1, text.size() - 2)));
  return it == strings.end() ? text : it->second;
}

// Opens `path` to be read. Hive refuses a dirty hive whose transaction logs
// are gone, as it would not edit one; to read it, a private copy of the
// primary file is marked clean (its two sequence numbers made equal, the
// header checksum recomputed) and opened instead.
std::unique_ptr<Hive> open_for_reading(const std::filesystem::path& path,
                                       std::unique_ptr<TemporaryDirectory>& scratch) {
  try {
    return std::make_unique<Hive>(path);
  } catch (const Error& error) {
    std::error_code ec;
    bool has_logs = std::filesystem::exists(path.string() + ".LOG1", ec) ||
                    std::filesystem::exists(path.string() + ".LOG2", ec);
    if (error.code() != hr::kRegistryCorrupt || has_logs) throw;
  }
  if (!scratch) scratch = std::make_unique<TemporaryDirectory>("driver-hives");
  std::filesystem::path copy = scratch->path() / path.filename();
  std::string bytes = read_file(path);
  if (bytes.size() < 4096) throw Error(hr::kBadFormat, "'" + path.string() + "' is not a hive");
  std::memcpy(&bytes[8], &bytes[4], 4);  // secondary sequence = primary
  std::uint32_t sum = 0;
  for (size_t at = 0; at < 508; at += 4) {
    std::uint32_t word;
    std::memcpy(&word, &bytes[at], 4);
    sum ^= word;
  }
  std::memcpy(&bytes[508], &sum, 4);
  write_file_atomic(copy, bytes);
  return std::make_unique<Hive>(copy);
}

}  // namespace

DriverDatabase::DriverDatabase(const std::filesystem::path& system_hive,
                               const std::optional<std::filesystem::path>& drivers_hive,
                               InfLocator inf_locator)
    : system_(open_for_reading(system_hive, scratch_)) {
  if (drivers_hive) {
    drivers_ = open_for_reading(*drivers_hive, scratch_);
    if (!drivers_->has_key(kDatabase)) drivers_.reset();
  }
  Hive& database = database_hive();
  if (!database.has_key(kDatabase))
    throw Error(hr::kNotFound,
                "the image has no driver database (no DriverDatabase key in '" +
                    system_hive.string() + "'" +
                    (drivers_hive ? " nor in '" + drivers_hive->string() + "'" : "") + ")",
                "is it a Windows 10 or later image? Older Windows keep no driver database");
  architecture_ =
      architecture_name(dword_of(database.get_value(kDatabase, "Architecture")).value_or(~0u));

  // One pass over the database: packages, their configurations' services.
  std::map<std::string, DriverPackage> by_key;
  std::map<std::string, std::vector<std::string>> services;  // package key → services
  const std::string prefix = fold_case(kPackages);
  database.for_each_key([&](const std::string& key, const std::vector<Hive::NamedValue>& values) {
    std::string folded = fold_case(key);
    if (folded.compare(0, prefix.size(), prefix) != 0) return;
    std::string rest = key.substr(prefix.size());
    size_t slash = rest.find('\\');
    std::string package_key = rest.substr(0, slash);
    if (slash == std::string::npos) {
      DriverPackage package;
      package.package_id = package_key;
      package.published_name = text_of(values, "");
      package.original_file_name = text_of(values, "InfName");
      package.provider = text_of(values, "Provider");
      package.catalog = text_of(values, "Catalog");
      package.signer_name = text_of(values, "SignerName");
      package.architecture = architecture_of_package(package_key);
      std::optional<RegistryValue> version = value_of(values, "Version");
      if (version) {
        DriverVersionRecord record =
            decode_driver_version_record(version->bytes(), "the Version of " + key);
        package.class_guid = record.class_guid;
        package.date = record.date;
        package.version = record.version;
      }
      if (package.published_name.empty()) package.published_name = package.original_file_name;
      // Third-party packages are published as oemN.inf; an inbox one keeps its name.
      package.inbox = !is_oem_name(package.published_name);
      by_key[fold_case(package_key)] = std::move(package);
      return;
    }
    // Configurations\<configuration>: its function driver's Service.
    std::string inner = fold_case(rest.substr(slash + 1));
    if (inner.rfind("CONFIGURATIONS\\", 0) == 0 &&
        inner.find('\\', sizeof("configurations\\") - 1) == std::string::npos) {
      std::string service = text_of(values, "Service");
      if (!service.empty()) services[fold_case(package_key)].push_back(service);
    }
  });

  std::map<std::string, std::string> class_names;  // by folded GUID
  for (auto& [key, package] : by_key) {
    if (!package.class_guid.empty()) {
      auto [it, inserted] = class_names.try_emplace(package.class_guid);
      if (inserted)
        it->second = text_of(system_->get_value(
            "CurrentControlSet\\Control\\Class\\" + package.class_guid, "Class"));
      package.class_name = it->second;
    }
    // Boot-critical: a service of its configurations starts at boot; for a
    // package whose database names no service, what its INF says.
    for (const std::string& service : services[key]) {
      std::optional<std::uint32_t> start =
          dword_of(system_->get_value("CurrentControlSet\\Services\\" + service, "Start"));
      if (start == 0u) package.boot_critical = true;
    }
    if (services[key].empty() && !package.inbox && inf_locator) {
      std::optional<std::filesystem::path> inf = inf_locator(package.published_name);
      if (inf) {
        TargetPlatform target;
        target.architecture = package.architecture;
        package.boot_critical = read_driver_inf(InfFile::load(*inf), target).boot_critical;
      }
    }
    packages_.push_back(std::move(package));
  }
  std::sort(packages_.begin(), packages_.end(), published_before);
}

std::vector<DriverPackage> DriverDatabase::packages(bool include_inbox) const {
  std::vector<DriverPackage> chosen;
  for (const DriverPackage& package : packages_)
    if (include_inbox || !package.inbox) chosen.push_back(package);
  return chosen;
}

const DriverPackage& DriverDatabase::find(const std::string& published_name) const {
  for (const DriverPackage& package : packages_)
    if (fold_case(package.published_name) == fold_case(published_name)) return package;
  throw Error(hr::kFileNotFound,
              "the image has no driver package published as '" + published_name + "'",
              "see the names with `dismake get-drivers` (--all for inbox drivers)");
}

std::vector<DriverModel> DriverDatabase::models(const DriverPackage& package) {
  const std::string root = kPackages + package.package_id;
  const std::string descriptors = fold_case(root + "\\Descriptors\\");
  const std::string strings_key = fold_case(root + "\\Strings");
  const std::string configurations = fold_case(root + "\\Configurations\\");
  std::map<std::string, std::string> strings;
  std::map<std::string, std::string> configuration_services;
  std::map<std::string, std::vector<std::string>> configuration_excludes;
  std::vector<std::pair<std::string, std::vector<Hive::NamedValue>>> found;
  database_hive().for_each_key([&](const std::string& key,
                                   const std::vector<Hive::NamedValue>& values) {
    std::string folded = fold_case(key);
    if (folded == strings_key) {
      for (const Hive::NamedValue& value : values)
        strings[fold_case(value.name)] = text_of(value.value);
    } else if (folded.compare(0, descriptors.size(), descriptors) == 0 && !values.empty()) {
      // A hardware id with '\' is a key path (PCI\VEN_15AD&DEV_07C0): its
      // inner keys hold no values.
      found.emplace_back(key.substr(descriptors.size()), values);
    } else if (folded.compare(0, configurations.size(), configurations) == 0 &&
               folded.find('\\', configurations.size()) == std::string::npos) {
      configuration_services[folded.substr(configurations.size())] = text_of(values, "Service");
      configuration_excludes[folded.substr(configurations.size())] = items_of(values, "ExcludeIds");
    }
  });
  // A model line's ids share its descriptor values: compatible ids go with
  // the hardware ids of the same (Configuration, Manufacturer, Description).
  auto group_of = [](const std::vector<Hive::NamedValue>& values) {
    return fold_case(text_of(values, "Configuration")) + '\n' + text_of(values, "Manufacturer") +
           '\n' + text_of(values, "Description");
  };
  std::map<std::string, std::vector<std::string>> compatible_by_group;
  std::set<std::string> groups_with_hardware_ids;
  for (const auto& [id, values] : found) {
    if (is_compatible_id(id, package.published_name))
      compatible_by_group[group_of(values)].push_back(id);
    else
      groups_with_hardware_ids.insert(group_of(values));
  }
  std::vector<DriverModel> models;
  for (const auto& [id, values] : found) {
    std::string group = group_of(values);
    bool compatible = is_compatible_id(id, package.published_name);
    // A compatible id with no hardware id beside it is shown as one.
    if (compatible && groups_with_hardware_ids.count(group)) continue;
    DriverModel model;
    model.hardware_id = id;
    model.manufacturer = resolve_strings(text_of(values, "Manufacturer"), strings);
    model.description = resolve_strings(text_of(values, "Description"), strings);
    model.architecture = dism_architecture_name(package.architecture);
    auto service = configuration_services.find(fold_case(text_of(values, "Configuration")));
    if (service != configuration_services.end()) model.service = service->second;
    model.exclude_ids = configuration_excludes[fold_case(text_of(values, "Configuration"))];
    if (!compatible) model.compatible_ids = compatible_by_group[group];
    models.push_back(std::move(model));
  }
  std::sort(models.begin(), models.end(), [](const DriverModel& a, const DriverModel& b) {
    return fold_case(a.hardware_id) < fold_case(b.hardware_id);
  });
  return models;
}

bool DriverDatabase::is_compatible_id(const std::string& id, const std::string& published_name) {
  std::optional<RegistryValue> rank = database_hive().get_value(kDeviceIds + id, published_name);
  return rank && rank->type() == RegistryType::kBinary && !rank->bytes().empty() &&
         rank->bytes()[0] == kCompatibleIdRank;
}

std::string joined_ids(const std::vector<std::string>& ids) {
  std::string text;
  for (const std::string& id : ids) text += (text.empty() ? "" : " ") + id;
  return text;
}

std::string dism_architecture_name(const std::string& inf_architecture) {
  std::string folded = fold_case(inf_architecture);
  if (folded == "AMD64") return "x64";
  if (folded == "X86") return "x86";
  if (folded == "ARM") return "arm";
  if (folded == "ARM64") return "arm64";
  return inf_architecture;
}

namespace {

std::tm utc_of_filetime(std::uint64_t filetime) {
  constexpr std::uint64_t kUnixEpoch = 116444736000000000ull;  // 1970-01-01 as a FILETIME
  std::time_t seconds = filetime >= kUnixEpoch
                            ? static_cast<std::time_t>((filetime - kUnixEpoch) / 10000000ull)
                            : -static_cast<std::time_t>((kUnixEpoch - filetime) / 10000000ull);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return utc;
}

}  // namespace

std::string format_driver_date(std::uint64_t filetime) {
  std::tm utc = utc_of_filetime(filetime);
  return std::to_string(utc.tm_mon + 1) + "/" + std::to_string(utc.tm_mday) + "/" +
         std::to_string(utc.tm_year + 1900);
}

std::string iso_driver_date(std::uint64_t filetime) {
  std::tm utc = utc_of_filetime(filetime);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday);
  return text;
}

}  // namespace dismake
