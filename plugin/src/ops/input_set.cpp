#include "dismake/ops/input_set.h"

#include <algorithm>

#include "dismake/base/depfile.h"
#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace fs = std::filesystem;

void InputSet::add_file(const fs::path& file) {
  std::error_code ec;
  if (fs::exists(file, ec)) refuse_special_file(fs::canonical(file), "the input");
  if (!fs::is_regular_file(file, ec))
    throw Error(hr::kFileNotFound, "the input file '" + file.string() + "' does not exist",
                "check the path (relative paths are from the current directory)");
  std::string digest = sha256_file_hex(file);
  parts_.push_back("file:" + absolute_path(file).string() + ":" + digest);
  dependencies_.push_back(absolute_path(file));
  entries_.push_back({absolute_path(file).string(), file.filename().string(), "sha256:" + digest});
}

void InputSet::add_tree(const fs::path& dir) {
  fs::path root = absolute_path(dir);
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    entries.push_back(it->path());
  if (ec) throw_errno("read directory", root.string(), ec.value());
  std::sort(entries.begin(), entries.end());
  parts_.push_back("tree:" + root.string());
  dependencies_.push_back(root);
  std::string tree = root.filename().string();
  for (const fs::path& entry : entries) {
    std::string rel = fs::relative(entry, root).string();
    fs::file_status status = fs::symlink_status(entry);
    std::string content;
    if (fs::is_symlink(status)) {
      content = "link:" + fs::read_symlink(entry).string();
      parts_.push_back("link:" + rel + ":" + fs::read_symlink(entry).string());
    } else if (fs::is_directory(status)) {
      content = "dir";
      parts_.push_back("dir:" + rel);
      dependencies_.push_back(entry);
    } else {
      refuse_special_file(entry, "the input");
      std::string digest = sha256_file_hex(entry);
      content = "sha256:" + digest;
      parts_.push_back("file:" + rel + ":" + digest);
      dependencies_.push_back(entry);
    }
    entries_.push_back({entry.string(), tree + "/" + rel, content});
  }
}

void InputSet::add(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    add_tree(path);
  } else {
    add_file(path);
  }
}

std::string InputSet::digest() const {
  Sha256 digest;
  for (const std::string& part : parts_) digest.add(part);
  return digest.hex();
}

void InputSet::write_depfile(const fs::path& depfile, const fs::path& target) const {
  dismake::write_depfile(depfile, absolute_path(target), dependencies_);
}

}  // namespace dismake
