// A registry value as dismake stores it in an offline hive: a type number and
// the exact bytes the registry keeps. Users write values as text (a CMake
// argument, a command-line option); this component turns that text into the
// bytes regedit or RegSetValueEx would store, so a serviced image reads the
// same on Windows as one changed there.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dismake {

// The REG_* numbers of winnt.h. Other numbers (REG_LINK, REG_RESOURCE_LIST,
// ...) are valid values of this type too: a .reg file's hex(N) can name any.
enum class RegistryType : std::uint32_t {
  kNone = 0,
  kSz = 1,
  kExpandSz = 2,
  kBinary = 3,
  kDword = 4,
  kMultiSz = 7,
  kQword = 11,
};

// "REG_DWORD" for the named types, "REG_TYPE_<n>" (decimal) for others.
std::string registry_type_name(RegistryType type);

class RegistryValue {
 public:
  // REG_NONE with no data.
  RegistryValue() = default;
  // Any type with the stored bytes as they are (a .reg file's hex(N):).
  RegistryValue(RegistryType type, std::string bytes);

  // Parses a value as a CMake or CLI user writes it. `type_name` is REG_SZ,
  // REG_EXPAND_SZ, REG_DWORD, REG_QWORD, REG_MULTI_SZ, REG_BINARY or REG_NONE,
  // in any case, the "REG_" optional. `text` is:
  //  - REG_SZ, REG_EXPAND_SZ: the string (UTF-8), stored as is;
  //  - REG_DWORD, REG_QWORD: decimal or 0x-hex, unsigned, range-checked;
  //  - REG_MULTI_SZ: the items separated by ';' (an item cannot contain ';'
  //    in this form: use multi_string() for that), "" for no items;
  //  - REG_BINARY, REG_NONE: hex bytes, "01,02,ff" or "0102ff", "" for none.
  // Throws Error(E_INVALIDARG) naming the type or data and what is accepted.
  static RegistryValue parse(std::string_view type_name, std::string_view text);

  // REG_SZ or REG_EXPAND_SZ from UTF-8 text; throws Error(E_INVALIDARG) on
  // bad UTF-8.
  static RegistryValue string(std::string_view utf8, RegistryType type = RegistryType::kSz);
  static RegistryValue dword(std::uint32_t number);
  static RegistryValue qword(std::uint64_t number);
  // REG_MULTI_SZ from its items; throws Error(E_INVALIDARG) for an empty item
  // (the registry format cannot hold one) or bad UTF-8.
  static RegistryValue multi_string(const std::vector<std::string>& items);

  RegistryType type() const { return type_; }
  // The stored bytes: strings UTF-16LE with a terminating NUL, REG_MULTI_SZ
  // ending in an extra NUL, integers little-endian.
  const std::string& bytes() const { return bytes_; }

  bool operator==(const RegistryValue& other) const {
    return type_ == other.type_ && bytes_ == other.bytes_;
  }
  bool operator!=(const RegistryValue& other) const { return !(*this == other); }

 private:
  RegistryType type_ = RegistryType::kNone;
  std::string bytes_;
};

// Hex bytes as .reg files and users write them: "01,02,ff" (one or two digits
// per byte, spaces allowed around commas) or "0102ff"; "" is no bytes.
// nullopt when the text is not that.
std::optional<std::string> parse_hex_bytes(std::string_view text);

}  // namespace dismake
