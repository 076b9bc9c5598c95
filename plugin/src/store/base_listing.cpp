#include "dismake/store/base_listing.h"

#include <algorithm>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/field_file.h"
#include "dismake/base/files.h"

namespace dismake {

namespace {

// Version 2 added the hard link group; version 1 listings (mounts made by
// an older dismake) still load, as files without links.
constexpr std::string_view kMagic = "dismake-base-listing-2";
constexpr std::string_view kMagicV1 = "dismake-base-listing-1";

bool by_path(const std::pair<std::string, BaseEntry>& a,
             const std::pair<std::string, BaseEntry>& b) {
  return a.first < b.first;
}

[[noreturn]] void corrupt(const std::filesystem::path& file) {
  throw Error(hr::kFileCorrupt, "the base listing '" + file.string() + "' is corrupt",
              "run `dismake cleanup` to reap the mount, then mount again");
}

}  // namespace

BaseListing BaseListing::from_entries(const std::vector<WimEntry>& entries) {
  BaseListing listing;
  listing.entries_.reserve(entries.size());
  for (const WimEntry& e : entries) {
    if (e.path.empty()) continue;
    listing.entries_.emplace_back(e.path,
                                  BaseEntry{e.is_directory, e.is_reparse_point, e.size, e.sha1,
                                            e.is_directory ? 0 : e.hard_link_group});
  }
  std::sort(listing.entries_.begin(), listing.entries_.end(), by_path);
  return listing;
}

BaseListing BaseListing::load(const std::filesystem::path& file) {
  std::string data = read_file(file);
  FieldReader reader(data);
  std::string_view magic, path, kind, size, sha1, group;
  if (!reader.next(magic) || (magic != kMagic && magic != kMagicV1)) corrupt(file);
  bool has_groups = magic == kMagic;
  BaseListing listing;
  while (!reader.at_end()) {
    if (!reader.next(path) || !reader.next(kind) || !reader.next(size) || !reader.next(sha1) ||
        (has_groups && !reader.next(group)) || kind.size() != 1)
      corrupt(file);
    BaseEntry entry{kind[0] == 'd', kind[0] == 'r',
                    std::strtoull(std::string(size).c_str(), nullptr, 10), std::string(sha1),
                    has_groups ? std::strtoull(std::string(group).c_str(), nullptr, 10) : 0};
    listing.entries_.emplace_back(std::string(path), std::move(entry));
  }
  if (!std::is_sorted(listing.entries_.begin(), listing.entries_.end(), by_path)) corrupt(file);
  return listing;
}

void BaseListing::save(const std::filesystem::path& file) const {
  std::string out;
  append_field(out, kMagic);
  for (const auto& [path, e] : entries_) {
    append_field(out, path);
    append_field(out, e.is_directory ? "d" : e.is_reparse_point ? "r" : "f");
    append_field(out, std::to_string(e.size));
    append_field(out, e.sha1);
    append_field(out, std::to_string(e.hard_link_group));
  }
  write_file_atomic(file, out);
}

const BaseEntry* BaseListing::find(const std::string& path) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(path, BaseEntry{}),
                             by_path);
  return it != entries_.end() && it->first == path ? &it->second : nullptr;
}

std::optional<std::string> BaseListing::find_folded(const std::string& path) const {
  if (by_folded_.empty())
    for (size_t i = 0; i < entries_.size(); ++i)
      by_folded_.emplace(fold_case(entries_[i].first), i);
  auto it = by_folded_.find(fold_case(path));
  if (it == by_folded_.end()) return std::nullopt;
  return entries_[it->second].first;
}

std::vector<std::string> BaseListing::other_links(const std::string& path) const {
  const BaseEntry* entry = find(path);
  if (entry == nullptr || entry->hard_link_group == 0) return {};
  if (!link_groups_built_) {
    for (size_t i = 0; i < entries_.size(); ++i)
      if (entries_[i].second.hard_link_group != 0)
        by_link_group_.emplace(entries_[i].second.hard_link_group, i);
    link_groups_built_ = true;
  }
  std::vector<std::string> others;
  auto [begin, end] = by_link_group_.equal_range(entry->hard_link_group);
  for (auto it = begin; it != end; ++it)
    if (entries_[it->second].first != path) others.push_back(entries_[it->second].first);
  std::sort(others.begin(), others.end());
  return others;
}

void BaseListing::for_each_below(
    const std::string& dir,
    const std::function<void(const std::string&, const BaseEntry&)>& visit) const {
  std::string prefix = dir.empty() ? "" : dir + "/";
  auto it = std::lower_bound(entries_.begin(), entries_.end(), std::make_pair(prefix, BaseEntry{}),
                             by_path);
  for (; it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    visit(it->first, it->second);
}

}  // namespace dismake
