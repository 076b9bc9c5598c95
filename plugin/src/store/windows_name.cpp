#include "dismake/store/windows_name.h"

#include <cstdio>
#include <map>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/utf8.h"

namespace dismake {

namespace {

// What `name` breaks, or "" when Windows can store it.
std::string broken_rule(const std::string& name, HResult& code) {
  code = hr::kInvalidName;
  size_t units = 0;
  for (size_t i = 0; i < name.size();) {
    std::optional<char32_t> decoded = decode_utf8_strictly(name, i);
    if (!decoded) {
      code = hr::kNoUnicodeTranslation;
      return "is not valid UTF-8 (Windows names are Unicode)";
    }
    char32_t c = *decoded;
    units += c > 0xFFFF ? 2 : 1;
    if (c < 0x20) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned>(c));
      return std::string("contains the control character ") + hex +
             ", which Windows does not allow in names";
    }
    if (c == '\\') return "contains '\\', which Windows reads as a directory separator";
    if (c == ':') return "contains ':', which Windows reads as an alternate data stream";
    if (std::string("<>\"|?*").find(static_cast<char>(c)) != std::string::npos && c < 0x80)
      return std::string("contains '") + static_cast<char>(c) +
             "', which Windows does not allow in names (< > : \" / \\ | ? *)";
  }
  if (units > 255) {
    code = hr::kFilenameTooLong;
    return "is longer than 255 UTF-16 characters, the NTFS limit";
  }
  if (name.back() == '.' || name.back() == ' ')
    return std::string("ends with a ") + (name.back() == '.' ? "dot" : "space") +
           ", which Windows strips from names";
  // CON, PRN, AUX, NUL, COM1-9, LPT1-9 name devices, with any extension.
  std::string stem = name.substr(0, name.find('.'));
  while (!stem.empty() && stem.back() == ' ') stem.pop_back();
  std::string upper;
  for (char c : stem) upper += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  bool device =
      upper == "CON" || upper == "PRN" || upper == "AUX" || upper == "NUL" ||
      (upper.size() == 4 && (upper.compare(0, 3, "COM") == 0 || upper.compare(0, 3, "LPT") == 0) &&
       upper[3] >= '1' && upper[3] <= '9');
  if (device)
    return "is the reserved device name " + upper +
           " (CON, PRN, AUX, NUL, COM1-9 and LPT1-9 are devices on Windows, with any extension)";
  return "";
}

// `text` with control characters (and, with `escape_high`, every byte past
// ASCII: text that is not UTF-8) shown as \xNN, so no message holds raw bytes.
std::string printable(const std::string& text, bool escape_high) {
  std::string shown;
  for (unsigned char c : text) {
    if (c < 0x20 || (escape_high && c >= 0x80)) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      shown += hex;
    } else {
      shown += static_cast<char>(c);
    }
  }
  return shown;
}

}  // namespace

void check_windows_name(const std::string& name, const std::string& where) {
  if (name.empty()) return;
  HResult code = hr::kInvalidName;
  std::string rule = broken_rule(name, code);
  if (rule.empty()) return;
  bool escape_high = code == hr::kNoUnicodeTranslation;
  throw Error(code,
              "the name '" + printable(name, escape_high) + "' (in '" +
                  printable(where, escape_high) + "') " + rule,
              "rename it to a name Windows can store; nothing was changed");
}

void check_windows_path(const std::string& image_path, const std::string& where) {
  size_t start = 0;
  while (start <= image_path.size()) {
    size_t end = image_path.find('/', start);
    if (end == std::string::npos) end = image_path.size();
    check_windows_name(image_path.substr(start, end - start), where);
    start = end + 1;
  }
}

void check_no_case_collision(const std::vector<NamedEntry>& entries, const std::string& where) {
  std::map<std::string, const NamedEntry*> seen;
  for (const NamedEntry& entry : entries) {
    auto [it, inserted] = seen.emplace(fold_case(entry.name), &entry);
    if (inserted || (it->second->is_directory && entry.is_directory)) continue;
    throw Error(hr::kAlreadyExists,
                "'" + it->second->name + "' and '" + entry.name + "' in '" + where +
                    "' differ only in case: in a Windows image they are one name",
                "rename or remove one of them");
  }
}

}  // namespace dismake
