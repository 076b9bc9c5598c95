#include "dismake/registry/registry_value.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "dismake/base/error.h"
#include "dismake/base/text.h"
#include "dismake/base/utf8.h"

namespace dismake {

namespace {

const char kTypeHint[] =
    "use one of REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_QWORD, REG_MULTI_SZ, REG_BINARY, REG_NONE";
const char kBytesHint[] =
    "write bytes as two hex digits each, comma-separated or not: \"01,02,ff\" or \"0102ff\"";

struct NamedType {
  const char* name;
  RegistryType type;
};

constexpr NamedType kNamedTypes[] = {
    {"REG_NONE", RegistryType::kNone},          {"REG_SZ", RegistryType::kSz},
    {"REG_EXPAND_SZ", RegistryType::kExpandSz}, {"REG_BINARY", RegistryType::kBinary},
    {"REG_DWORD", RegistryType::kDword},        {"REG_MULTI_SZ", RegistryType::kMultiSz},
    {"REG_QWORD", RegistryType::kQword},
};

std::string upper(std::string_view text) {
  std::string result(text);
  for (char& c : result) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return result;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

RegistryType parse_type(std::string_view type_name) {
  std::string wanted = upper(trim(type_name));
  if (wanted.rfind("REG_", 0) != 0) wanted = "REG_" + wanted;
  for (const NamedType& named : kNamedTypes) {
    if (wanted == named.name) return named.type;
  }
  throw Error(hr::kInvalidArg, "unknown registry value type '" + std::string(type_name) + "'",
              kTypeHint);
}

// Decimal or 0x-hex; nullopt on anything else or on overflow past `max`.
std::optional<std::uint64_t> parse_unsigned(std::string_view text, std::uint64_t max) {
  int base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  }
  if (text.empty()) return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    int digit = hex_digit(c);
    if (digit < 0 || digit >= base) return std::nullopt;
    if (value > (max - static_cast<std::uint64_t>(digit)) / static_cast<std::uint64_t>(base))
      return std::nullopt;
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(digit);
  }
  return value;
}

// Digits of an unsigned decimal or 0x-hex number, whatever its size.
bool is_unsigned_syntax(std::string_view text) {
  bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  if (hex) text.remove_prefix(2);
  if (text.empty()) return false;
  return std::all_of(text.begin(), text.end(), [hex](char c) {
    return hex ? std::isxdigit(static_cast<unsigned char>(c)) != 0
               : std::isdigit(static_cast<unsigned char>(c)) != 0;
  });
}

std::uint64_t parse_integer_data(RegistryType type, std::string_view text, std::uint64_t max) {
  std::string_view number = trim(text);
  if (auto value = parse_unsigned(number, max)) return *value;
  std::string type_name = registry_type_name(type);
  bool is_number = is_unsigned_syntax(number);
  std::string range = "0 to " + std::to_string(max);
  throw Error(hr::kInvalidArg,
              type_name + " data '" + std::string(text) + "' " +
                  (is_number ? "is out of range" : "is not a number"),
              "give an unsigned number from " + range + ", decimal or 0x-hex");
}

std::vector<std::string> split_items(std::string_view text) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  size_t start = 0;
  for (;;) {
    size_t end = text.find(';', start);
    items.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return items;
}

std::string utf16_or_throw(RegistryType type, std::string_view utf8) {
  auto utf16 = utf8_to_utf16le(utf8);
  if (!utf16) {
    throw Error(hr::kInvalidArg, registry_type_name(type) + " data is not valid UTF-8 text",
                "give the string in UTF-8");
  }
  return *utf16;
}

std::string little_endian(std::uint64_t number, size_t size) {
  std::string bytes(size, '\0');
  for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<char>((number >> (8 * i)) & 0xff);
  return bytes;
}

}  // namespace

std::string registry_type_name(RegistryType type) {
  for (const NamedType& named : kNamedTypes) {
    if (named.type == type) return named.name;
  }
  return "REG_TYPE_" + std::to_string(static_cast<std::uint32_t>(type));
}

RegistryValue::RegistryValue(RegistryType type, std::string bytes)
    : type_(type), bytes_(std::move(bytes)) {}

RegistryValue RegistryValue::parse(std::string_view type_name, std::string_view text) {
  RegistryType type = parse_type(type_name);
  switch (type) {
    case RegistryType::kSz:
    case RegistryType::kExpandSz:
      return string(text, type);
    case RegistryType::kDword:
      return dword(static_cast<std::uint32_t>(
          parse_integer_data(type, text, std::numeric_limits<std::uint32_t>::max())));
    case RegistryType::kQword:
      return qword(parse_integer_data(type, text, std::numeric_limits<std::uint64_t>::max()));
    case RegistryType::kMultiSz:
      return multi_string(split_items(text));
    default:
      break;
  }
  auto bytes = parse_hex_bytes(text);
  if (!bytes) {
    throw Error(hr::kInvalidArg,
                registry_type_name(type) + " data '" + std::string(text) + "' is not hex bytes",
                kBytesHint);
  }
  return RegistryValue(type, std::move(*bytes));
}

RegistryValue RegistryValue::string(std::string_view utf8, RegistryType type) {
  std::string bytes = utf16_or_throw(type, utf8);
  bytes.append(2, '\0');
  return RegistryValue(type, std::move(bytes));
}

RegistryValue RegistryValue::dword(std::uint32_t number) {
  return RegistryValue(RegistryType::kDword, little_endian(number, 4));
}

RegistryValue RegistryValue::qword(std::uint64_t number) {
  return RegistryValue(RegistryType::kQword, little_endian(number, 8));
}

RegistryValue RegistryValue::multi_string(const std::vector<std::string>& items) {
  std::string bytes;
  for (const std::string& item : items) {
    // An empty item would read as the list's end, silently dropping the rest.
    if (item.empty() || item.find('\0') != std::string::npos) {
      throw Error(hr::kInvalidArg, "REG_MULTI_SZ data has an empty item",
                  "a REG_MULTI_SZ cannot hold empty strings: separate items with a single ';' "
                  "and leave no empty item, also not at the end");
    }
    bytes += utf16_or_throw(RegistryType::kMultiSz, item);
    bytes.append(2, '\0');
  }
  // regedit stores an empty list as a lone terminator.
  bytes.append(2, '\0');
  return RegistryValue(RegistryType::kMultiSz, std::move(bytes));
}

std::optional<std::string> parse_hex_bytes(std::string_view text) {
  text = trim(text);
  std::string bytes;
  if (text.empty()) return bytes;
  bool separated = text.find(',') != std::string_view::npos;
  if (separated) {
    for (std::string_view rest = text;;) {
      size_t comma = rest.find(',');
      std::string_view token = trim(rest.substr(0, comma));
      if (token.empty() || token.size() > 2) return std::nullopt;
      int value = 0;
      for (char c : token) {
        if (hex_digit(c) < 0) return std::nullopt;
        value = value * 16 + hex_digit(c);
      }
      bytes.push_back(static_cast<char>(value));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    return bytes;
  }
  if (text.size() % 2 != 0) return std::nullopt;
  for (size_t i = 0; i < text.size(); i += 2) {
    int high = hex_digit(text[i]);
    int low = hex_digit(text[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

}  // namespace dismake
