#include "dismake/drivers/driver_staging.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/utf8.h"
#include "dismake/drivers/driver_version_record.h"

namespace dismake {

namespace {

const std::string kDatabase = "DriverDatabase";
const std::string kPackages = "DriverDatabase\\DriverPackages\\";
const std::string kInfFiles = "DriverDatabase\\DriverInfFiles\\";
const std::string kDeviceIds = "DriverDatabase\\DeviceIds\\";

// SIGNERSCORE_* of setupapi.h: WHQL (what the reference's third-party
// packages have), Authenticode (any other signer), unsigned.
constexpr std::uint32_t kSignerScoreWhql = 0x0D000005;
constexpr std::uint32_t kSignerScoreAuthenticode = 0x0F000000;
constexpr std::uint32_t kSignerScoreUnsigned = 0x80000000;
const char kWhqlSigner[] = "Microsoft Windows Hardware Compatibility Publisher";

// The reference's StatusFlags: 0x112 on its storage and input packages, 0x12 on the others.
constexpr std::uint32_t kStatusFlags = 0x12;
constexpr std::uint32_t kStatusFlagsBootCritical = 0x112;
// Every configuration of the reference's third-party packages has
// ConfigScope 7 (as 492 of its 704 configurations); what the bits mean, and
// so when Windows writes another value, is not known.
constexpr std::uint32_t kConfigScope = 7;
// The one property every third-party package of the reference has:
// Properties\{4da162c1-5eb1-4140-a444-5064c9814e76}\0009, default value of
// type 0xFFFF0012 (DEVPROP_TYPE_STRING, 0x12, in the 0xFFFF0000 range
// Windows uses for device properties in the registry), a UTF-16 text
// "<a>_<b>_<c>" of three decimal numbers: a is the same for every package
// installed on one machine, b varies per package with no visible order, c
// is 2^60 plus a number close to the source INF's neighbours' (it looks like
// an NTFS file reference of the INF the package was installed from). It
// names the installing host's source, as OemPath does, so no offline rule
// gives Windows's value; dismake writes the form with 0 for a and c and the
// package id's 64-bit digest for b, so the value is deterministic.
constexpr char kPackageProperty[] = "Properties\\{4da162c1-5eb1-4140-a444-5064c9814e76}\\0009";
constexpr auto kDevicePropertyString = static_cast<RegistryType>(0xFFFF0012);

std::string package_property_text(const std::string& package_id) {
  std::string digest = package_id.substr(package_id.rfind('_') + 1);
  return "0_" + std::to_string(std::stoull(digest, nullptr, 16)) + "_0";
}

// DeviceIds\<id>\oemN.inf's first byte.
constexpr char kHardwareIdRank = 1;
constexpr char kCompatibleIdRank = 2;

std::uint16_t architecture_number(const std::string& architecture) {
  std::string folded = fold_case(architecture);
  if (folded == "AMD64") return 9;
  if (folded == "ARM64") return 12;
  if (folded == "ARM") return 5;
  return 0;  // x86
}

std::string text_of(const std::optional<RegistryValue>& value) {
  if (!value || (value->type() != RegistryType::kSz && value->type() != RegistryType::kMultiSz))
    return "";
  std::string bytes = value->bytes();
  size_t end = 0;
  while (end + 1 < bytes.size() && (bytes[end] != 0 || bytes[end + 1] != 0)) end += 2;
  return utf16le_to_utf8(bytes.substr(0, end)).value_or("");
}

// OemInfMap: bit N (most significant first) set while oemN.inf is used.
int take_oem_number(Hive& database) {
  std::optional<RegistryValue> map = database.get_value(kDatabase, "OemInfMap");
  std::string bits = map ? map->bytes() : std::string();
  for (size_t n = 0;; ++n) {
    if (n / 8 >= bits.size()) bits.push_back('\0');
    auto mask = static_cast<unsigned char>(0x80u >> (n % 8));
    if (!(static_cast<unsigned char>(bits[n / 8]) & mask)) {
      bits[n / 8] = static_cast<char>(static_cast<unsigned char>(bits[n / 8]) | mask);
      database.set_value(kDatabase, "OemInfMap", RegistryValue(RegistryType::kBinary, bits));
      return static_cast<int>(n);
    }
  }
}

void free_oem_number(Hive& database, int n) {
  std::optional<RegistryValue> map = database.get_value(kDatabase, "OemInfMap");
  if (!map) return;
  std::string bits = map->bytes();
  if (static_cast<size_t>(n / 8) >= bits.size()) return;
  bits[n / 8] = static_cast<char>(static_cast<unsigned char>(bits[n / 8]) & ~(0x80u >> (n % 8)));
  database.set_value(kDatabase, "OemInfMap", RegistryValue(RegistryType::kBinary, bits));
}

int oem_number(const std::string& published_name) { return std::atoi(published_name.c_str() + 3); }

std::string le_bytes(std::uint64_t value, int size) {
  std::string bytes(static_cast<size_t>(size), '\0');
  for (int i = 0; i < size; ++i) bytes[i] = static_cast<char>((value >> (8 * i)) & 0xFF);
  return bytes;
}

// ServiceBinary "%12%\x.sys" → "\SystemRoot\System32\drivers\x.sys"; its file name.
std::string image_path_of(const std::string& service_binary) {
  std::string path = service_binary;
  if (fold_case(path).rfind("%12%", 0) == 0)
    path = "\\SystemRoot\\System32\\drivers" + path.substr(4);
  return path;
}

std::string file_name_of(const std::string& windows_path) {
  size_t slash = windows_path.find_last_of("\\/");
  return slash == std::string::npos ? windows_path : windows_path.substr(slash + 1);
}

// ControlSet001 ... as the hive has them.
std::vector<std::string> control_sets(Hive& system) {
  std::vector<std::string> sets;
  for (const std::string& key : system.subkeys(""))
    if (fold_case(key).rfind("CONTROLSET", 0) == 0) sets.push_back(key);
  return sets;
}

// Deletes `key` and then each parent up to (not including) `stop` that has
// no values and no subkeys left: what staging made for a hardware id.
void delete_with_empty_parents(Hive& hive, std::string key, const std::string& stop) {
  hive.delete_key(key, /*if_exists=*/true);
  while (true) {
    size_t slash = key.rfind('\\');
    if (slash == std::string::npos) return;
    key = key.substr(0, slash);
    if (fold_case(key) == fold_case(stop)) return;
    if (!hive.subkeys(key).empty() || !hive.values(key).empty()) return;
    hive.delete_key(key, /*if_exists=*/true);
  }
}

void write_package_keys(Hive& db, const DriverPackageSource& package, const std::string& published,
                        std::uint64_t import_date) {
  const InfDriver& driver = package.driver;
  const std::string key = kPackages + package.package_id;
  DriverVersionRecord record;
  record.inbox = false;
  record.architecture = architecture_number(package.architecture);
  record.class_guid = driver.class_guid;
  record.date = filetime_of_driver_date(driver.date);
  record.version = driver.version;
  db.set_value(key, "", RegistryValue::string(published));
  db.set_value(key, "Version",
               RegistryValue(RegistryType::kBinary, encode_driver_version_record(record)));
  db.set_value(key, "Provider", RegistryValue::string(driver.provider));
  db.set_value(key, "InfName", RegistryValue::string(package.inf_name));
  if (!package.catalog.empty())
    db.set_value(key, "Catalog", RegistryValue::string(package.catalog));
  if (!package.signer_name.empty())
    db.set_value(key, "SignerName", RegistryValue::string(package.signer_name));
  std::uint32_t score = package.signer_name.empty()          ? kSignerScoreUnsigned
                        : package.signer_name == kWhqlSigner ? kSignerScoreWhql
                                                             : kSignerScoreAuthenticode;
  db.set_value(key, "SignerScore", RegistryValue::dword(score));
  db.set_value(
      key, "StatusFlags",
      RegistryValue::dword(driver.boot_critical ? kStatusFlagsBootCritical : kStatusFlags));
  db.set_value(key, "ImportDate", RegistryValue(RegistryType::kBinary, le_bytes(import_date, 8)));
  db.set_value(
      key + "\\" + kPackageProperty, "",
      RegistryValue(kDevicePropertyString,
                    RegistryValue::string(package_property_text(package.package_id)).bytes()));

  std::string function_service;
  for (const InfService& service : driver.services)
    if (service.flags & 0x2) function_service = service.name;  // SPSVCINST_ASSOCSERVICE
  for (size_t i = 0; i < driver.install_sections.size(); ++i) {
    std::string configuration = key + "\\Configurations\\" + driver.install_sections[i];
    if (!function_service.empty())
      db.set_value(configuration, "Service", RegistryValue::string(function_service));
    db.set_value(configuration, "ConfigScope", RegistryValue::dword(kConfigScope));
    db.set_value(configuration, "ConfigFlags", RegistryValue::dword(0));
    if (!driver.install_exclude_ids[i].empty())
      db.set_value(configuration, "ExcludeIds",
                   RegistryValue::multi_string(driver.install_exclude_ids[i]));
  }
  for (const InfModel& model : driver.models) {
    std::string section;
    for (const std::string& s : driver.install_sections)
      if (fold_case(s).rfind(fold_case(model.install_section), 0) == 0) section = s;
    for (const std::string& id : ids_of(model)) {
      std::string descriptor = key + "\\Descriptors\\" + id;
      db.set_value(descriptor, "Configuration", RegistryValue::string(section));
      db.set_value(descriptor, "Manufacturer", RegistryValue::string(model.manufacturer));
      db.set_value(descriptor, "Description", RegistryValue::string(model.description));
    }
  }
  for (size_t i = 0; i < package.strings_keys.size(); ++i)
    db.set_value(key + "\\Strings", package.strings_keys[i],
                 RegistryValue::string(package.strings_values[i]));
}

void write_published_keys(Hive& db, const DriverPackageSource& package,
                          const std::string& published) {
  const std::string inf_key = kInfFiles + published;
  db.set_value(inf_key, "", RegistryValue::multi_string({package.package_id}));
  db.set_value(inf_key, "Active", RegistryValue::string(package.package_id));
  if (!package.driver.install_sections.empty())
    db.set_value(inf_key, "Configurations",
                 RegistryValue::multi_string(package.driver.install_sections));
  // The first byte is 1 for a hardware id, 2 for a compatible id (an id that
  // is both keeps 1), as the reference hive's vmci and vmmouse show.
  std::map<std::string, char> ranks;  // by id as first spelt
  auto rank = [&](const std::string& id, char value) {
    auto [it, inserted] = ranks.try_emplace(id, value);
    if (!inserted) it->second = std::min(it->second, value);
  };
  for (const InfModel& model : package.driver.models) {
    rank(model.hardware_id, kHardwareIdRank);
    for (const std::string& id : model.compatible_ids) rank(id, kCompatibleIdRank);
  }
  for (const auto& [id, first_byte] : ranks)
    db.set_value(kDeviceIds + id, published,
                 RegistryValue(RegistryType::kBinary, std::string{first_byte, '\xFF', '\0', '\0'}));
  db.set_value(kDeviceIds + package.driver.class_guid, published, RegistryValue());
}

void write_boot_services(Hive& system, const InfDriver& driver) {
  for (const InfService& service : driver.services) {
    if (service.start_type != 0u) continue;
    for (const std::string& set : control_sets(system)) {
      std::string key = set + "\\Services\\" + service.name;
      system.set_value(
          key, "ImagePath",
          RegistryValue::string(image_path_of(service.service_binary), RegistryType::kExpandSz));
      system.set_value(key, "Type", RegistryValue::dword(service.service_type));
      system.set_value(key, "Start", RegistryValue::dword(*service.start_type));
      system.set_value(key, "ErrorControl", RegistryValue::dword(service.error_control));
      if (!service.load_order_group.empty())
        system.set_value(key, "Group", RegistryValue::string(service.load_order_group));
    }
  }
}

}  // namespace

std::uint64_t filetime_of_driver_date(const std::string& mm_dd_yyyy) {
  unsigned month = 0, day = 0, year = 0;
  std::sscanf(mm_dd_yyyy.c_str(), "%u/%u/%u", &month, &day, &year);
  std::tm utc{};
  utc.tm_year = static_cast<int>(year) - 1900;
  utc.tm_mon = static_cast<int>(month) - 1;
  utc.tm_mday = static_cast<int>(day);
  std::int64_t seconds = timegm(&utc);
  return static_cast<std::uint64_t>(seconds + 11644473600LL) * 10000000ull;
}

std::vector<std::pair<std::string, std::string>> boot_start_services(const InfDriver& driver) {
  std::vector<std::pair<std::string, std::string>> services;
  for (const InfService& service : driver.services)
    if (service.start_type == 0u)
      services.emplace_back(service.name, file_name_of(service.service_binary));
  return services;
}

DriverStaging stage_driver_package(Hive& database, Hive& system, const DriverPackageSource& package,
                                   std::uint64_t import_date) {
  DriverStaging staging;
  staging.package_id = package.package_id;
  const std::string key = kPackages + package.package_id;
  if (database.has_key(key)) {
    staging.published_name = text_of(database.get_value(key, ""));
    staging.already_staged = true;
    return staging;
  }
  staging.published_name = "oem" + std::to_string(take_oem_number(database)) + ".inf";
  write_package_keys(database, package, staging.published_name, import_date);
  write_published_keys(database, package, staging.published_name);
  write_boot_services(system, package.driver);

  const std::string folder = std::string(kDriverStoreRepository) + "/" + package.package_id;
  for (const DriverPackageFile& file : package.files)
    staging.files.emplace_back(folder + "/" + file.relative, file.source);
  staging.files.emplace_back("Windows/INF/" + staging.published_name, package.inf_path);
  for (const auto& [name, binary] : boot_start_services(package.driver))
    for (const DriverPackageFile& file : package.files)
      if (fold_case(file_name_of(file.relative)) == fold_case(binary))
        staging.files.emplace_back("Windows/System32/drivers/" + binary, file.source);
  return staging;
}

std::string published_package_id(Hive& database, const std::string& published_name) {
  std::string folded = fold_case(published_name);
  std::string id = text_of(database.get_value(kInfFiles + published_name, "Active"));
  bool oem = folded.size() > 7 && folded.rfind("OEM", 0) == 0 &&
             folded.compare(folded.size() - 4, 4, ".INF") == 0;
  if (id.empty() || !database.has_key(kPackages + id)) {
    // An inbox package is published under its own name, with no DriverInfFiles entry.
    for (const std::string& package : database.subkeys("DriverDatabase\\DriverPackages"))
      if (fold_case(text_of(database.get_value(kPackages + package, ""))) == folded)
        throw Error(hr::kAccessDenied, "'" + published_name + "' is an inbox driver",
                    "inbox drivers are part of Windows and cannot be removed");
    throw Error(hr::kFileNotFound,
                "the image has no driver package published as '" + published_name + "'",
                "see the names with `dismake get-drivers`");
  }
  if (!oem)
    throw Error(hr::kAccessDenied, "'" + published_name + "' is an inbox driver",
                "inbox drivers are part of Windows and cannot be removed");
  return id;
}

DriverRemoval unstage_driver_package(
    Hive& database, Hive& system, const std::string& published_name,
    const std::vector<std::pair<std::string, std::string>>& boot_services) {
  DriverRemoval removal;
  removal.package_id = published_package_id(database, published_name);
  const std::string key = kPackages + removal.package_id;
  std::string published = text_of(database.get_value(key, ""));
  if (published.empty()) published = published_name;

  // DeviceIds: every hardware id of its descriptors, and its class.
  std::vector<std::string> ids;
  database.for_each_key([&](const std::string& path, const std::vector<Hive::NamedValue>& values) {
    std::string prefix = fold_case(key + "\\Descriptors\\");
    if (!values.empty() && fold_case(path).rfind(prefix, 0) == 0)
      ids.push_back(path.substr(prefix.size()));
  });
  std::string version =
      database.get_value(key, "Version") ? database.get_value(key, "Version")->bytes() : "";
  for (const std::string& id : ids) {
    database.delete_value(kDeviceIds + id, published, /*if_exists=*/true);
    if (database.values(kDeviceIds + id).empty() && database.subkeys(kDeviceIds + id).empty())
      delete_with_empty_parents(database, kDeviceIds + id, "DriverDatabase\\DeviceIds");
  }
  if (version.size() == 48) {
    std::string guid = decode_driver_version_record(version, key).class_guid;
    database.delete_value(kDeviceIds + guid, published, /*if_exists=*/true);
    if (database.values(kDeviceIds + guid).empty() && database.subkeys(kDeviceIds + guid).empty())
      database.delete_key(kDeviceIds + guid, /*if_exists=*/true);
  }
  database.delete_key(key);
  database.delete_key(kInfFiles + published, /*if_exists=*/true);
  free_oem_number(database, oem_number(fold_case(published)));

  removal.paths.push_back(std::string(kDriverStoreRepository) + "/" + removal.package_id);
  removal.paths.push_back("Windows/INF/" + published);
  for (const auto& [name, binary] : boot_services) {
    bool staged = false;
    for (const std::string& set : control_sets(system)) {
      std::string service = set + "\\Services\\" + name;
      std::optional<RegistryValue> image_path = system.get_value(service, "ImagePath");
      if (image_path && image_path->type() == RegistryType::kExpandSz &&
          fold_case(text_of(RegistryValue(RegistryType::kSz, image_path->bytes()))) ==
              fold_case("\\SystemRoot\\System32\\drivers\\" + binary)) {
        system.delete_key(service);
        staged = true;
      }
    }
    if (staged) removal.paths.push_back("Windows/System32/drivers/" + binary);
  }
  return removal;
}

}  // namespace dismake
