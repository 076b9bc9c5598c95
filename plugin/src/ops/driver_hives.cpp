#include "dismake/ops/driver_hives.h"

#include "dismake/base/error.h"
#include "dismake/registry/hive_log_replay.h"

namespace dismake {

namespace {

const char kConfig[] = "Windows/System32/config/";

// The hive's image path, materialized with its logs when dirty; "" when
// the image has no such file.
std::string materialized_hive(ServicedMount& mount, const std::string& name) {
  std::string path = mount.state().resolve(kConfig + name);
  if (mount.state().kind_of(path) != FileKind::kFile) return "";
  mount.state().refuse_links(path, /*including_self=*/true);
  mount.tree().materialize(path);
  if (hive_needs_log_replay(mount.state().disk_path(path)))
    for (const std::string& log : hive_log_file_names(path)) {
      std::string resolved = mount.state().resolve(log);
      if (mount.state().kind_of(resolved) == FileKind::kFile) mount.tree().materialize(resolved);
    }
  return path;
}

void save_one(Hive& hive, const std::string& image_path, StepChanges& changes) {
  if (!hive.save()) return;
  changes.paths.push_back(image_path);
  std::string dir = image_path.substr(0, image_path.rfind('/') + 1);
  for (const fs::path& log : hive.replayed_logs())
    changes.paths.push_back(dir + log.filename().string());
}

}  // namespace

DriverHives::DriverHives(ServicedMount& mount) : mount_(mount) {
  system_path_ = materialized_hive(mount, "SYSTEM");
  if (system_path_.empty())
    throw Error(hr::kNotFound, "the image has no SYSTEM hive (" + std::string(kConfig) + "SYSTEM)",
                "is it a Windows image?");
  system_ = std::make_unique<Hive>(mount.state().disk_path(system_path_));
  drivers_path_ = materialized_hive(mount, "DRIVERS");
  if (!drivers_path_.empty()) {
    drivers_ = std::make_unique<Hive>(mount.state().disk_path(drivers_path_));
    if (!drivers_->has_key("DriverDatabase")) drivers_.reset();
  }
  if (!database().has_key("DriverDatabase"))
    throw Error(hr::kNotFound, "the image has no driver database (DriverDatabase key)",
                "is it a Windows 10 or later image?");
}

DriverHives::~DriverHives() = default;

TargetPlatform DriverHives::target_platform() {
  TargetPlatform target;
  std::optional<RegistryValue> value = database().get_value("DriverDatabase", "Architecture");
  std::uint32_t number = 9;
  if (value && value->bytes().size() == 4)
    number = static_cast<unsigned char>(value->bytes()[0]) |
             static_cast<unsigned char>(value->bytes()[1]) << 8;
  target.architecture = number == 12  ? "arm64"
                        : number == 5 ? "arm"
                        : number == 0 ? "x86"
                                      : "amd64";
  return target;
}

void DriverHives::save(StepChanges& changes) {
  if (drivers_) save_one(*drivers_, drivers_path_, changes);
  save_one(*system_, system_path_, changes);
}

}  // namespace dismake
