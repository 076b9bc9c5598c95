#include "dismake/ops/registry_value.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "dismake/base/error.h"
#include "dismake/base/text.h"

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

void append_utf16_unit(std::string& out, std::uint32_t unit) {
  out.push_back(static_cast<char>(unit & 0xff));
  out.push_back(static_cast<char>(unit >> 8));
}

// The code point starting at utf8[i] and its length, or nullopt when invalid
// (overlong forms and surrogates included, as they are not UTF-8).
std::optional<std::pair<std::uint32_t, size_t>> decode_utf8(std::string_view utf8, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(utf8[k]); };
  unsigned char lead = byte(i);
  if (lead < 0x80) return std::make_pair(std::uint32_t{lead}, size_t{1});
  size_t length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length == 0 || lead > 0xf4 || i + length > utf8.size()) return std::nullopt;
  std::uint32_t code = lead & (0x7f >> length);
  for (size_t k = 1; k < length; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return std::nullopt;
    code = (code << 6) | (byte(i + k) & 0x3f);
  }
  static constexpr std::uint32_t kMinimum[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code < kMinimum[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff))
    return std::nullopt;
  return std::make_pair(code, length);
}

void append_utf8(std::string& out, std::uint32_t code) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else if (code < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (code >> 18)));
    out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3f)));
  }
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

std::optional<std::string> utf8_to_utf16le(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() * 2);
  for (size_t i = 0; i < utf8.size();) {
    auto decoded = decode_utf8(utf8, i);
    if (!decoded) return std::nullopt;
    std::uint32_t code = decoded->first;
    i += decoded->second;
    if (code < 0x10000) {
      append_utf16_unit(out, code);
    } else {
      code -= 0x10000;
      append_utf16_unit(out, 0xd800 | (code >> 10));
      append_utf16_unit(out, 0xdc00 | (code & 0x3ff));
    }
  }
  return out;
}

std::optional<std::string> utf16le_to_utf8(std::string_view utf16) {
  if (utf16.size() % 2 != 0) return std::nullopt;
  auto unit = [&](size_t i) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(utf16[i])) |
           static_cast<std::uint32_t>(static_cast<unsigned char>(utf16[i + 1])) << 8;
  };
  std::string out;
  for (size_t i = 0; i < utf16.size(); i += 2) {
    std::uint32_t code = unit(i);
    if (code >= 0xdc00 && code <= 0xdfff) return std::nullopt;
    if (code >= 0xd800 && code <= 0xdbff) {
      if (i + 4 > utf16.size()) return std::nullopt;
      std::uint32_t low = unit(i + 2);
      if (low < 0xdc00 || low > 0xdfff) return std::nullopt;
      code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
      i += 2;
    }
    append_utf8(out, code);
  }
  return out;
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
