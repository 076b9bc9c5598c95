// What differs between two registry hives, key by key and value by value,
// and that difference written as a .reg file: imported into the first hive
// (regedit, or `dismake import-registry`), it makes the second. This is the
// registry part of `dismake diff`: a hive is one opaque file to a file
// listing, and reviewers need to see which settings an image build changed.
//
// Keys and value names compare case-insensitively, as Windows does; a
// reported key or value is spelled as the second hive spells it (the first
// for a removed one).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "dismake/registry/hive.h"
#include "dismake/registry/registry_value.h"

namespace dismake {

enum class RegistryChangeKind { kAdded, kRemoved, kChanged };

// "added", "removed", "changed".
const char* registry_change_name(RegistryChangeKind kind);

struct RegistryKeyChange {
  RegistryChangeKind kind = RegistryChangeKind::kAdded;  // never kChanged
  std::string key;  // '\'-separated, relative to the hive's root key
};

struct RegistryValueChange {
  RegistryChangeKind kind = RegistryChangeKind::kAdded;
  std::string key;
  std::string name;                     // "" is the key's default value
  std::optional<RegistryValue> before;  // absent when added
  std::optional<RegistryValue> after;   // absent when removed
};

// The difference, sorted by key (parents before children), values by name.
// Every added or removed key is listed, with every value in it, so the two
// lists are the whole set difference of the hives' keys and values.
struct RegistryDiff {
  std::vector<RegistryKeyChange> keys;
  std::vector<RegistryValueChange> values;

  bool empty() const { return keys.empty() && values.empty(); }
};

// Reads both hives whole (they are only read) and compares them.
RegistryDiff diff_hives(Hive& before, Hive& after);

// The difference as .reg lines, keys under `root` ("HKEY_LOCAL_MACHINE\\SOFTWARE"):
// [-key] for a removed key (its topmost one only), [key] with "name"=data
// for what was added or changed (a changed value preceded by a "; was:"
// comment) and "name"=- for a removed value. No header line: the caller
// writes "Windows Registry Editor Version 5.00" once, above every hive.
std::string format_registry_diff(const RegistryDiff& diff, const std::string& root);

// A value's data as a .reg file writes it, after the '=': "text" for a
// printable REG_SZ, dword:0000002a, hex:.., hex(N):.. for everything else,
// wrapped as regedit wraps long hex lines. `prefix_length` is how many
// characters the line has before the data; kNoWrap keeps it on one line (for
// a comment, which cannot be continued).
constexpr size_t kNoWrap = static_cast<size_t>(-1);
std::string format_reg_data(const RegistryValue& value, size_t prefix_length = 0);

}  // namespace dismake
