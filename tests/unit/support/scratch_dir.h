// Test support: a fresh temporary directory per test, removed afterwards,
// where the fixtures and test data are, and small helpers to build trees and
// capture them into real WIM files with wimlib-imagex (so tests never need
// wimlib.h).
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

// $DISMAKE_FIXTURES/<name> (base.wim, single.wim, tree/).
std::filesystem::path fixture(const std::string& name);
// $DISMAKE_TESTDATA/<name> (minimal.hive, ...).
std::filesystem::path testdata(const std::string& name);

void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

// Runs a shell command; returns its exit status.
int run(const std::string& command);
// Runs a shell command and returns its stdout; fails the test unless it
// exits with status 0.
std::string run_output(const std::string& command);
// `text` single-quoted for the shell (its own single quotes escaped).
std::string quote(const std::filesystem::path& text);

// Captures `tree` as image `name` into `wim` (LZX), appending when it exists.
void capture(const std::filesystem::path& tree, const std::filesystem::path& wim,
             const std::string& name);

// A small Windows-like tree: Windows/System32/config/SOFTWARE (a real hive),
// a hosts file, nested dirs, an empty file.
void make_windows_tree(const std::filesystem::path& root);

}  // namespace dismake::test
