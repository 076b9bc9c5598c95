// Helpers for the registry tests: scratch copies of the real test hives, and
// an independent reader (hivex's own C API and tools) to check what our Hive
// wrote.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dismake::testing {

namespace fs = std::filesystem;

// A fresh directory, removed with everything in it at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// `name` in $DISMAKE_TESTDATA, else in the source tree's tests/fixtures/data.
fs::path testdata(const std::string& name);

// Copies test hive `name` to `to` (creating its directory), writable.
fs::path copy_hive(const std::string& name, const fs::path& to);

std::string file_bytes(const fs::path& path);

// A value as hivex reads it from the file: type number and raw bytes;
// nullopt when the key or the value is missing. `key` is '\'-separated.
std::optional<std::pair<std::uint32_t, std::string>> read_raw_value(const fs::path& hive,
                                                                    const std::string& key,
                                                                    const std::string& name);

// The names of the subkeys of `key`, as stored.
std::vector<std::string> subkey_names(const fs::path& hive, const std::string& key);

// Standard output of a shell command; fails the test on a non-zero exit.
std::string run_command(const std::string& command);

// `text` with single quotes escaped, quoted for the shell.
std::string shell_quote(const std::string& text);

}  // namespace dismake::testing
