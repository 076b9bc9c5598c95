// DismGetImageInfo: DISM's view of every image in a WIM file.
#include <algorithm>
#include <climits>
#include <cstdlib>

#include "api_call.h"
#include "api_state.h"
#include "dism_log.h"
#include "dismake/wim/image_info.h"
#include "result_buffer.h"
#include "system_time.h"
#include "wide_string.h"

using namespace dismake;
using namespace dismake::capi;

namespace {

// PROCESSOR_ARCHITECTURE_UNKNOWN, for an image that does not say.
constexpr UINT kUnknownArchitecture = 0xFFFF;

UINT clamp_to_uint(std::uint64_t value) {
  return static_cast<UINT>(std::min<std::uint64_t>(value, UINT_MAX));
}

// The XML's own number (PROCESSOR_ARCHITECTURE_*), which DISM reports as is.
UINT architecture(const WimFile& wim, int image) {
  std::string raw = wim.property(image, "WINDOWS/ARCH");
  char* end = nullptr;
  unsigned long value = std::strtoul(raw.c_str(), &end, 10);
  return raw.empty() || *end != '\0' ? kUnknownArchitecture : clamp_to_uint(value);
}

DismWimCustomizedInfo* customized_info(ResultArena& arena, const ImageInfo& info) {
  auto* custom = arena.array<DismWimCustomizedInfo>(1);
  custom->Size = clamp_to_uint(info.total_bytes);
  custom->DirectoryCount = clamp_to_uint(info.dir_count);
  custom->FileCount = clamp_to_uint(info.file_count);
  custom->CreatedTime = system_time_from_filetime(info.created);
  custom->ModifiedTime = system_time_from_filetime(info.modified);
  return custom;
}

void fill_languages(DismImageInfo& out, ResultArena& arena, const WindowsInfo& windows) {
  out.LanguageCount = clamp_to_uint(windows.languages.size());
  out.Language = arena.array<DismLanguage>(windows.languages.size());
  for (std::size_t i = 0; i < windows.languages.size(); ++i) {
    out.Language[i].Value = arena.string(windows.languages[i]);
    if (windows.languages[i] == windows.default_language)
      out.DefaultLanguageIndex = clamp_to_uint(i);
  }
}

void fill_windows(DismImageInfo& out, ResultArena& arena, const WindowsInfo* windows) {
  static const WindowsInfo kNone;
  const WindowsInfo& w = windows ? *windows : kNone;
  out.ProductName = arena.string(w.product_name);
  out.EditionId = arena.string(w.edition);
  out.InstallationType = arena.string(w.installation_type);
  out.Hal = arena.string(w.hal);
  out.ProductType = arena.string(w.product_type);
  out.ProductSuite = arena.string(w.product_suite);
  out.MajorVersion = w.major;
  out.MinorVersion = w.minor;
  out.Build = w.build;
  out.SpBuild = w.sp_build;
  out.SpLevel = w.sp_level;
  out.SystemRoot = arena.string(w.system_root);
  fill_languages(out, arena, w);
}

void fill_image(DismImageInfo& out, ResultArena& arena, const WimFile& wim, int image,
                std::uint32_t boot_index) {
  ImageInfo info = read_image_info(wim, image);
  out.ImageType = DismImageTypeWim;
  out.ImageIndex = static_cast<UINT>(image);
  out.ImageName = arena.string(info.name);
  out.ImageDescription = arena.string(info.description);
  out.ImageSize = info.total_bytes;
  out.Architecture = architecture(wim, image);
  fill_windows(out, arena, info.windows ? &*info.windows : nullptr);
  out.Bootable =
      boot_index == static_cast<std::uint32_t>(image) ? DismImageBootableYes : DismImageBootableNo;
  out.CustomizedInfo = customized_info(arena, info);
}

}  // namespace

extern "C" HRESULT WINAPI DismGetImageInfo(PCWSTR ImageFilePath, DismImageInfo** ImageInfo,
                                           UINT* Count) {
  return api_call("DismGetImageInfo", [&] {
    if (!ImageInfo || !Count) throw Error(hr::kInvalidArg, "ImageInfo or Count is NULL");
    *ImageInfo = nullptr;
    *Count = 0;
    current_runtime();
    std::string wim_path = required_path(ImageFilePath, "ImageFilePath");
    WimFile wim = WimFile::open(wim_path);
    WimInfo facts = wim.info();
    Result<DismImageInfo> result(facts.image_count);
    for (std::uint32_t i = 0; i < facts.image_count; ++i)
      fill_image(result[i], result.arena(), wim, static_cast<int>(i + 1), facts.boot_index);
    *Count = facts.image_count;
    *ImageInfo = result.release();
    log_line(LogSeverity::kInfo,
             "Read " + std::to_string(facts.image_count) + " image(s) from " + wim_path,
             "DismGetImageInfo");
  });
}
