// `dismake info`: DismGetImageInfo / `dism /Get-ImageInfo`.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dismake/wim/image_info.h"
#include "dismake/wim/wim_file.h"

namespace dismake::cli {

namespace {
using nlohmann::json;

struct InfoArgs {
  std::string wim;
  int index = kNoIndex;
  bool as_json = false;
};

// The fields of DismImageInfo, under the names `dism /Get-ImageInfo` uses.
json windows_json(const WindowsInfo& w) {
  return {{"architecture", w.architecture},
          {"edition", w.edition},
          {"installation_type", w.installation_type},
          {"product_type", w.product_type},
          {"product_suite", w.product_suite},
          {"product_name", w.product_name},
          {"hal", w.hal},
          {"system_root", w.system_root},
          {"version", w.version()},
          {"service_pack_build", w.sp_build},
          {"service_pack_level", w.sp_level},
          {"languages", w.languages},
          {"default_language", w.default_language}};
}

json image_json(const ImageInfo& info, bool bootable) {
  json j = {{"index", info.index},
            {"name", info.name},
            {"description", info.description},
            {"display_name", info.display_name},
            {"display_description", info.display_description},
            {"flags", info.flags},
            {"bootable", bootable},
            {"dir_count", info.dir_count},
            {"file_count", info.file_count},
            {"total_bytes", info.total_bytes},
            {"created", filetime_iso8601(info.created)},
            {"modified", filetime_iso8601(info.modified)}};
  if (info.windows) j["windows"] = windows_json(*info.windows);
  return j;
}

void print_field(const char* label, const std::string& value) {
  if (!value.empty()) std::printf("%s : %s\n", label, value.c_str());
}

// In `dism /Get-ImageInfo`'s order and labels (dates in ISO 8601, UTC).
void print_windows(const WindowsInfo& w) {
  print_field("Architecture", w.architecture);
  std::printf("Hal : %s\n", w.hal.empty() ? "<undefined>" : w.hal.c_str());
  std::printf("Version : %s\n", w.version().c_str());
  std::printf("ServicePack Build : %u\nServicePack Level : %u\n", w.sp_build, w.sp_level);
  print_field("Edition", w.edition);
  print_field("Installation", w.installation_type);
  print_field("ProductType", w.product_type);
  print_field("ProductSuite", w.product_suite);
  print_field("ProductName", w.product_name);
  print_field("System Root", w.system_root);
}

void print_languages(const WindowsInfo& w) {
  std::string languages;
  for (const std::string& language : w.languages)
    languages += "\n        " + language + (language == w.default_language ? " (Default)" : "");
  print_field("Languages", languages);
}

void print_image(const ImageInfo& info, bool bootable) {
  std::printf("\nIndex : %d\n", info.index);
  print_field("Name", info.name);
  print_field("Description", info.description);
  print_field("Display name", info.display_name);
  print_field("Edition flags", info.flags);
  std::printf("Size : %llu bytes\nWIM Bootable : %s\n",
              static_cast<unsigned long long>(info.total_bytes), bootable ? "Yes" : "No");
  if (info.windows) print_windows(*info.windows);
  std::printf("Directories : %llu\nFiles : %llu\n", static_cast<unsigned long long>(info.dir_count),
              static_cast<unsigned long long>(info.file_count));
  print_field("Created", filetime_iso8601(info.created));
  print_field("Modified", filetime_iso8601(info.modified));
  if (info.windows) print_languages(*info.windows);
}

bool is_boot_image(const WimInfo& wim, const ImageInfo& image) {
  return wim.boot_index == static_cast<std::uint32_t>(image.index);
}

void run_info(const InfoArgs& args) {
  WimFile wim = WimFile::open(args.wim);
  WimInfo wim_info = wim.info();
  std::vector<ImageInfo> images;
  if (args.index != kNoIndex) {
    images.push_back(read_image_info(wim, wim.image_by_index(args.index)));
  } else {
    for (int image = 1; image <= static_cast<int>(wim_info.image_count); ++image)
      images.push_back(read_image_info(wim, image));
  }
  if (args.as_json) {
    json j = {{"path", wim.path().string()},
              {"guid", wim_info.guid},
              {"image_count", wim_info.image_count},
              {"boot_index", wim_info.boot_index},
              {"compression", compression_name(wim_info.compression)},
              {"has_integrity_table", wim_info.has_integrity_table},
              {"images", json::array()}};
    for (const ImageInfo& image : images)
      j["images"].push_back(image_json(image, is_boot_image(wim_info, image)));
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf(
      "Details for image : %s\n\nGUID : %s\nImages : %u\nBoot index : %u\nCompression : %s\n",
      wim.path().c_str(), wim_info.guid.c_str(), wim_info.image_count, wim_info.boot_index,
      compression_name(wim_info.compression));
  for (const ImageInfo& image : images) print_image(image, is_boot_image(wim_info, image));
}
}  // namespace

void add_info_command(CLI::App& app, Action& run) {
  auto args = std::make_shared<InfoArgs>();
  CLI::App* cmd = app.add_subcommand("info", "Show the images of a WIM file (DismGetImageInfo)");
  cmd->add_option("wim", args->wim, "The WIM file")->required();
  cmd->add_option("--index", args->index, "Show only this image (1-based)");
  cmd->add_flag("--json", args->as_json, "Print JSON for machines");
  cmd->callback([args, &run] { run = [args] { run_info(*args); }; });
}

}  // namespace dismake::cli
