#include "dismake/media/media_tree.h"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>

#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace {

std::string folded(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// "sources\install.wim", "/sources/install.wim" -> "sources/install.wim".
std::string normal_media_path(std::string path) {
  std::replace(path.begin(), path.end(), '\\', '/');
  while (!path.empty() && path.front() == '/') path.erase(path.begin());
  while (!path.empty() && path.back() == '/') path.pop_back();
  return path;
}

struct stat lstat_or_throw(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) throw_errno("read", path.string(), errno);
  return st;
}

void walk(const fs::path& root, const std::string& prefix, MediaTree& tree) {
  std::vector<fs::path> children;
  for (const auto& entry : fs::directory_iterator(prefix.empty() ? root : root / prefix))
    children.push_back(entry.path());
  std::sort(children.begin(), children.end());
  for (const fs::path& child : children) {
    std::string relative = (prefix.empty() ? "" : prefix + "/") + child.filename().string();
    struct stat st = lstat_or_throw(child);
    if (S_ISLNK(st.st_mode)) {
      // A link is followed: a media folder may be assembled from links.
      if (::stat(child.c_str(), &st) != 0) throw_errno("follow the link", child.string(), errno);
    }
    if (S_ISDIR(st.st_mode)) {
      tree.dirs.push_back(relative);
      walk(root, relative, tree);
      continue;
    }
    refuse_special_file(child, "the media file");
    if (!S_ISREG(st.st_mode)) continue;
    MediaFile file;
    file.path = relative;
    file.source = child;
    file.size = static_cast<std::uint64_t>(st.st_size);
    file.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    tree.newest_media_mtime = std::max<std::int64_t>(tree.newest_media_mtime, st.st_mtim.tv_sec);
    tree.files.push_back(file);
  }
}

}  // namespace

const MediaFile* MediaTree::find(const std::string& path) const {
  std::string wanted = folded(normal_media_path(path));
  for (const MediaFile& file : files)
    if (folded(file.path) == wanted) return &file;
  return nullptr;
}

void check_replacement_paths(const MediaTree& tree,
                             const std::vector<MediaReplacement>& replacements) {
  for (const MediaReplacement& replacement : replacements)
    if (tree.find(replacement.path) == nullptr)
      throw Error(
          hr::kPathNotFound,
          "REPLACE " + replacement.path + ": the media " + tree.root.string() + " has no such file",
          "name a file the media has (e.g. sources/install.wim): REPLACE replaces, it "
          "does not add");
}

MediaTree list_media_tree(const fs::path& root, const std::vector<MediaReplacement>& replacements) {
  std::error_code ec;
  if (!fs::is_directory(root, ec))
    throw Error(
        hr::kPathNotFound, "the media folder " + root.string() + " does not exist or is no folder",
        "give the folder an ISO was extracted to (dismake extract-media), or the ISO's files");
  MediaTree tree;
  tree.root = root;
  walk(root, "", tree);
  check_replacement_paths(tree, replacements);
  for (const MediaReplacement& replacement : replacements) {
    const MediaFile* found = tree.find(replacement.path);
    struct stat st {};
    if (::stat(replacement.file.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      throw Error(
          hr::kFileNotFound,
          "REPLACE " + replacement.path + " " + replacement.file.string() + ": no such file",
          "give the built file (e.g. the OUTPUT of dismake_unmount_image)");
    MediaFile& file = tree.files[static_cast<std::size_t>(found - tree.files.data())];
    file.source = replacement.file;
    file.size = static_cast<std::uint64_t>(st.st_size);
    file.mtime_ns = st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
    file.replaced = true;
  }
  return tree;
}

}  // namespace dismake
