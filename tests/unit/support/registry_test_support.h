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

namespace dismake::test {

namespace fs = std::filesystem;

// Copies test hive `name` to `to` (creating its directory), writable.
fs::path copy_hive(const std::string& name, const fs::path& to);

// A value as hivex reads it from the file: type number and raw bytes;
// nullopt when the key or the value is missing. `key` is '\'-separated.
std::optional<std::pair<std::uint32_t, std::string>> read_raw_value(const fs::path& hive,
                                                                    const std::string& key,
                                                                    const std::string& name);

// The offset in the file of the value's data cell (hivex's
// hivex_value_data_cell_offset); nullopt for a missing value or inline data.
std::optional<std::size_t> value_data_cell(const fs::path& hive, const std::string& key,
                                           const std::string& name);

// The key's last-written time as hivex reads it (a Windows FILETIME); -1
// when the key is missing.
std::int64_t key_filetime(const fs::path& hive, const std::string& key);

// The names of the subkeys of `key`, as stored.
std::vector<std::string> subkey_names(const fs::path& hive, const std::string& key);

}  // namespace dismake::test
