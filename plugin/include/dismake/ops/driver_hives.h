// The hives a driver step changes in a mount: SYSTEM (services, and the
// driver database up to Windows 10 1709) and DRIVERS (the driver database
// where later Windows keeps it), materialized with their transaction logs
// and opened for changes; save() writes them and lists what it wrote.
#pragma once

#include <memory>
#include <optional>

#include "dismake/drivers/driver_inf.h"
#include "dismake/registry/hive.h"
#include "dismake/store/serviced_mount.h"

namespace dismake {

class DriverHives {
 public:
  // Throws ERROR_NOT_FOUND when the image has no SYSTEM hive or neither
  // hive holds a DriverDatabase key.
  explicit DriverHives(ServicedMount& mount);
  ~DriverHives();

  Hive& system() { return *system_; }
  // The hive holding DriverDatabase.
  Hive& database() { return drivers_ ? *drivers_ : *system_; }
  // The image's architecture (DriverDatabase\Architecture) and Windows 10.
  TargetPlatform target_platform();

  // Saves the changed hives, adding them (and the logs they emptied) to
  // `changes`.
  void save(StepChanges& changes);

 private:
  ServicedMount& mount_;
  std::string system_path_, drivers_path_;
  std::unique_ptr<Hive> system_, drivers_;
};

}  // namespace dismake
