#include "dismake/diff/security_descriptor.h"

#include <cstdint>
#include <cstdio>
#include <optional>

namespace dismake {

namespace {

// Reads little-endian fields of the descriptor, failing softly: a bad offset
// makes the whole descriptor "not valid", never a crash.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::optional<std::uint32_t> u(size_t offset, size_t size) const {
    if (offset > bytes_.size() || size > bytes_.size() - offset) return std::nullopt;
    std::uint32_t value = 0;
    for (size_t i = size; i-- > 0;)
      value = value << 8 | static_cast<unsigned char>(bytes_[offset + i]);
    return value;
  }
  size_t size() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
};

struct Alias {
  const char* sid;
  const char* name;
};

constexpr Alias kSidAliases[] = {
    {"S-1-1-0", "WD"},      {"S-1-3-0", "CO"},      {"S-1-3-1", "CG"},      {"S-1-5-11", "AU"},
    {"S-1-5-18", "SY"},     {"S-1-5-19", "LS"},     {"S-1-5-20", "NS"},     {"S-1-5-32-544", "BA"},
    {"S-1-5-32-545", "BU"}, {"S-1-5-32-546", "BG"}, {"S-1-5-32-547", "PU"}, {"S-1-5-4", "IU"},
    {"S-1-5-6", "SU"},      {"S-1-5-2", "NU"},      {"S-1-15-2-1", "AC"},   {"S-1-5-12", "RC"},
    {"S-1-5-32-555", "RD"}, {"S-1-16-4096", "LW"},  {"S-1-16-8192", "ME"},  {"S-1-16-12288", "HI"},
    {"S-1-16-16384", "SI"},
};

std::optional<std::string> sid_at(const Reader& r, size_t offset) {
  auto revision = r.u(offset, 1);
  auto count = r.u(offset + 1, 1);
  if (!revision || !count) return std::nullopt;
  std::uint64_t authority = 0;
  for (size_t i = 0; i < 6; ++i) {  // big-endian, unlike everything else
    auto byte = r.u(offset + 2 + i, 1);
    if (!byte) return std::nullopt;
    authority = authority << 8 | *byte;
  }
  std::string sid = "S-" + std::to_string(*revision) + "-" + std::to_string(authority);
  for (std::uint32_t i = 0; i < *count; ++i) {
    auto sub = r.u(offset + 8 + 4 * i, 4);
    if (!sub) return std::nullopt;
    sid += "-" + std::to_string(*sub);
  }
  for (const Alias& alias : kSidAliases)
    if (sid == alias.sid) return std::string(alias.name);
  return sid;
}

std::string mask_text(std::uint32_t mask) {
  static const std::pair<std::uint32_t, const char*> kMasks[] = {
      {0x1F01FF, "FA"},   {0x120089, "FR"},   {0x120116, "FW"},   {0x1200A0, "FX"},
      {0x10000000, "GA"}, {0x80000000, "GR"}, {0x40000000, "GW"}, {0x20000000, "GX"},
  };
  for (const auto& [value, name] : kMasks)
    if (mask == value) return name;
  char text[16];
  std::snprintf(text, sizeof text, "0x%x", mask);
  return text;
}

std::string ace_flags_text(std::uint32_t flags) {
  static const std::pair<std::uint32_t, const char*> kFlags[] = {
      {0x01, "OI"}, {0x02, "CI"}, {0x04, "NP"}, {0x08, "IO"},
      {0x10, "ID"}, {0x40, "SA"}, {0x80, "FA"},
  };
  std::string text;
  for (const auto& [bit, name] : kFlags)
    if (flags & bit) text += name;
  return text;
}

std::optional<std::string> ace_at(const Reader& r, size_t offset, std::uint32_t* size) {
  auto type = r.u(offset, 1);
  auto flags = r.u(offset + 1, 1);
  auto ace_size = r.u(offset + 2, 2);
  auto mask = r.u(offset + 4, 4);
  if (!type || !flags || !ace_size || !mask || *ace_size < 8) return std::nullopt;
  *size = *ace_size;
  static const char* const kTypes[] = {"A", "D", "AU", "AL"};
  if (*type > 3) {  // object and callback ACEs: only their type, rare on files
    char text[32];
    std::snprintf(text, sizeof text, "(0x%x;%s;;;;)", *type, ace_flags_text(*flags).c_str());
    return std::string(text);
  }
  std::string type_text = kTypes[*type];
  auto sid = sid_at(r, offset + 8);
  if (!sid) return std::nullopt;
  return "(" + type_text + ";" + ace_flags_text(*flags) + ";" + mask_text(*mask) + ";;;" + *sid +
         ")";
}

std::optional<std::string> acl_at(const Reader& r, size_t offset) {
  auto count = r.u(offset + 4, 2);
  if (!count) return std::nullopt;
  std::string text;
  size_t at = offset + 8;
  for (std::uint32_t i = 0; i < *count; ++i) {
    std::uint32_t size = 0;
    auto ace = ace_at(r, at, &size);
    if (!ace) return std::nullopt;
    text += *ace;
    at += size;
  }
  return text;
}

// P (protected), AI (auto-inherited), AR (inheritance required) for the
// DACL (`shift` 0) or the SACL (`shift` 1).
std::string acl_control_text(std::uint32_t control, int shift) {
  std::string text;
  if (control & (0x1000u << shift)) text += "P";
  if (control & (0x0400u << shift)) text += "AI";
  if (control & (0x0100u << shift)) text += "AR";
  return text;
}

}  // namespace

std::string security_descriptor_to_sddl(std::string_view bytes) {
  if (bytes.empty()) return "none";
  Reader r(bytes);
  std::string invalid =
      "(not a valid security descriptor, " + std::to_string(bytes.size()) + " bytes)";
  auto revision = r.u(0, 1);
  auto control = r.u(2, 2);
  auto owner = r.u(4, 4);
  auto group = r.u(8, 4);
  auto sacl = r.u(12, 4);
  auto dacl = r.u(16, 4);
  if (!revision || *revision != 1 || !control || !owner || !group || !sacl || !dacl) return invalid;
  std::string text;
  if (*owner != 0) {
    auto sid = sid_at(r, *owner);
    if (!sid) return invalid;
    text += "O:" + *sid;
  }
  if (*group != 0) {
    auto sid = sid_at(r, *group);
    if (!sid) return invalid;
    text += "G:" + *sid;
  }
  const std::uint32_t kDaclPresent = 0x4, kSaclPresent = 0x10;
  if (*control & kDaclPresent) {
    text += "D:" + acl_control_text(*control, 0);
    if (*dacl != 0) {
      auto aces = acl_at(r, *dacl);
      if (!aces) return invalid;
      text += *aces;
    } else {
      text += "NO_ACCESS_CONTROL";
    }
  }
  if ((*control & kSaclPresent) && *sacl != 0) {
    auto aces = acl_at(r, *sacl);
    if (!aces) return invalid;
    text += "S:" + acl_control_text(*control, 1) + *aces;
  }
  return text;
}

}  // namespace dismake
