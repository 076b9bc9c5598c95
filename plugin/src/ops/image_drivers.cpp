#include "dismake/ops/image_drivers.h"

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/temporary_directory.h"
#include "dismake/registry/hive_log_replay.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace {

const char kConfig[] = "Windows/System32/config/";

// `relative` ('/'-separated) below `root`, each component matched in any
// case as Windows would; nullopt when there is no such regular file.
std::optional<fs::path> find_in_tree(const fs::path& root, const std::string& relative) {
  fs::path current = root;
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string::npos) end = relative.size();
    std::string part = relative.substr(start, end - start);
    std::error_code ec;
    if (fs::exists(current / part, ec)) {
      current /= part;
    } else {
      std::optional<fs::path> match;
      for (const fs::directory_entry& entry : fs::directory_iterator(current, ec))
        if (fold_case(entry.path().filename().string()) == fold_case(part)) match = entry.path();
      if (!match) return std::nullopt;
      current = *match;
    }
    start = end + 1;
  }
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(current, ec))) return std::nullopt;
  return current;
}

}  // namespace

struct ImageDrivers::Impl {
  std::optional<fs::path> tree;  // a directory that is not a mount: an applied image
  std::optional<ServicedMount> mount;
  std::optional<WimFile> wim;
  int image = 0;
  std::unique_ptr<TemporaryDirectory> scratch;
  std::optional<DriverDatabase> database;

  std::optional<fs::path> file(const std::string& image_path) {
    if (tree) return find_in_tree(*tree, image_path);
    if (mount) {
      std::string resolved = mount->state().resolve(image_path);
      if (mount->state().kind_of(resolved) != FileKind::kFile) return std::nullopt;
      mount->state().refuse_links(resolved, /*including_self=*/true);
      mount->tree().materialize(resolved);
      return mount->state().disk_path(resolved);
    }
    fs::path extracted = scratch->path() / image_path;
    if (fs::exists(extracted)) return extracted;
    try {
      wim->extract_paths(image, scratch->path(), {image_path});
    } catch (const Error& error) {
      if (error.code() == hr::kPathNotFound || error.code() == hr::kFileNotFound)
        return std::nullopt;
      throw;
    }
    return extracted;
  }

  // A hive with the transaction logs Hive replays when it is dirty.
  std::optional<fs::path> hive(const std::string& name) {
    std::optional<fs::path> path = file(kConfig + name);
    if (path && hive_needs_log_replay(*path))
      for (const std::string& log : hive_log_file_names(kConfig + name)) file(log);
    return path;
  }
};

ImageDrivers::ImageDrivers(const fs::path& image, int index) : impl_(std::make_unique<Impl>()) {
  std::error_code ec;
  if (fs::is_directory(image, ec)) {
    if (index > 0)
      throw Error(hr::kInvalidArg, "--index is for a WIM file; '" + image.string() + "' is a mount",
                  "leave --index out: a mount holds one image");
    try {
      impl_->mount.emplace(ServicedMount::open(image));
    } catch (const Error& error) {
      if (error.code() != hr::kNotFound) throw;
      impl_->tree = image;  // an image applied to a directory, as DISM's /Image: takes it
    }
  } else {
    impl_->wim.emplace(WimFile::open(image));
    if (index > 0) {
      impl_->image = impl_->wim->image_by_index(index);
    } else {
      auto count = static_cast<int>(impl_->wim->info().image_count);
      if (count != 1)
        throw Error(hr::kInvalidImageIndex,
                    "'" + image.string() + "' has " + std::to_string(count) + " images",
                    "choose one with --index (see `dismake info`)");
      impl_->image = 1;
    }
    impl_->scratch = std::make_unique<TemporaryDirectory>("drivers");
  }
  std::optional<fs::path> system = impl_->hive("SYSTEM");
  if (!system)
    throw Error(hr::kNotFound,
                "'" + image.string() + "' has no SYSTEM hive (" + kConfig + "SYSTEM)",
                "is it a Windows image?");
  std::optional<fs::path> drivers = impl_->hive("DRIVERS");
  impl_->database.emplace(*system, drivers,
                          [this](const std::string& name) { return published_inf(name); });
}

ImageDrivers::~ImageDrivers() = default;

DriverDatabase& ImageDrivers::database() { return *impl_->database; }

std::optional<fs::path> ImageDrivers::file(const std::string& image_path) {
  return impl_->file(image_path);
}

std::optional<fs::path> ImageDrivers::published_inf(const std::string& published_name) {
  if (published_name.find_first_of("/\\") != std::string::npos) return std::nullopt;
  return impl_->file("Windows/INF/" + published_name);
}

DriverInfo ImageDrivers::driver_info(const std::string& driver) {
  DriverDatabase& db = database();
  if (names_inf_file(driver))
    return read_inf_driver_info(driver, inf_architecture_name(db.architecture()));
  DriverInfo info;
  info.package = db.find(driver);
  info.models = db.models(info.package);
  if (info.models.empty()) {
    // The database keeps no descriptors for it (pvscsi in the reference
    // hive): the image's copy of its INF says.
    std::optional<fs::path> inf = published_inf(info.package.published_name);
    if (inf) info.models = read_inf_driver_info(*inf, info.package.architecture).models;
  }
  return info;
}

}  // namespace dismake
