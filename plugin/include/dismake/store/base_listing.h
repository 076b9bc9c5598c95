// BaseListing: every file and directory of a mount's base image, kept in the
// record directory (base.list) so that a lazy mount can answer "is this path
// in the image, and what is it?" without extracting anything, and find a path
// case-insensitively as Windows does. Every step reads it, so it is stored in
// a compact format (field_file.h) and searched in a sorted array.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "dismake/wim/wim_types.h"

namespace dismake {

struct BaseEntry {
  bool is_directory = false;
  bool is_reparse_point = false;
  std::uint64_t size = 0;
  std::string sha1;  // of the unnamed stream; "" when empty
  // Names with the same non-zero group are hard links of one file.
  std::uint64_t hard_link_group = 0;
};

class BaseListing {
 public:
  // Throws Error(ERROR_FILE_CORRUPT) naming the file when it is unreadable.
  static BaseListing load(const std::filesystem::path& file);
  // From what save() writes, held in memory (`origin` names it in errors).
  static BaseListing parse(std::string saved, const std::string& origin);
  void save(const std::filesystem::path& file) const;

  // The entry stays valid as long as the listing.
  const BaseEntry* find(const std::string& path) const;
  // The path as the image spells it, for a path spelt in any case.
  std::optional<std::string> find_folded(const std::string& path) const;
  // Calls `visit` for every entry strictly below directory `dir` ("" is the
  // root, so: every entry), in path order.
  void for_each_below(const std::string& dir,
                      const std::function<void(const std::string&, const BaseEntry&)>& visit) const;
  size_t size() const { return starts_.size(); }
  // The other names of the file at `path` (its hard links), sorted.
  std::vector<std::string> other_links(const std::string& path) const;

 private:
  static BaseListing parse_version_1(std::string_view saved, const std::string& origin);
  std::string_view path_at(size_t i) const;
  BaseEntry entry_at(size_t i) const;
  // The first entry whose path is not less than `path`.
  size_t lower_bound(std::string_view path) const;

  // The saved form as read (the version line, then records sorted by path),
  // and where each record begins: a step loads the listing with one scan
  // and no allocation per entry, and decodes only the entries it asks for
  // (a 41k-entry image: 4 MB held, against 10 MB decoded, in a fifth of the
  // time).
  std::string records_;
  std::vector<size_t> starts_;
  // find()'s answers, kept so that the pointers it returns stay valid.
  mutable std::unordered_map<size_t, BaseEntry> found_;
  // Built on the first find_folded(): most steps never need it.
  mutable std::unordered_map<std::string, size_t> by_folded_;
  // Built on the first other_links(): group → entry indices.
  mutable std::unordered_multimap<std::uint64_t, size_t> by_link_group_;
  mutable bool link_groups_built_ = false;
};

// A listing built entry by entry while an image is read, held in its saved
// form: a BaseListing in memory costs about twice that, too much to keep
// beside wimlib's own copy of the image's metadata when a mount is made
// (peak memory, issue 13). Sorted only when saved or expanded.
class CompactListing {
 public:
  void add(const WimEntry& entry);
  // Calls `visit` for every entry, in the order they were added.
  void for_each(const std::function<void(std::string_view, const BaseEntry&)>& visit) const;
  // Writes what BaseListing::save writes for the same entries.
  void save(const std::filesystem::path& file) const;
  BaseListing expand() const;

 private:
  std::string saved_form() const;

  std::string records_;         // each entry's fields, path first
  std::vector<size_t> starts_;  // where each record begins in records_
};

}  // namespace dismake
