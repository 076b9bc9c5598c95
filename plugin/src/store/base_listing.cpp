#include "dismake/store/base_listing.h"

#include <algorithm>
#include <cstring>
#include <numeric>

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

[[noreturn]] void corrupt(const std::string& origin) {
  throw Error(hr::kFileCorrupt, "the base listing '" + origin + "' is corrupt",
              "run `dismake cleanup` to reap the mount, then mount again");
}

BaseEntry base_entry_of(const WimEntry& e) {
  return {e.is_directory, e.is_reparse_point, e.size, e.sha1,
          e.is_directory ? 0 : e.hard_link_group};
}

// One entry's record in the saved form.
void append_entry(std::string& out, std::string_view path, const BaseEntry& e) {
  append_field(out, path);
  append_field(
      out, e.is_directory ? (e.is_reparse_point ? "j" : "d") : (e.is_reparse_point ? "r" : "f"));
  append_field(out, std::to_string(e.size));
  append_field(out, e.sha1);
  append_field(out, std::to_string(e.hard_link_group));
}

// Reads one entry's record; false when it is malformed.
bool read_entry(FieldReader& reader, bool has_groups, std::string_view& path, BaseEntry& entry) {
  std::string_view kind, size, sha1, group;
  if (!reader.next(path) || !reader.next(kind) || !reader.next(size) || !reader.next(sha1) ||
      (has_groups && !reader.next(group)) || kind.size() != 1)
    return false;
  // 'j': a junction, a directory that is a reparse point.
  entry = BaseEntry{kind[0] == 'd' || kind[0] == 'j', kind[0] == 'r' || kind[0] == 'j',
                    std::strtoull(std::string(size).c_str(), nullptr, 10), std::string(sha1),
                    has_groups ? std::strtoull(std::string(group).c_str(), nullptr, 10) : 0};
  return true;
}

}  // namespace

BaseListing BaseListing::load(const std::filesystem::path& file) {
  return parse(read_file(file), file.string());
}

BaseListing BaseListing::parse(std::string_view saved, const std::string& origin) {
  FieldReader reader(saved);
  std::string_view magic, path;
  if (!reader.next(magic) || (magic != kMagic && magic != kMagicV1)) corrupt(origin);
  bool has_groups = magic == kMagic;
  BaseListing listing;
  BaseEntry entry;
  while (!reader.at_end()) {
    if (!read_entry(reader, has_groups, path, entry)) corrupt(origin);
    listing.entries_.emplace_back(std::string(path), std::move(entry));
  }
  if (!std::is_sorted(listing.entries_.begin(), listing.entries_.end(), by_path)) corrupt(origin);
  return listing;
}

void BaseListing::save(const std::filesystem::path& file) const {
  std::string out;
  append_field(out, kMagic);
  for (const auto& [path, e] : entries_) append_entry(out, path, e);
  write_file_atomic(file, out, 0600);
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

void CompactListing::add(const WimEntry& entry) {
  if (entry.path.empty()) return;  // the root, which no listing holds
  starts_.push_back(records_.size());
  append_entry(records_, entry.path, base_entry_of(entry));
}

void CompactListing::for_each(
    const std::function<void(std::string_view, const BaseEntry&)>& visit) const {
  FieldReader reader(records_);
  std::string_view path;
  BaseEntry entry;
  while (read_entry(reader, /*has_groups=*/true, path, entry)) visit(path, entry);
}

std::string CompactListing::saved_form() const {
  auto path_of = [&](size_t i) { return std::string_view(records_.data() + starts_[i]); };
  std::vector<size_t> order(starts_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(),
            [&](size_t a, size_t b) { return path_of(a) < path_of(b); });
  std::string out;
  out.reserve(kMagic.size() + 1 + records_.size());
  append_field(out, kMagic);
  for (size_t i : order) {
    size_t end = i + 1 < starts_.size() ? starts_[i + 1] : records_.size();
    out.append(records_, starts_[i], end - starts_[i]);
  }
  return out;
}

void CompactListing::save(const std::filesystem::path& file) const {
  write_file_atomic(file, saved_form(), 0600);
}

BaseListing CompactListing::expand() const {
  return BaseListing::parse(saved_form(), "the listing read from the WIM");
}

}  // namespace dismake
