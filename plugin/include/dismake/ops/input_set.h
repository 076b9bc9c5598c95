// InputSet: the files and directories a step reads. Their content digest goes
// into the step's key, and their paths into the depfile Ninja reads, so that
// adding or deleting a file in an overlay directory re-runs the step without
// re-running CMake.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dismake {

// One input as `dismake explain` shows it: its absolute path, the short name
// it is shown by (a file's name, or <tree>/<relative path> inside a tree),
// and what its content is ("sha256:...", "dir", "link:<target>").
struct InputEntry {
  std::string path;
  std::string shown;
  std::string digest;
};

class InputSet {
 public:
  // A file read whole; throws ERROR_FILE_NOT_FOUND naming it when missing.
  void add_file(const std::filesystem::path& file);
  // A directory read recursively (names, file contents, symlink targets).
  void add_tree(const std::filesystem::path& dir);
  // A file or directory, whichever `path` is.
  void add(const std::filesystem::path& path);

  // SHA-256 over every input in order.
  std::string digest() const;
  // Every file and directory read, for the depfile.
  const std::vector<std::filesystem::path>& dependencies() const { return dependencies_; }
  // Every input read, file by file, in order.
  const std::vector<InputEntry>& entries() const { return entries_; }
  // Writes a Makefile-syntax depfile "<target>: <dependencies...>".
  void write_depfile(const std::filesystem::path& depfile,
                     const std::filesystem::path& target) const;

 private:
  std::vector<std::string> parts_;
  std::vector<std::filesystem::path> dependencies_;
  std::vector<InputEntry> entries_;
};

}  // namespace dismake
