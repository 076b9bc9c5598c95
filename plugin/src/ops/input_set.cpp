#include "dismake/ops/input_set.h"

#include <algorithm>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace fs = std::filesystem;

namespace {
// Depfile paths escape spaces, '#' and '$' (Ninja's depfile parser rules).
std::string escape(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ' ' || c == '#' || c == '\\') out += '\\';
    if (c == '$') out += '$';
    out += c;
  }
  return out;
}
}  // namespace

void InputSet::add_file(const fs::path& file) {
  std::error_code ec;
  if (fs::exists(file, ec)) refuse_special_file(fs::canonical(file), "the input");
  if (!fs::is_regular_file(file, ec))
    throw Error(hr::kFileNotFound, "the input file '" + file.string() + "' does not exist",
                "check the path (relative paths are from the current directory)");
  parts_.push_back("file:" + absolute_path(file).string() + ":" + sha256_file_hex(file));
  dependencies_.push_back(absolute_path(file));
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
  for (const fs::path& entry : entries) {
    std::string rel = fs::relative(entry, root).string();
    fs::file_status status = fs::symlink_status(entry);
    if (fs::is_symlink(status)) {
      parts_.push_back("link:" + rel + ":" + fs::read_symlink(entry).string());
    } else if (fs::is_directory(status)) {
      parts_.push_back("dir:" + rel);
      dependencies_.push_back(entry);
    } else {
      refuse_special_file(entry, "the input");
      parts_.push_back("file:" + rel + ":" + sha256_file_hex(entry));
      dependencies_.push_back(entry);
    }
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
  std::string text = escape(absolute_path(target).string()) + ":";
  for (const fs::path& dep : dependencies_) text += " \\\n  " + escape(dep.string());
  write_file_atomic(depfile, text + "\n");
}

}  // namespace dismake
