#include "dismake/drivers/inf_driver_info.h"

#include <system_error>

#include "dismake/drivers/driver_staging.h"
#include "dismake/drivers/inf_file.h"

namespace dismake {

namespace {

constexpr std::uint32_t kAssociatedService = 0x2;  // SPSVCINST_ASSOCSERVICE

}  // namespace

std::vector<DriverModel> models_of_inf(const InfDriver& driver,
                                       const std::string& inf_architecture) {
  std::string service;
  for (const InfService& s : driver.services)
    if (s.flags & kAssociatedService) service = s.name;
  std::vector<DriverModel> models;
  for (const InfModel& model : driver.models)
    models.push_back({model.hardware_id, model.manufacturer, model.description,
                      dism_architecture_name(inf_architecture), service, model.compatible_ids,
                      model.exclude_ids});
  return models;
}

DriverInfo read_inf_driver_info(const std::filesystem::path& inf,
                                const std::string& inf_architecture) {
  TargetPlatform target;
  target.architecture = inf_architecture;
  InfDriver driver = read_driver_inf(InfFile::load(inf), target);
  DriverInfo info;
  DriverPackage& p = info.package;
  p.published_name = inf.filename().string();
  p.original_file_name = p.published_name;
  p.class_guid = driver.class_guid;
  p.class_name = driver.class_name;
  p.provider = driver.provider;
  p.date = filetime_of_driver_date(driver.date);
  p.version = driver.version;
  p.boot_critical = driver.boot_critical;
  p.architecture = inf_architecture;
  p.catalog = driver.catalog;
  info.models = models_of_inf(driver, inf_architecture);
  return info;
}

bool names_inf_file(const std::string& driver) {
  std::error_code ec;
  return driver.find_first_of("/\\") != std::string::npos ||
         std::filesystem::is_regular_file(driver, ec);
}

std::string inf_architecture_name(const std::string& dism_architecture) {
  return dism_architecture == "x64" ? "amd64" : dism_architecture;
}

}  // namespace dismake
