// `dismake get-drivers` and `dismake get-driver-info`: DISM's /Get-Drivers
// and /Get-DriverInfo (DismGetDrivers, DismGetDriverInfo) on a mount or a
// WIM image, read from the image's driver database (drivers/).
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/drivers/driver_database.h"
#include "dismake/drivers/driver_inf.h"
#include "dismake/drivers/inf_driver_info.h"
#include "dismake/ops/image_drivers.h"

namespace dismake::cli {

namespace {
using nlohmann::json;

struct DriverArgs {
  std::string image;
  int index = kNoIndex;
  bool all = false;
  bool as_json = false;
  std::string driver;  // get-driver-info: oemN.inf or a path to an .inf
};

const char* yes_no(bool value) { return value ? "Yes" : "No"; }

std::string driver_store_path(const DriverPackage& p) {
  return "Windows\\System32\\DriverStore\\FileRepository\\" + p.package_id + "\\" +
         p.original_file_name;
}

json package_json(const DriverPackage& p) {
  return {{"published_name", p.published_name},
          {"original_file_name", p.original_file_name},
          {"inbox", p.inbox},
          {"class_name", p.class_name},
          {"class_guid", p.class_guid},
          {"provider_name", p.provider},
          {"date", iso_driver_date(p.date)},
          {"version", format_driver_version(p.version)},
          {"boot_critical", p.boot_critical},
          {"driver_store_path", driver_store_path(p)},
          {"catalog", p.catalog},
          {"signer_name", p.signer_name}};
}

// In `dism /Get-Drivers`'s order and labels.
void print_package(const DriverPackage& p) {
  std::printf("Published Name : %s\n", p.published_name.c_str());
  std::printf("Original File Name : %s\n", p.original_file_name.c_str());
  std::printf("Inbox : %s\n", yes_no(p.inbox));
  std::printf("Class Name : %s\n", p.class_name.c_str());
  std::printf("Provider Name : %s\n", p.provider.c_str());
  std::printf("Date : %s\n", format_driver_date(p.date).c_str());
  std::printf("Version : %s\n", format_driver_version(p.version).c_str());
  std::printf("Boot Critical : %s\n", yes_no(p.boot_critical));
}

void run_get_drivers(const DriverArgs& args) {
  ImageDrivers image(args.image, args.index == kNoIndex ? 0 : args.index);
  std::vector<DriverPackage> packages = image.database().packages(args.all);
  if (args.as_json) {
    json list = json::array();
    for (const DriverPackage& p : packages) list.push_back(package_json(p));
    std::printf("%s\n", json{{"drivers", list}}.dump(2).c_str());
    return;
  }
  std::printf("Driver packages listing:\n");
  for (const DriverPackage& p : packages) {
    std::printf("\n");
    print_package(p);
  }
  if (packages.empty())
    std::printf("\nNo %sdriver packages are in the image.\n", args.all ? "" : "third-party ");
}

void run_get_driver_info(const DriverArgs& args) {
  ImageDrivers image(args.image, args.index == kNoIndex ? 0 : args.index);
  DriverInfo info = image.driver_info(args.driver);
  const DriverPackage& p = info.package;
  std::string store_path = names_inf_file(args.driver) ? args.driver : driver_store_path(p);
  if (args.as_json) {
    json models = json::array();
    for (const DriverModel& m : info.models)
      models.push_back({{"manufacturer", m.manufacturer},
                        {"description", m.description},
                        {"architecture", m.architecture},
                        {"hardware_id", m.hardware_id},
                        {"service_name", m.service},
                        {"compatible_ids", m.compatible_ids},
                        {"exclude_ids", m.exclude_ids}});
    json j = {{"published_name", p.published_name},
              {"driver_store_path", store_path},
              {"class_name", p.class_name},
              {"class_guid", p.class_guid},
              {"provider_name", p.provider},
              {"date", iso_driver_date(p.date)},
              {"version", format_driver_version(p.version)},
              {"boot_critical", p.boot_critical},
              {"drivers", models}};
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("Driver package information:\n\n");
  std::printf("Published Name : %s\n", p.published_name.c_str());
  std::printf("Driver Store Path : %s\n", store_path.c_str());
  std::printf("Class Name : %s\n", p.class_name.c_str());
  std::printf("Class GUID : %s\n", p.class_guid.c_str());
  std::printf("Provider Name : %s\n", p.provider.c_str());
  std::printf("Date : %s\n", format_driver_date(p.date).c_str());
  std::printf("Version : %s\n", format_driver_version(p.version).c_str());
  std::printf("Boot Critical : %s\n", yes_no(p.boot_critical));
  for (const DriverModel& m : info.models) {
    std::printf("\n    Manufacturer : %s\n", m.manufacturer.c_str());
    std::printf("    Description : %s\n", m.description.c_str());
    std::printf("    Architecture : %s\n", m.architecture.c_str());
    std::printf("    Hardware ID : %s\n", m.hardware_id.c_str());
    std::printf("    Service Name : %s\n", m.service.c_str());
    std::printf("    Compatible IDs : %s\n", joined_ids(m.compatible_ids).c_str());
    std::printf("    Exclude IDs : %s\n", joined_ids(m.exclude_ids).c_str());
  }
}

}  // namespace

void add_driver_commands(CLI::App& app, Action& run) {
  auto list = std::make_shared<DriverArgs>();
  CLI::App* get = app.add_subcommand(
      "get-drivers", "List the driver packages of a mount or WIM image (DismGetDrivers)");
  get->add_option("image", list->image, "A mount directory or a WIM file")->required();
  get->add_option("--index", list->index, "The WIM's image (1-based)");
  get->add_flag("--all", list->all, "Include the inbox drivers");
  get->add_flag("--json", list->as_json, "Print JSON for machines");
  get->callback([list, &run] { run = [list] { run_get_drivers(*list); }; });

  auto info = std::make_shared<DriverArgs>();
  CLI::App* get_info = app.add_subcommand(
      "get-driver-info",
      "Show one driver package of an image, or an .inf file for it (DismGetDriverInfo)");
  get_info->add_option("image", info->image, "A mount directory or a WIM file")->required();
  get_info->add_option("driver", info->driver, "A published name (oemN.inf) or an .inf file")
      ->required();
  get_info->add_option("--index", info->index, "The WIM's image (1-based)");
  get_info->add_flag("--json", info->as_json, "Print JSON for machines");
  get_info->callback([info, &run] { run = [info] { run_get_driver_info(*info); }; });
}

}  // namespace dismake::cli
