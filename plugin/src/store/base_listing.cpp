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

[[noreturn]] void corrupt(const std::string& origin) {
  throw Error(hr::kFileCorrupt, "the base listing '" + origin + "' is corrupt",
              "run `dismake cleanup` to reap the mount, then mount again");
}

// IO_REPARSE_TAG_SYMLINK and IO_REPARSE_TAG_MOUNT_POINT (a junction).
constexpr std::uint32_t kSymlinkTag = 0xA000000C;
constexpr std::uint32_t kMountPointTag = 0xA0000003;

// A listing's "reparse point" is a link, which a mount's tree holds as a
// symlink. Any other reparse point (WOF, dedup, AppExecLink, a tag no one
// knows) is extracted as the file it is, so it is listed as one: a step
// that writes it replaces its content, keeping its metadata (commit_plan.h).
BaseEntry base_entry_of(const WimEntry& e) {
  bool link =
      e.is_reparse_point && (e.reparse_tag == kSymlinkTag || e.reparse_tag == kMountPointTag);
  return {e.is_directory, link, e.size, e.sha1, e.is_directory ? 0 : e.hard_link_group};
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

// The path of the record that begins at `start`: its first field, up to
// its NUL.
std::string_view record_path(const std::string& records, size_t start) {
  return std::string_view(records.data() + start);
}

// Steps over one entry's record, checking its shape only (a step reads
// few of the entries it loads; find() decodes those); false when malformed.
bool skip_entry(FieldReader& reader, std::string_view& path) {
  std::string_view kind, field;
  return reader.next(path) && reader.next(kind) && kind.size() == 1 && reader.next(field) &&
         reader.next(field) && reader.next(field);
}

}  // namespace

BaseListing BaseListing::load(const std::filesystem::path& file) {
  return parse(read_file(file), file.string());
}

BaseListing BaseListing::parse(std::string saved, const std::string& origin) {
  FieldReader reader(saved);
  std::string_view magic, path;
  if (!reader.next(magic) || (magic != kMagic && magic != kMagicV1)) corrupt(origin);
  if (magic == kMagicV1) return parse_version_1(saved, origin);
  BaseListing listing;
  std::string_view previous;
  while (!reader.at_end()) {
    size_t start = reader.position();
    if (!skip_entry(reader, path) || path < previous) corrupt(origin);
    previous = path;
    listing.starts_.push_back(start);
  }
  listing.records_ = std::move(saved);
  return listing;
}

// A version 1 listing (no link groups) is held as version 2.
BaseListing BaseListing::parse_version_1(std::string_view saved, const std::string& origin) {
  std::string converted;
  append_field(converted, kMagic);
  FieldReader reader(saved);
  std::string_view magic, path;
  reader.next(magic);
  BaseEntry entry;
  while (!reader.at_end()) {
    if (!read_entry(reader, /*has_groups=*/false, path, entry)) corrupt(origin);
    append_entry(converted, path, entry);
  }
  return parse(std::move(converted), origin);
}

void BaseListing::save(const std::filesystem::path& file) const {
  if (records_.empty()) {  // never loaded: an empty listing
    std::string out;
    append_field(out, kMagic);
    return write_file_atomic(file, out, 0600);
  }
  write_file_atomic(file, records_, 0600);
}

std::string_view BaseListing::path_at(size_t i) const { return record_path(records_, starts_[i]); }

BaseEntry BaseListing::entry_at(size_t i) const {
  FieldReader reader(std::string_view(records_).substr(starts_[i]));
  std::string_view path;
  BaseEntry entry;
  read_entry(reader, /*has_groups=*/true, path, entry);  // checked when parsed
  return entry;
}

size_t BaseListing::lower_bound(std::string_view path) const {
  auto it = std::lower_bound(
      starts_.begin(), starts_.end(), path,
      [&](size_t start, std::string_view p) { return record_path(records_, start) < p; });
  return static_cast<size_t>(it - starts_.begin());
}

const BaseEntry* BaseListing::find(const std::string& path) const {
  size_t i = lower_bound(path);
  if (i == starts_.size() || path_at(i) != path) return nullptr;
  auto it = found_.find(i);
  if (it == found_.end()) it = found_.emplace(i, entry_at(i)).first;
  return &it->second;
}

std::optional<std::string> BaseListing::find_folded(const std::string& path) const {
  if (by_folded_.empty())
    for (size_t i = 0; i < starts_.size(); ++i)
      by_folded_.emplace(fold_case(std::string(path_at(i))), i);
  auto it = by_folded_.find(fold_case(path));
  if (it == by_folded_.end()) return std::nullopt;
  return std::string(path_at(it->second));
}

std::vector<std::string> BaseListing::other_links(const std::string& path) const {
  const BaseEntry* entry = find(path);
  if (entry == nullptr || entry->hard_link_group == 0) return {};
  if (!link_groups_built_) {
    for (size_t i = 0; i < starts_.size(); ++i) {
      std::uint64_t group = entry_at(i).hard_link_group;
      if (group != 0) by_link_group_.emplace(group, i);
    }
    link_groups_built_ = true;
  }
  std::vector<std::string> others;
  auto [begin, end] = by_link_group_.equal_range(entry->hard_link_group);
  for (auto it = begin; it != end; ++it)
    if (path_at(it->second) != path) others.emplace_back(path_at(it->second));
  std::sort(others.begin(), others.end());
  return others;
}

void BaseListing::for_each_below(
    const std::string& dir,
    const std::function<void(const std::string&, const BaseEntry&)>& visit) const {
  std::string prefix = dir.empty() ? "" : dir + "/";
  for (size_t i = lower_bound(prefix); i < starts_.size(); ++i) {
    std::string_view path = path_at(i);
    if (path.compare(0, prefix.size(), prefix) != 0) break;
    visit(std::string(path), entry_at(i));
  }
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
  std::vector<size_t> order(starts_.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return record_path(records_, starts_[a]) < record_path(records_, starts_[b]);
  });
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
