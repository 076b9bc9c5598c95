#include "dismake/wim/image_info.h"

#include <cstdlib>
#include <ctime>

namespace dismake {

namespace {
std::uint64_t number(const std::string& text) {
  return text.empty() ? 0 : std::strtoull(text.c_str(), nullptr, 10);
}

constexpr std::uint64_t kTicksPerSecond = 10'000'000;
constexpr std::uint64_t kSeconds1601To1970 = 11'644'473'600;

// "0x01D5C0A9" (wimlib writes hex; decimal is read too); nothing when absent
// or not a 32-bit number.
std::optional<std::uint32_t> filetime_part(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  unsigned long long value = std::strtoull(text.c_str(), &end, 0);
  if (*end != '\0' || value > UINT32_MAX) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

std::uint64_t xml_filetime(const WimFile& wim, int image, const std::string& element) {
  auto high = filetime_part(wim.property(image, element + "/HIGHPART"));
  auto low = filetime_part(wim.property(image, element + "/LOWPART"));
  if (!high || !low) return 0;
  return (std::uint64_t{*high} << 32) | *low;
}

std::string architecture_name(const std::string& raw) {
  if (raw == "0") return "x86";
  if (raw == "5") return "arm";
  if (raw == "6") return "ia64";
  if (raw == "9") return "x64";
  if (raw == "12") return "arm64";
  return raw;
}

bool is_empty(const WindowsInfo& w) {
  return w.architecture.empty() && w.edition.empty() && w.installation_type.empty() &&
         w.product_type.empty() && w.product_name.empty() && w.product_suite.empty() &&
         w.hal.empty() && w.system_root.empty() && w.major == 0 && w.minor == 0 && w.build == 0 &&
         w.sp_build == 0 && w.sp_level == 0 && w.languages.empty() && w.default_language.empty();
}

std::optional<WindowsInfo> read_windows(const WimFile& wim, int image) {
  auto get = [&](const std::string& name) { return wim.property(image, "WINDOWS/" + name); };
  WindowsInfo w;
  w.architecture = architecture_name(get("ARCH"));
  w.edition = get("EDITIONID");
  w.installation_type = get("INSTALLATIONTYPE");
  w.product_type = get("PRODUCTTYPE");
  w.product_name = get("PRODUCTNAME");
  w.product_suite = get("PRODUCTSUITE");
  w.hal = get("HAL");
  w.system_root = get("SYSTEMROOT");
  w.major = static_cast<std::uint32_t>(number(get("VERSION/MAJOR")));
  w.minor = static_cast<std::uint32_t>(number(get("VERSION/MINOR")));
  w.build = static_cast<std::uint32_t>(number(get("VERSION/BUILD")));
  w.sp_build = static_cast<std::uint32_t>(number(get("VERSION/SPBUILD")));
  w.sp_level = static_cast<std::uint32_t>(number(get("VERSION/SPLEVEL")));
  // Repeated elements are addressed LANGUAGE, LANGUAGE[2], ... in wimlib.
  for (int i = 1;; ++i) {
    std::string language =
        get("LANGUAGES/LANGUAGE" + (i == 1 ? "" : "[" + std::to_string(i) + "]"));
    if (language.empty()) break;
    w.languages.push_back(language);
  }
  w.default_language = get("LANGUAGES/DEFAULT");
  // A WINDOWS element may hold any subset of its fields (a hand-made or
  // tool-made WIM often has no ARCH): any one of them makes it a Windows image.
  if (is_empty(w)) return std::nullopt;
  return w;
}
}  // namespace

std::string WindowsInfo::version() const {
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(build) + "." +
         std::to_string(sp_build);
}

ImageInfo read_image_info(const WimFile& wim, int image) {
  ImageInfo info;
  info.index = image;
  info.name = wim.property(image, "NAME");
  info.description = wim.property(image, "DESCRIPTION");
  info.display_name = wim.property(image, "DISPLAYNAME");
  info.display_description = wim.property(image, "DISPLAYDESCRIPTION");
  info.flags = wim.property(image, "FLAGS");
  info.dir_count = number(wim.property(image, "DIRCOUNT"));
  info.file_count = number(wim.property(image, "FILECOUNT"));
  info.total_bytes = number(wim.property(image, "TOTALBYTES"));
  info.created = xml_filetime(wim, image, "CREATIONTIME");
  info.modified = xml_filetime(wim, image, "LASTMODIFICATIONTIME");
  info.windows = read_windows(wim, image);
  return info;
}

std::string filetime_iso8601(std::uint64_t filetime) {
  if (filetime / kTicksPerSecond < kSeconds1601To1970) return "";
  std::time_t seconds = static_cast<std::time_t>(filetime / kTicksPerSecond - kSeconds1601To1970);
  std::tm utc{};
  if (!gmtime_r(&seconds, &utc)) return "";
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace dismake
