// Test support: a fresh temporary directory per test, removed afterwards, and
// small helpers to build trees and capture them into real WIM files with
// wimlib-imagex (so tests never need wimlib.h).
#pragma once

#include <filesystem>
#include <string>

namespace dismake::test {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

// Runs a shell command; returns its exit status.
int run(const std::string& command);
// Runs a shell command and returns its stdout; fails the test on non-zero exit.
std::string run_output(const std::string& command);
std::string quote(const std::filesystem::path& path);

// Captures `tree` as image `name` into `wim` (LZX), appending when it exists.
void capture(const std::filesystem::path& tree, const std::filesystem::path& wim,
             const std::string& name);

// A small Windows-like tree: Windows/System32/config/SOFTWARE (a real hive),
// a hosts file, nested dirs, an empty file.
void make_windows_tree(const std::filesystem::path& root);

}  // namespace dismake::test
