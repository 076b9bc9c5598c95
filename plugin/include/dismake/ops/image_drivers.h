// The driver database of an image, wherever the image is: a mount (its
// working tree, lazily extracted files materialized first, as the registry
// ops do), a directory holding an applied image (read as it is), or a WIM
// image, read without mounting (only the hives and INFs it
// needs are extracted, into a private temporary directory). `dismake
// get-drivers` / `get-driver-info` and the C API's DismGetDrivers /
// DismGetDriverInfo read through it.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "dismake/drivers/driver_database.h"
#include "dismake/drivers/inf_driver_info.h"

namespace dismake {

class ImageDrivers {
 public:
  // `image` is a mount directory, another directory (an applied image) or
  // a WIM file; `index` (1-based) chooses
  // the WIM's image, 0 for "the only one" (several images and no index:
  // DISMAPI_E_INVALID_IMAGE_INDEX naming the count). An index with a mount
  // is E_INVALIDARG. A mount is locked while this lives. Throws the
  // DriverDatabase errors (ERROR_NOT_FOUND for an image without one).
  ImageDrivers(const std::filesystem::path& image, int index);
  ~ImageDrivers();
  ImageDrivers(const ImageDrivers&) = delete;
  ImageDrivers& operator=(const ImageDrivers&) = delete;

  DriverDatabase& database();

  // The image's file at `image_path` ('/'-separated, any case) on disk, or
  // nullopt when the image has no such file.
  std::optional<std::filesystem::path> file(const std::string& image_path);

  // The image's INF of a published name (Windows/INF/oemN.inf), or nullopt.
  std::optional<std::filesystem::path> published_inf(const std::string& published_name);

  // What get-driver-info and DismGetDriverInfo show of `driver`: an .inf
  // file on the host (names_inf_file) read for the image's architecture;
  // else the package published under that name (DriverDatabase::find's
  // errors), its models from the database or, where the database keeps no
  // descriptors for it, from the image's copy of its INF.
  DriverInfo driver_info(const std::string& driver);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dismake
