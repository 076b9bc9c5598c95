// `add-driver <dir|inf> [--recurse] [--force-unsigned]` (DismAddDriver,
// dism /Add-Driver): stages driver packages as Windows stages them
// (drivers/driver_staging.h): their files in the DriverStore, the INF as
// Windows/INF/oemN.inf, the driver database's keys, and boot-start services.
// Every package is read and checked before the image is touched; a failure
// after that is rolled back by the step runner with the rest of the step.
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/drivers/driver_package.h"
#include "dismake/drivers/driver_staging.h"
#include "dismake/ops/driver_hives.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/store/image_path.h"

namespace dismake {

namespace {

// Makes the directories of `image_path`'s parent, listing those the image lacked.
void make_parents(ServicedMount& mount, const std::string& image_path, StepChanges& changes) {
  std::string parent;
  size_t slash = image_path.find('/');
  while (slash != std::string::npos) {
    parent = mount.state().resolve(image_path.substr(0, slash));
    if (mount.state().kind_of(parent) == FileKind::kAbsent) {
      fs::create_directories(mount.state().disk_path(parent));
      changes.paths.push_back(parent);
    }
    slash = image_path.find('/', slash + 1);
  }
}

class AddDriverOp : public Op {
 public:
  AddDriverOp(fs::path path, bool recurse, bool force_unsigned)
      : path_(absolute_path(path)), recurse_(recurse), force_unsigned_(force_unsigned) {}

  std::string name() const override { return "add-driver"; }
  nlohmann::json spec() const override {
    return {{"path", path_.string()}, {"recurse", recurse_}, {"force_unsigned", force_unsigned_}};
  }
  void collect_inputs(InputSet& inputs) const override {
    // A package is its INF's folder: any file of it may be copied. A folder
    // given is tracked whole, so a package added to it re-runs the step too.
    find_driver_infs(path_, recurse_);  // a missing package fails before the step
    inputs.add(fs::is_directory(path_) ? path_ : path_.parent_path());
  }
  void check(const ServicedMount& mount) const override {
    find_driver_infs(path_, recurse_);
    (void)mount;
  }

  StepChanges apply(ServicedMount& mount) override {
    DriverHives hives(mount);
    TargetPlatform target = hives.target_platform();
    std::vector<DriverPackageSource> packages;
    for (const fs::path& inf : find_driver_infs(path_, recurse_))
      packages.push_back(read_driver_package(inf, target, force_unsigned_));

    StepChanges changes;
    for (const DriverPackageSource& package : packages) {
      DriverStaging staging = stage_driver_package(hives.database(), hives.system(), package,
                                                   filetime_of_driver_date(package.driver.date));
      for (const auto& [image_path, source] : staging.files) {
        std::string target_path = mount.state().resolve(image_path);
        mount.state().refuse_links(target_path, /*including_self=*/true);
        make_parents(mount, target_path, changes);
        fs::path disk = mount.state().disk_path(target_path);
        // A lazy mount has the image's directories (Windows/INF) only once
        // something in them was extracted.
        fs::create_directories(disk.parent_path());
        std::error_code ec;
        fs::remove(disk, ec);
        copy_file_durable(source, disk, /*durable=*/false);
        changes.paths.push_back(target_path);
      }
    }
    hives.save(changes);
    return changes;
  }

 private:
  fs::path path_;
  bool recurse_;
  bool force_unsigned_;
};

}  // namespace

std::unique_ptr<Op> make_add_driver_op(fs::path path, bool recurse, bool force_unsigned) {
  return std::make_unique<AddDriverOp>(std::move(path), recurse, force_unsigned);
}

}  // namespace dismake
