#include "dismake/store/tree_index.h"

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

using nlohmann::json;

namespace {
std::int64_t ns(const struct timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

std::int64_t now_ns() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return ns(t);
}

const char* kind_name(IndexEntry::Kind kind) {
  switch (kind) {
    case IndexEntry::Kind::kDirectory:
      return "dir";
    case IndexEntry::Kind::kSymlink:
      return "symlink";
    case IndexEntry::Kind::kFile:
      break;
  }
  return "file";
}

IndexEntry::Kind kind_from(const std::string& name) {
  if (name == "dir") return IndexEntry::Kind::kDirectory;
  if (name == "symlink") return IndexEntry::Kind::kSymlink;
  return IndexEntry::Kind::kFile;
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
    entry.kind = IndexEntry::Kind::kDirectory;
  } else if (S_ISLNK(st.st_mode)) {
    entry.kind = IndexEntry::Kind::kSymlink;
    entry.symlink_target = fs::read_symlink(on_disk).string();
  } else {
    entry.sha1 = sha1;
  }
  return true;
}
}  // namespace

TreeIndex TreeIndex::build(const fs::path& root, const std::vector<WimEntry>& entries) {
  TreeIndex index;
  for (const WimEntry& wim_entry : entries) {
    if (wim_entry.path.empty()) continue;
    IndexEntry entry;
    if (stat_entry(root / wim_entry.path, wim_entry.sha1, entry))  // else not extractable here
      index.entries_.emplace(wim_entry.path, std::move(entry));
  }
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
    std::string rel = path + "/" + fs::relative(it->path(), top).string();
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
  try {
    json j = json::parse(read_file(file));
    TreeIndex index;
    for (const auto& [path, e] : j.at("entries").items()) {
      IndexEntry entry;
      entry.kind = kind_from(e.at(0).get<std::string>());
      entry.size = e.at(1).get<std::uint64_t>();
      entry.mtime_ns = e.at(2).get<std::int64_t>();
      entry.ctime_ns = e.at(3).get<std::int64_t>();
      entry.inode = e.at(4).get<std::uint64_t>();
      entry.sha1 = e.at(5).get<std::string>();
      entry.symlink_target = e.at(6).get<std::string>();
      entry.recorded_ns = e.at(7).get<std::int64_t>();
      index.entries_.emplace(path, std::move(entry));
    }
    return index;
  } catch (const json::exception& e) {
    throw Error(hr::kFileCorrupt,
                "the mount index '" + file.string() + "' is corrupt (" + e.what() + ")",
                "run `dismake cleanup` to reap the mount, then mount again");
  }
}

void TreeIndex::save(const fs::path& file) const {
  // Arrays rather than objects per entry: the index of a 30k-file image stays
  // a few MB and parses quickly.
  json entries = json::object();
  for (const auto& [path, e] : entries_) {
    entries[path] = json::array({kind_name(e.kind), e.size, e.mtime_ns, e.ctime_ns, e.inode, e.sha1,
                                 e.symlink_target, e.recorded_ns});
  }
  json j = {{"entries", std::move(entries)}};
  write_file_atomic(file, j.dump());
}

}  // namespace dismake
