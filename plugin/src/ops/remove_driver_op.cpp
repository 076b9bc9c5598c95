// `remove-driver <oemN.inf>...` (DismRemoveDriver, dism /Remove-Driver):
// takes third-party packages out of the image: their DriverStore folder,
// Windows/INF/oemN.inf, the driver database's keys and the boot-start
// services staging added (drivers/driver_staging.h). Inbox drivers are refused.
#include "dismake/base/error.h"
#include "dismake/drivers/driver_inf.h"
#include "dismake/drivers/driver_staging.h"
#include "dismake/ops/driver_hives.h"
#include "dismake/ops/servicing_ops.h"

namespace dismake {

namespace {

class RemoveDriverOp : public Op {
 public:
  explicit RemoveDriverOp(std::vector<std::string> names) : names_(std::move(names)) {}

  std::string name() const override { return "remove-driver"; }
  nlohmann::json spec() const override { return {{"names", names_}}; }
  void check(const ServicedMount& mount) const override {
    (void)mount;
    if (names_.empty())
      throw Error(hr::kInvalidArg, "remove-driver names no driver",
                  "give the published names, e.g. oem12.inf (see `dismake get-drivers`)");
  }

  StepChanges apply(ServicedMount& mount) override {
    DriverHives hives(mount);
    StepChanges changes;
    for (const std::string& name : names_) {
      std::string id = published_package_id(hives.database(), name);
      // Its boot-start services, from its INF in the DriverStore.
      std::vector<std::pair<std::string, std::string>> services;
      std::string folder = mount.state().resolve(std::string(kDriverStoreRepository) + "/" + id);
      if (mount.state().kind_of(folder) == FileKind::kDirectory) {
        mount.tree().materialize(folder);
        std::string inf_name = id.substr(0, id.find(".inf_") + 4);
        fs::path inf = mount.state().disk_path(mount.state().resolve(folder + "/" + inf_name));
        if (fs::is_regular_file(inf))
          services =
              boot_start_services(read_driver_inf(InfFile::load(inf), hives.target_platform()));
      }
      DriverRemoval removal =
          unstage_driver_package(hives.database(), hives.system(), name, services);
      for (const std::string& path : removal.paths) {
        std::string resolved = mount.state().resolve(path);
        if (mount.state().kind_of(resolved) == FileKind::kAbsent) continue;
        fs::remove_all(mount.state().disk_path(resolved));
        changes.paths.push_back(resolved);
      }
    }
    hives.save(changes);
    return changes;
  }

 private:
  std::vector<std::string> names_;
};

}  // namespace

std::unique_ptr<Op> make_remove_driver_op(std::vector<std::string> published_names) {
  return std::make_unique<RemoveDriverOp>(std::move(published_names));
}

}  // namespace dismake
