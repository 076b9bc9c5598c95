#include "dismake/wim/image_info.h"

#include <cstdlib>

namespace dismake {

namespace {
std::uint64_t number(const std::string& text) {
  return text.empty() ? 0 : std::strtoull(text.c_str(), nullptr, 10);
}

std::string architecture_name(const std::string& raw) {
  if (raw == "0") return "x86";
  if (raw == "5") return "arm";
  if (raw == "6") return "ia64";
  if (raw == "9") return "x64";
  if (raw == "12") return "arm64";
  return raw;
}

std::optional<WindowsInfo> read_windows(const WimFile& wim, int image) {
  auto get = [&](const std::string& name) { return wim.property(image, "WINDOWS/" + name); };
  if (get("ARCH").empty() && get("EDITIONID").empty() && get("VERSION/MAJOR").empty())
    return std::nullopt;
  WindowsInfo w;
  w.architecture = architecture_name(get("ARCH"));
  w.edition = get("EDITIONID");
  w.installation_type = get("INSTALLATIONTYPE");
  w.product_type = get("PRODUCTTYPE");
  w.product_name = get("PRODUCTNAME");
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
  info.windows = read_windows(wim, image);
  return info;
}

}  // namespace dismake
