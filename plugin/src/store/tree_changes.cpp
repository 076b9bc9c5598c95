#include "dismake/store/tree_changes.h"

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <set>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/store/file_identity.h"
#include "dismake/store/image_path.h"

namespace dismake {

namespace {

std::int64_t ns(const struct timespec& t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

FileKind kind_of(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return FileKind::kDirectory;
  if (S_ISLNK(st.st_mode)) return FileKind::kSymlink;
  return FileKind::kFile;
}

FileIdentity::Kind identity_kind(FileKind kind) {
  switch (kind) {
    case FileKind::kDirectory:
      return FileIdentity::Kind::kDirectory;
    case FileKind::kSymlink:
      return FileIdentity::Kind::kLink;
    case FileKind::kFile:
    case FileKind::kAbsent:
      break;
  }
  return FileIdentity::Kind::kFile;
}

enum class FileCheck { kUnchanged, kChanged, kVerified };

// kVerified: the stat matched but was recorded too soon after the file's
// last change to prove anything, so the content was hashed, and matched.
FileCheck check_file(const fs::path& path, const struct stat& st, const IndexEntry& entry) {
  if (static_cast<std::uint64_t>(st.st_size) != entry.size) return FileCheck::kChanged;
  // A FIFO or device is never opened (that can block forever): it is a
  // change, refused by name when a step records it.
  if (!S_ISREG(st.st_mode)) return FileCheck::kChanged;
  bool stat_clean = ns(st.st_mtim) == entry.mtime_ns && ns(st.st_ctim) == entry.ctime_ns &&
                    st.st_ino == entry.inode;
  bool racy = entry.ctime_ns + kRacyWindowNs >= entry.recorded_ns;
  if (stat_clean && !racy) return FileCheck::kUnchanged;
  if (entry.size != 0 && sha1_file_hex(path) != entry.sha1) return FileCheck::kChanged;
  return stat_clean ? FileCheck::kVerified : FileCheck::kUnchanged;
}

bool has_parent_in(const std::string& path, const std::set<std::string>& dirs) {
  for (size_t slash = path.rfind('/'); slash != std::string::npos;
       slash = slash == 0 ? std::string::npos : path.rfind('/', slash - 1)) {
    if (dirs.count(path.substr(0, slash)) != 0) return true;
  }
  return false;
}

class Scanner {
 public:
  Scanner(const fs::path& root, const TreeIndex& index) : root_(root), index_(index) {}

  TreeChanges run() {
    scan_directory(root_, "");
    collect_deleted();
    collect_moves();
    return std::move(changes_);
  }

 private:
  void scan_directory(const fs::path& dir, const std::string& prefix) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) throw_errno("read directory", dir.string(), ec.value());
    std::vector<std::string> names;
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) throw_errno("read directory", dir.string(), ec.value());
      names.push_back(it->path().filename().string());
    }
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) visit(dir / name, join_image_path(prefix, name));
  }

  void visit(const fs::path& path, const std::string& rel) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) throw_errno("stat", path.string(), errno);
    auto found = index_.entries().find(rel);
    if (found == index_.entries().end()) {
      changes_.added.push_back(rel);  // a new directory is added whole
      added_stat_.emplace(rel, st);
      return;
    }
    seen_.insert(rel);
    const IndexEntry& entry = found->second;
    FileKind kind = kind_of(st);
    if (kind != entry.kind) {
      changes_.retyped.push_back(rel);
      if (kind == FileKind::kDirectory) new_directories_.push_back(rel);
      mark_subtree_seen(rel);
      return;
    }
    switch (kind) {
      case FileKind::kDirectory:
        scan_directory(path, rel);
        break;
      case FileKind::kSymlink:
        if (fs::read_symlink(path).string() != entry.symlink_target)
          changes_.modified.push_back(rel);
        break;
      case FileKind::kFile:
        switch (check_file(path, st, entry)) {
          case FileCheck::kChanged:
            changes_.modified.push_back(rel);
            break;
          case FileCheck::kVerified:
            changes_.verified.push_back(rel);
            break;
          case FileCheck::kUnchanged:
            break;
        }
        break;
    }
  }

  // A directory that replaced a file (or the reverse) is re-added whole, so
  // the base's entries below it are handled by that, not listed as deleted.
  void mark_subtree_seen(const std::string& rel) {
    std::string prefix = rel + "/";
    for (auto it = index_.entries().lower_bound(prefix);
         it != index_.entries().end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
      seen_.insert(it->first);
  }

  void collect_deleted() {
    std::set<std::string> deleted_dirs;
    for (const auto& [path, entry] : index_.entries()) {
      if (seen_.count(path) != 0) continue;
      if (has_parent_in(path, deleted_dirs)) continue;
      changes_.deleted.push_back(path);
      if (entry.kind == FileKind::kDirectory) deleted_dirs.insert(path);
    }
  }

  // By the rule of file_identity.h, the inode standing for the file itself.
  // A move into a new directory (`mkdir d; mv f d/`) is below an added
  // (or retyped) path, so those directories are searched too, when
  // anything went.
  void collect_moves() {
    if (changes_.deleted.empty()) return;
    std::vector<std::pair<std::string, struct stat>> candidates(added_stat_.begin(),
                                                                added_stat_.end());
    for (const auto& [path, st] : added_stat_)
      if (S_ISDIR(st.st_mode)) new_directories_.push_back(path);
    for (const std::string& dir : new_directories_) add_contents(root_ / dir, dir, candidates);
    // First match in path order, as the scan lists them.
    std::sort(candidates.begin(), candidates.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::map<ino_t, std::vector<const std::pair<std::string, struct stat>*>> by_inode;
    for (const auto& candidate : candidates)
      by_inode[candidate.second.st_ino].push_back(&candidate);
    for (const std::string& from : changes_.deleted) {
      const IndexEntry& was = index_.entries().at(from);
      FileIdentity gone{identity_kind(was.kind), was.inode, was.mtime_ns, was.size};
      auto same_inode = by_inode.find(static_cast<ino_t>(was.inode));
      if (same_inode == by_inode.end()) continue;
      for (const auto* candidate : same_inode->second) {
        const auto& [to, st] = *candidate;
        FileIdentity added{identity_kind(kind_of(st)), st.st_ino, ns(st.st_mtim),
                           static_cast<std::uint64_t>(st.st_size)};
        if (!is_same_file_moved(gone, added)) continue;
        changes_.moves.emplace_back(from, to);
        break;
      }
    }
  }

  // What a new directory holds, at any depth (links are not followed).
  void add_contents(const fs::path& dir, const std::string& prefix,
                    std::vector<std::pair<std::string, struct stat>>& out) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) throw_errno("read directory", dir.string(), ec.value());
    for (; it != fs::directory_iterator(); it.increment(ec)) {
      if (ec) throw_errno("read directory", dir.string(), ec.value());
      std::string rel = join_image_path(prefix, it->path().filename().string());
      struct stat st {};
      if (::lstat(it->path().c_str(), &st) != 0) throw_errno("stat", it->path().string(), errno);
      out.emplace_back(rel, st);
      if (S_ISDIR(st.st_mode)) add_contents(it->path(), rel, out);
    }
  }

  const fs::path& root_;
  const TreeIndex& index_;
  std::map<std::string, struct stat> added_stat_;
  // Added directories and those that replaced a file: moves may go below.
  std::vector<std::string> new_directories_;
  std::set<std::string> seen_;
  TreeChanges changes_;
};

}  // namespace

std::vector<std::string> TreeChanges::paths() const {
  std::vector<std::string> out;
  for (const auto* list : {&added, &modified, &deleted, &retyped})
    out.insert(out.end(), list->begin(), list->end());
  return out;
}

TreeChanges find_changes(const fs::path& root, const TreeIndex& index) {
  return Scanner(root, index).run();
}

}  // namespace dismake
