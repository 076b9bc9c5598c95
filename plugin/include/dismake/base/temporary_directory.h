// A private scratch directory (mode 0700, under $TMPDIR or /tmp) that is
// deleted with everything in it when the object goes, whatever went wrong in
// between: for files a command needs only while it runs, such as the hives
// `dismake diff` extracts to compare.
#pragma once

#include <filesystem>
#include <string>

namespace dismake {

class TemporaryDirectory {
 public:
  // Creates "<tmp>/dismake-<purpose>-XXXXXX"; throws Error naming the
  // directory when it cannot.
  explicit TemporaryDirectory(const std::string& purpose);
  // The same under `parent` instead of $TMPDIR (a scratch directory the
  // user chose, such as DismInitialize's ScratchDirectory).
  TemporaryDirectory(const std::string& purpose, const std::filesystem::path& parent);
  ~TemporaryDirectory();
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace dismake
