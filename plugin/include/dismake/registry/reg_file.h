// .reg files, the registry's own exchange format: what regedit exports and
// what deployment engineers keep their image settings in. This component
// parses one into a list of registry operations, and applies such a list to
// the hives of an offline image (the list may also come from elsewhere, such
// as a CMake registry step).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dismake/registry/registry_path.h"
#include "dismake/registry/registry_value.h"

namespace dismake {

struct RegistryOperation {
  enum class Kind { kCreateKey, kDeleteKey, kSetValue, kDeleteValue };

  Kind kind = Kind::kCreateKey;
  RegistryPath key;
  // The value's name for kSetValue and kDeleteValue; "" is the default value.
  std::string name;
  // The data for kSetValue.
  RegistryValue value;
  // For the deletions: a missing key or value is no error (as regedit imports).
  bool if_exists = true;
  // The .reg file line it came from, for messages; 0 when not from a file.
  int line = 0;
};

// Parses a .reg file's bytes: UTF-16LE with a BOM (what regedit exports),
// UTF-8 with or without a BOM. The first line is "Windows Registry Editor
// Version 5.00" or "REGEDIT4". It understands [key] (creates it), [-key]
// (deletes it and its subkeys), "name"="string" (escapes \\ and \"), @= (the
// default value), "name"=- (deletes the value), dword:, hex: and hex(N): with
// the stored bytes (hex(2) REG_EXPAND_SZ, hex(7) REG_MULTI_SZ, hex(b)
// REG_QWORD, any other type number), lines continued with a trailing '\',
// comment lines starting with ';', and blank lines. `file_name` is for
// messages. Throws Error(ERROR_INVALID_DATA) "malformed .reg file '<file>'
// line N: ..." for anything else, an unknown hive included.
std::vector<RegistryOperation> parse_reg_file(std::string_view bytes, const std::string& file_name);

// The image-relative hive files the operations change, each once, in order
// of first use: what a lazy mount must materialize before applying them.
std::vector<std::string> registry_hive_files(const std::vector<RegistryOperation>& operations);

// Applies the operations in order to the hives of the image whose root
// directory is `image_root` (hive paths match in any case, as in Windows).
// Each hive is opened once and saved once, after every operation succeeded,
// so a failing operation leaves all hive files as they were. Returns the
// image-relative paths, as spelled in the image, of the hives it rewrote and
// of the transaction logs of dirty ones it emptied (see hive.h).
// Keys written get `change_time` (Unix seconds; Hive::set_change_time) when
// given. Throws Error(ERROR_FILE_NOT_FOUND) naming the hive file when the
// image has no such hive, and the Errors of Hive.
std::vector<std::string> apply_registry_operations(
    const std::filesystem::path& image_root, const std::vector<RegistryOperation>& operations,
    std::optional<std::int64_t> change_time = std::nullopt);

}  // namespace dismake
