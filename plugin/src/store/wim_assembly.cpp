#include "dismake/store/wim_assembly.h"

#include <cstdlib>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/store/wim_output.h"
#include "dismake/wim/wim_file.h"
#include "dismake/wim/wim_header.h"

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

namespace {

// The parts wimlib writes for `first`: first, <stem>2<ext>, <stem>3<ext>, ...
// that exist in `dir`.
std::vector<fs::path> parts_in(const fs::path& dir, const fs::path& first) {
  std::vector<fs::path> parts;
  if (!fs::exists(dir / first.filename())) return parts;
  parts.push_back(dir / first.filename());
  for (int n = 2;; ++n) {
    fs::path part = dir / (first.stem().string() + std::to_string(n) + first.extension().string());
    if (!fs::exists(part)) break;
    parts.push_back(part);
  }
  return parts;
}

// wimlib gives the parts of every split a random GUID (the one the parts
// share, so that Setup knows they belong together). A derived one makes
// the same split of the same WIM the same bytes, as outputs are
// (wim_output.cpp derives theirs from the content): the source's GUID,
// which is itself derived from content for dismake's outputs, its size,
// and the part size. The GUID is in the header only (no table covers it),
// so it is set by rewriting each part's header.
std::string split_guid(const WimFile& source, const fs::path& wim, std::uint64_t part_size) {
  Sha256 digest;
  digest.add("split").add(source.info().guid).add(std::to_string(fs::file_size(wim)));
  digest.add(std::to_string(part_size));
  return digest.hex().substr(0, 32);
}

void set_part_guid(const fs::path& part, const std::string& guid_hex) {
  constexpr std::size_t kGuidOffset = 24;  // magic, header size, version, flags, chunk size
  WimHeader header = WimHeader::read(part);
  for (std::size_t i = 0; i < 16; ++i)
    header.bytes[kGuidOffset + i] =
        static_cast<std::uint8_t>(std::stoul(guid_hex.substr(2 * i, 2), nullptr, 16));
  header.write_to(part);
}

}  // namespace

std::vector<fs::path> split_wim(const fs::path& wim, const fs::path& first_part,
                                std::uint64_t part_size, const WriteOptions& options,
                                const ProgressFn& progress) {
  if (part_size < 1024 * 1024)
    throw Error(hr::kInvalidArg, "a part size under 1 MiB is not useful",
                "use e.g. 4000 (MiB) for FAT32 media");
  WimFile source = WimFile::open(wim);
  fs::path dir = first_part.has_parent_path() ? first_part.parent_path() : fs::path(".");
  fs::create_directories(dir);
  // The parts are written to a directory of their own beside the output and
  // moved into place only when all are complete; the parts of an earlier,
  // longer split are removed so no stale part joins the new set.
  fs::path staging = temporary_sibling(dir / first_part.filename());
  fs::create_directories(staging);
  std::vector<fs::path> written;
  try {
    source.split(staging / first_part.filename(), part_size, options, progress);
    std::string guid = split_guid(source, wim, part_size);
    for (const fs::path& part : parts_in(staging, first_part)) set_part_guid(part, guid);
    for (const fs::path& stale : parts_in(dir, first_part)) fs::remove(stale);
    for (const fs::path& part : parts_in(staging, first_part)) {
      fs::path target = dir / part.filename();
      fsync_path(part);
      rename_durable(part, target);
      written.push_back(target);
    }
  } catch (...) {
    std::error_code ec;
    fs::remove_all(staging, ec);
    throw;
  }
  fs::remove_all(staging);
  return written;
}

}  // namespace dismake
