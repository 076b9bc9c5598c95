// BaseListing: every file and directory of a mount's base image, kept in the
// state directory (base.json) so that a lazy mount can answer "is this path
// in the image, and what is it?" without extracting anything, and find a path
// case-insensitively as Windows does.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dismake/wim/wim_types.h"

namespace dismake {

struct BaseEntry {
  bool is_directory = false;
  bool is_reparse_point = false;
  std::uint64_t size = 0;
  std::string sha1;  // of the unnamed stream; "" when empty
};

class BaseListing {
 public:
  static BaseListing from_entries(const std::vector<WimEntry>& entries);
  // Throws Error(ERROR_FILE_CORRUPT) naming the file when it is unreadable.
  static BaseListing load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;

  const BaseEntry* find(const std::string& path) const;
  // The path as the image spells it, for a path spelt in any case.
  std::optional<std::string> find_folded(const std::string& path) const;
  const std::map<std::string, BaseEntry>& entries() const { return entries_; }

 private:
  void add(const std::string& path, BaseEntry entry);
  std::map<std::string, BaseEntry> entries_;
  std::map<std::string, std::string> by_folded_;
};

}  // namespace dismake
