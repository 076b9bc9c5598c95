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
}  // namespace

TreeIndex TreeIndex::build(const fs::path& root, const std::vector<WimEntry>& entries) {
  TreeIndex index;
  index.recorded_at_ns_ = now_ns();
  for (const WimEntry& wim_entry : entries) {
    if (wim_entry.path.empty()) continue;
    fs::path on_disk = root / wim_entry.path;
    struct stat st {};
    if (::lstat(on_disk.c_str(), &st) != 0) continue;  // not extractable here
    IndexEntry entry;
    entry.size = static_cast<std::uint64_t>(st.st_size);
    entry.mtime_ns = ns(st.st_mtim);
    entry.ctime_ns = ns(st.st_ctim);
    entry.inode = st.st_ino;
    if (S_ISDIR(st.st_mode)) {
      entry.kind = IndexEntry::Kind::kDirectory;
    } else if (S_ISLNK(st.st_mode)) {
      entry.kind = IndexEntry::Kind::kSymlink;
      entry.symlink_target = fs::read_symlink(on_disk).string();
    } else {
      entry.sha1 = wim_entry.sha1;
    }
    index.entries_.emplace(wim_entry.path, std::move(entry));
  }
  return index;
}

TreeIndex TreeIndex::load(const fs::path& file) {
  try {
    json j = json::parse(read_file(file));
    TreeIndex index;
    index.recorded_at_ns_ = j.at("recorded_at_ns").get<std::int64_t>();
    for (const auto& [path, e] : j.at("entries").items()) {
      IndexEntry entry;
      entry.kind = kind_from(e.at(0).get<std::string>());
      entry.size = e.at(1).get<std::uint64_t>();
      entry.mtime_ns = e.at(2).get<std::int64_t>();
      entry.ctime_ns = e.at(3).get<std::int64_t>();
      entry.inode = e.at(4).get<std::uint64_t>();
      entry.sha1 = e.at(5).get<std::string>();
      entry.symlink_target = e.at(6).get<std::string>();
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
    entries[path] = json::array(
        {kind_name(e.kind), e.size, e.mtime_ns, e.ctime_ns, e.inode, e.sha1, e.symlink_target});
  }
  json j = {{"recorded_at_ns", recorded_at_ns_}, {"entries", std::move(entries)}};
  write_file_atomic(file, j.dump());
}

}  // namespace dismake
