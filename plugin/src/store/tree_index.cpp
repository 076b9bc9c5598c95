#include "dismake/store/tree_index.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "dismake/base/clock.h"
#include "dismake/base/error.h"
#include "dismake/base/field_file.h"
#include "dismake/base/files.h"
#include "dismake/store/image_path.h"

namespace dismake {

namespace {

constexpr std::string_view kIndexMagic = "dismake-tree-index-1";
std::int64_t ns(const struct timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

// The index records only what is there: a name it cannot read (none ever
// written) reads as a file, as it always has.
FileKind kind_from(const std::string& name) {
  std::optional<FileKind> kind = file_kind_named(name);
  return kind && *kind != FileKind::kAbsent ? *kind : FileKind::kFile;
}

// The entry for what is on disk at `on_disk` now; false when nothing is.
bool stat_entry(const fs::path& on_disk, const std::string& sha1, IndexEntry& entry) {
  struct stat st {};
  if (::lstat(on_disk.c_str(), &st) != 0) return false;
  entry = IndexEntry{};
  entry.size = static_cast<std::uint64_t>(st.st_size);
  entry.mtime_ns = ns(st.st_mtim);
  entry.ctime_ns = ns(st.st_ctim);
  entry.inode = st.st_ino;
  entry.recorded_ns = now_ns();
  if (S_ISDIR(st.st_mode)) {
    entry.kind = FileKind::kDirectory;
  } else if (S_ISLNK(st.st_mode)) {
    entry.kind = FileKind::kSymlink;
    entry.symlink_target = fs::read_symlink(on_disk).string();
  } else {
    entry.sha1 = sha1;
  }
  return true;
}
}  // namespace

TreeIndex TreeIndex::build(const fs::path& root, const CompactListing& listing) {
  TreeIndex index;
  listing.for_each([&](std::string_view path, const BaseEntry& base) {
    IndexEntry entry;
    if (stat_entry(root / path, base.sha1, entry))  // else not extractable here
      index.entries_.emplace(path, std::move(entry));
  });
  return index;
}

const IndexEntry* TreeIndex::find(const std::string& path) const {
  auto it = entries_.find(path);
  return it == entries_.end() ? nullptr : &it->second;
}

void TreeIndex::record(const fs::path& root, const std::string& path, const std::string& sha1) {
  IndexEntry entry;
  if (stat_entry(root / path, sha1, entry)) {
    entries_[path] = std::move(entry);
  } else {
    forget(path);
  }
}

void TreeIndex::record_tree(const fs::path& root, const std::string& path,
                            const std::function<std::string(const std::string&)>& sha1_of) {
  forget(path);
  fs::path top = root / path;
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(top, ec))) {
    record(root, path, fs::is_regular_file(fs::symlink_status(top, ec)) ? sha1_of(path) : "");
    return;
  }
  record(root, path, "");
  for (auto it = fs::recursive_directory_iterator(top, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    std::string rel = join_image_path(path, fs::relative(it->path(), top).string());
    record(root, rel, it->is_regular_file() && !it->is_symlink() ? sha1_of(rel) : "");
  }
}

void TreeIndex::forget(const std::string& path) {
  std::string prefix = path + "/";
  auto it = entries_.lower_bound(prefix);
  while (it != entries_.end() && it->first.compare(0, prefix.size(), prefix) == 0)
    it = entries_.erase(it);
  entries_.erase(path);
}

TreeIndex TreeIndex::load(const fs::path& file) {
  std::string data = read_file(file);
  FieldReader reader(data);
  auto corrupt = [&] {
    return Error(hr::kFileCorrupt, "the mount index '" + file.string() + "' is corrupt",
                 "run `dismake cleanup` to reap the mount, then mount again");
  };
  std::string_view magic;
  if (!reader.next(magic) || magic != kIndexMagic) throw corrupt();
  TreeIndex index;
  std::string_view f[9];
  while (!reader.at_end()) {
    for (std::string_view& field : f)
      if (!reader.next(field)) throw corrupt();
    IndexEntry entry;
    entry.kind = kind_from(std::string(f[1]));
    entry.size = std::strtoull(std::string(f[2]).c_str(), nullptr, 10);
    entry.mtime_ns = std::strtoll(std::string(f[3]).c_str(), nullptr, 10);
    entry.ctime_ns = std::strtoll(std::string(f[4]).c_str(), nullptr, 10);
    entry.inode = std::strtoull(std::string(f[5]).c_str(), nullptr, 10);
    entry.recorded_ns = std::strtoll(std::string(f[6]).c_str(), nullptr, 10);
    entry.sha1 = std::string(f[7]);
    entry.symlink_target = std::string(f[8]);
    index.entries_.emplace_hint(index.entries_.end(), std::string(f[0]), std::move(entry));
  }
  return index;
}

void TreeIndex::save(const fs::path& file) const { write_file_atomic(file, to_fields(), 0600); }

std::string TreeIndex::to_fields() const {
  std::string out;
  append_field(out, kIndexMagic);
  for (const auto& [path, e] : entries_) {
    append_field(out, path);
    append_field(out, file_kind_name(e.kind));
    append_field(out, std::to_string(e.size));
    append_field(out, std::to_string(e.mtime_ns));
    append_field(out, std::to_string(e.ctime_ns));
    append_field(out, std::to_string(e.inode));
    append_field(out, std::to_string(e.recorded_ns));
    append_field(out, e.sha1);
    append_field(out, e.symlink_target);
  }
  return out;
}

void TreeIndex::mark_verified(const std::string& path, std::int64_t now_ns) {
  auto it = entries_.find(path);
  if (it != entries_.end()) it->second.recorded_ns = now_ns;
}

}  // namespace dismake
