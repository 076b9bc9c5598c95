// WimFile: an open WIM file, RAII over wimlib's WIMStruct. The only gateway to
// wimlib in the project (DESIGN.md, layer 1): it turns wimlib's error codes
// into dismake::Error with the HRESULT a DISM user expects, and its progress
// messages into ProgressFn calls (whose `false` cancels the operation).
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/wim/wim_types.h"

struct WIMStruct;

namespace dismake {

class WimFile {
 public:
  // Opens `path`; with `writable`, wimlib checks it may be overwritten.
  // Throws Error: ERROR_FILE_NOT_FOUND, ERROR_BAD_FORMAT (not a WIM),
  // ERROR_FILE_CORRUPT (a damaged WIM).
  static WimFile open(const std::filesystem::path& path, bool writable = false);

  WimFile(WimFile&& other) noexcept;
  WimFile& operator=(WimFile&& other) noexcept;
  ~WimFile();

  const std::filesystem::path& path() const { return path_; }
  WimInfo info() const;

  // The 1-based index of an image; throws DISMAPI_E_INVALID_IMAGE_INDEX or
  // DISMAPI_E_INVALID_IMAGE_NAME with the valid choices in the hint.
  int image_by_index(int index) const;
  int image_by_name(const std::string& name) const;

  // An XML property of an image, e.g. "NAME", "WINDOWS/ARCH",
  // "WINDOWS/LANGUAGES/LANGUAGE[2]"; "" when absent.
  std::string property(int image, const std::string& name) const;
  void set_property(int image, const std::string& name, const std::string& value);

  // Calls `visit` for every file and directory of the image, parents first.
  void for_each_entry(int image, const std::function<void(const WimEntry&)>& visit) const;

  // Extracts the whole image into `target` (an existing directory).
  void extract_image(int image, const std::filesystem::path& target, const ProgressFn& progress);

  // Extracts the given image paths (files or whole directory trees) below
  // `target`, each at its place in the image ("Windows/x" → target/Windows/x).
  void extract_paths(int image, const std::filesystem::path& target,
                     const std::vector<std::string>& paths);

  // Applies `commands` in order to the image in memory; nothing is written
  // until overwrite_compact() or write_to().
  void update_image(int image, const std::vector<UpdateCommand>& commands);

  // Writes the changes back into this file with wimlib's in-place compacting
  // write: no garbage is left, but an interruption ruins the file, so call it
  // only on a temporary copy (DESIGN.md, "Commit").
  void overwrite_compact(const WriteOptions& options, const ProgressFn& progress);

  // Writes every image to a new file at `path` with the given compression.
  void write_to(const std::filesystem::path& path, Compression compression,
                const WriteOptions& options, const ProgressFn& progress);

 private:
  WimFile(WIMStruct* wim, std::filesystem::path path);
  WIMStruct* wim_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace dismake
