#include "dismake/drivers/driver_inf.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"

namespace dismake {

namespace {

// "0x10", "1", "0" as SetupAPI reads numeric fields.
std::uint32_t parse_number(const InfFile& inf, const std::string& text, int line_number,
                           const std::string& what) {
  char* end = nullptr;
  unsigned long value = std::strtoul(text.c_str(), &end, 0);
  if (text.empty() || *end != '\0' || value > 0xFFFFFFFFul)
    inf.fail(line_number, what + " '" + text + "' is not a number");
  return static_cast<std::uint32_t>(value);
}

int line_of(const InfFile& inf, const std::string& section, const std::string& key) {
  std::vector<const InfLine*> lines = inf.lines_with_key(section, key);
  return lines.empty() ? 0 : lines.front()->line_number;
}

// "mm/dd/yyyy[,a.b.c.d]": checks the date, packs the version.
void read_driver_ver(const InfFile& inf, InfDriver& driver) {
  std::vector<const InfLine*> lines = inf.lines_with_key("Version", "DriverVer");
  if (lines.empty() || lines.front()->fields.empty())
    inf.fail(line_of(inf, "Version", "Signature"), "[Version] has no DriverVer",
             "add DriverVer = mm/dd/yyyy,a.b.c.d");
  const InfLine& line = *lines.front();
  unsigned month = 0, day = 0, year = 0;
  char rest = 0;
  if (std::sscanf(line.fields[0].c_str(), "%u/%u/%u%c", &month, &day, &year, &rest) != 3 ||
      month < 1 || month > 12 || day < 1 || day > 31 || year < 1601)
    inf.fail(line.line_number, "DriverVer's date '" + line.fields[0] + "' is not mm/dd/yyyy");
  driver.date = line.fields[0];
  if (line.fields.size() < 2 || line.fields[1].empty()) return;
  unsigned part[4] = {0, 0, 0, 0};
  int count = std::sscanf(line.fields[1].c_str(), "%u.%u.%u.%u%c", &part[0], &part[1], &part[2],
                          &part[3], &rest);
  if (count < 1 || count > 4 || part[0] > 0xFFFF || part[1] > 0xFFFF || part[2] > 0xFFFF ||
      part[3] > 0xFFFF)
    inf.fail(line.line_number, "DriverVer's version '" + line.fields[1] + "' is not a.b.c.d");
  driver.version = (std::uint64_t{part[0]} << 48) | (std::uint64_t{part[1]} << 32) |
                   (std::uint64_t{part[2]} << 16) | part[3];
}

struct Decoration {
  std::string architecture;  // "" for any
  int major = 0, minor = 0, build = 0;
};

// NT[arch][.major[.minor[.product[.suite[.build]]]]]; nullopt when it is not
// an NT decoration.
std::optional<Decoration> parse_decoration(const std::string& text) {
  std::string folded = fold_case(text);
  if (folded.rfind("NT", 0) != 0) return std::nullopt;
  Decoration decoration;
  size_t dot = folded.find('.');
  decoration.architecture =
      folded.substr(2, dot == std::string::npos ? std::string::npos : dot - 2);
  std::vector<std::string> parts;
  while (dot != std::string::npos) {
    size_t next = folded.find('.', dot + 1);
    parts.push_back(folded.substr(dot + 1, next == std::string::npos ? next : next - dot - 1));
    dot = next;
  }
  auto number = [&](size_t i) { return i < parts.size() ? std::atoi(parts[i].c_str()) : 0; };
  decoration.major = number(0);
  decoration.minor = number(1);
  decoration.build = number(4);
  return decoration;
}

// The install section Windows uses for `base`: the architecture's, the
// generic NT one, or the undecorated one.
std::optional<std::string> decorated_install_section(const InfFile& inf, const std::string& base,
                                                     const TargetPlatform& target) {
  for (const std::string& name : {base + ".NT" + target.architecture, base + ".NT", base})
    if (inf.section(name)) return name;
  return std::nullopt;
}

void read_services(const InfFile& inf, const std::string& install_section, InfDriver& driver) {
  for (const InfLine* line : inf.lines_with_key(install_section + ".Services", "AddService")) {
    if (line->fields.empty() || line->fields[0].empty())
      inf.fail(line->line_number, "AddService names no service");
    InfService service;
    service.name = line->fields[0];
    service.line_number = line->line_number;
    bool known = false;
    for (const InfService& seen : driver.services)
      known = known || fold_case(seen.name) == fold_case(service.name);
    if (known) continue;
    if (line->fields.size() > 1 && !line->fields[1].empty())
      service.flags = parse_number(inf, line->fields[1], line->line_number, "AddService's flags");
    if (line->fields.size() < 3 || line->fields[2].empty()) {
      driver.services.push_back(service);  // a null service: no install section
      continue;
    }
    const std::string& section = line->fields[2];
    if (!inf.section(section))
      inf.fail(line->line_number,
               "AddService names the section [" + section + "], which is missing");
    auto number_of = [&](const char* key) -> std::optional<std::uint32_t> {
      for (const InfLine* entry : inf.lines_with_key(section, key))
        if (!entry->fields.empty())
          return parse_number(inf, entry->fields[0], entry->line_number, key);
      return std::nullopt;
    };
    service.service_type = number_of("ServiceType").value_or(0);
    service.start_type = number_of("StartType");
    service.error_control = number_of("ErrorControl").value_or(0);
    service.service_binary = inf.value(section, "ServiceBinary").value_or("");
    service.load_order_group = inf.value(section, "LoadOrderGroup").value_or("");
    if (service.start_type == 0u) driver.boot_critical = true;
    driver.services.push_back(service);
  }
}

// The ids [ControlFlags] ExcludeFromSelect keeps out of the device
// installer's list on `target`: the undecorated, .NT and .NT<arch> lines.
std::vector<std::string> exclude_from_select(const InfFile& inf, const TargetPlatform& target) {
  std::vector<std::string> ids;
  for (const std::string key :
       {std::string("ExcludeFromSelect"), std::string("ExcludeFromSelect.NT"),
        "ExcludeFromSelect.NT" + target.architecture})
    for (const InfLine* line : inf.lines_with_key("ControlFlags", key))
      for (const std::string& id : line->fields)
        if (!id.empty()) ids.push_back(id);
  return ids;
}

// The ExcludeID entries of install section `section`.
std::vector<std::string> exclude_id_entries(const InfFile& inf, const std::string& section) {
  std::vector<std::string> ids;
  for (const InfLine* line : inf.lines_with_key(section, "ExcludeID"))
    for (const std::string& id : line->fields)
      if (!id.empty()) ids.push_back(id);
  return ids;
}

// `section_excluded` (its install section's ExcludeID), then the entries of
// `excluded` that name one of `model`'s ids ("*": all).
std::vector<std::string> excluded_ids_of(const InfModel& model,
                                         const std::vector<std::string>& section_excluded,
                                         const std::vector<std::string>& excluded) {
  std::vector<std::string> ids = section_excluded;
  for (const std::string& id : excluded) {
    bool names_model = id == "*" || fold_case(id) == fold_case(model.hardware_id);
    for (const std::string& compatible : model.compatible_ids)
      names_model = names_model || fold_case(id) == fold_case(compatible);
    if (names_model && std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  return ids;
}

void read_models(const InfFile& inf, const TargetPlatform& target, InfDriver& driver) {
  const std::vector<InfLine>* manufacturers = inf.section("Manufacturer");
  if (!manufacturers) return;  // a package without devices (a class installer, a filter)
  std::vector<std::string> install_sections;
  std::vector<std::string> excluded = exclude_from_select(inf, target);
  for (const InfLine& line : *manufacturers) {
    if (line.fields.empty() || line.fields[0].empty())
      inf.fail(line.line_number, "the [Manufacturer] line names no Models section");
    std::vector<std::string> decorations(line.fields.begin() + 1, line.fields.end());
    std::optional<std::string> models =
        select_models_section(inf, line.fields[0], decorations, target);
    if (!models) continue;  // nothing for this platform
    std::string manufacturer = line.key.empty() ? line.fields[0] : line.key;
    for (const InfLine& entry : *inf.section(*models)) {
      if (entry.fields.empty() || entry.fields[0].empty())
        inf.fail(entry.line_number, "the model '" + entry.key + "' names no install section");
      InfModel model{manufacturer, entry.key, entry.fields[0], {}, {}, {}};
      for (size_t i = 1; i < entry.fields.size(); ++i) {
        if (entry.fields[i].empty()) continue;
        if (model.hardware_id.empty())
          model.hardware_id = entry.fields[i];
        else
          model.compatible_ids.push_back(entry.fields[i]);
      }
      if (model.hardware_id.empty())
        inf.fail(entry.line_number, "the model '" + entry.key + "' has no hardware id");
      std::optional<std::string> install =
          decorated_install_section(inf, model.install_section, target);
      if (!install)
        inf.fail(entry.line_number,
                 "the install section [" + model.install_section + "] is missing");
      std::vector<std::string> section_excluded = exclude_id_entries(inf, *install);
      model.exclude_ids = excluded_ids_of(model, section_excluded, excluded);
      bool seen = false;
      for (const std::string& name : install_sections) seen = seen || name == *install;
      if (!seen) {
        install_sections.push_back(*install);
        driver.install_sections.push_back(*install);
        driver.install_exclude_ids.push_back(section_excluded);
        read_services(inf, *install, driver);
      }
      driver.models.push_back(std::move(model));
    }
  }
}

std::string lower(std::string text) {
  for (char& c : text)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return text;
}

}  // namespace

std::optional<std::string> select_models_section(const InfFile& inf, const std::string& section,
                                                 const std::vector<std::string>& decorations,
                                                 const TargetPlatform& target) {
  std::optional<std::string> best;
  std::tuple<int, int, int, bool> best_rank{-1, -1, -1, false};
  for (const std::string& text : decorations) {
    std::optional<Decoration> d = parse_decoration(text);
    if (!d) continue;
    if (!d->architecture.empty() && d->architecture != fold_case(target.architecture)) continue;
    if (std::make_tuple(d->major, d->minor, d->build) >
        std::make_tuple(target.major, target.minor, target.build))
      continue;
    auto rank = std::make_tuple(d->major, d->minor, d->build, !d->architecture.empty());
    if (rank > best_rank && inf.section(section + "." + text)) {
      best_rank = rank;
      best = section + "." + text;
    }
  }
  if (best) return best;
  if (inf.section(section)) return section;
  return std::nullopt;
}

std::vector<std::string> ids_of(const InfModel& model) {
  std::vector<std::string> ids{model.hardware_id};
  ids.insert(ids.end(), model.compatible_ids.begin(), model.compatible_ids.end());
  return ids;
}

InfDriver read_driver_inf(const InfFile& inf, const TargetPlatform& target) {
  if (!inf.section("Version"))
    throw Error(hr::kInfSectionNotFound, "'" + inf.file_name() + "' has no [Version] section",
                "is it a driver INF?");
  InfDriver driver;
  driver.provider = inf.value("Version", "Provider").value_or("");
  driver.class_name = inf.value("Version", "Class").value_or("");
  driver.class_guid = lower(inf.value("Version", "ClassGuid").value_or(""));
  driver.catalog = inf.value("Version", "CatalogFile.NT" + target.architecture)
                       .value_or(inf.value("Version", "CatalogFile.NT")
                                     .value_or(inf.value("Version", "CatalogFile").value_or("")));
  read_driver_ver(inf, driver);
  read_models(inf, target, driver);
  return driver;
}

std::string format_driver_version(std::uint64_t version) {
  return std::to_string(version >> 48) + "." + std::to_string((version >> 32) & 0xFFFF) + "." +
         std::to_string((version >> 16) & 0xFFFF) + "." + std::to_string(version & 0xFFFF);
}

}  // namespace dismake
