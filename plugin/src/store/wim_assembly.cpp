#include "dismake/store/wim_assembly.h"

#include <cstdlib>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/store/wim_output.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace fs = std::filesystem;

ImageSource parse_image_source(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon != std::string::npos && colon + 1 < text.size() &&
      text.find_first_not_of("0123456789", colon + 1) == std::string::npos)
    return ImageSource{text.substr(0, colon), std::atoi(text.c_str() + colon + 1)};
  return ImageSource{text, 0};
}

int assemble_wims(const AssembleRequest& request) {
  if (request.sources.empty())
    throw Error(hr::kInvalidArg, "assemble needs at least one source image",
                "name WIM files, each optionally with :INDEX");
  // Every source stays open until the write: the output reads their streams.
  std::vector<WimFile> sources;
  WimFile output = WimFile::create(request.compression);
  Sha256 digest;
  int count = 0;
  for (const ImageSource& source : request.sources) {
    sources.push_back(WimFile::open(source.wim));
    WimFile& wim = sources.back();
    int first = source.index > 0 ? wim.image_by_index(source.index) : 1;
    int last = source.index > 0 ? first : static_cast<int>(wim.info().image_count);
    for (int image = first; image <= last; ++image, ++count) {
      wim.export_image(image, output);
      digest.add(wim.info().guid).add(std::to_string(image));
    }
  }
  digest.add(compression_name(request.compression)).add(request.write.solid ? "solid" : "");
  if (request.boot_index) output.set_boot_index(*request.boot_index);

  if (request.output.has_parent_path()) fs::create_directories(request.output.parent_path());
  remove_stale_temporaries(request.output);
  fs::path tmp = temporary_sibling(request.output);
  try {
    output.write_to(tmp, request.compression, request.write, request.progress);
    pin_identity(tmp, digest.hex().substr(0, 32), 0, 0);
    fsync_path(tmp);
    rename_durable(tmp, request.output);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  return count;
}

std::vector<fs::path> split_wim(const fs::path& wim, const fs::path& first_part,
                                std::uint64_t part_size, const WriteOptions& options) {
  if (part_size < 1024 * 1024)
    throw Error(hr::kInvalidArg, "a part size under 1 MiB is not useful",
                "use e.g. 4000 (MiB) for FAT32 media");
  WimFile source = WimFile::open(wim);
  if (first_part.has_parent_path()) fs::create_directories(first_part.parent_path());
  source.split(first_part, part_size, options);
  // wimlib names the parts <stem>2.swm, <stem>3.swm, ... beside the first.
  std::vector<fs::path> parts{first_part};
  for (int n = 2;; ++n) {
    fs::path part = first_part.parent_path() / (first_part.stem().string() + std::to_string(n) +
                                                first_part.extension().string());
    if (!fs::exists(part)) break;
    parts.push_back(part);
  }
  return parts;
}

}  // namespace dismake
