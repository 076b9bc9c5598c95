#include "dismake/store/base_image.h"

#include "dismake/base/digest.h"
#include "dismake/base/free_memory.h"

namespace dismake {

BaseImage BaseImage::open(const std::filesystem::path& wim_path, int index, const std::string& name,
                          bool writable) {
  BaseImage base{WimFile::open(wim_path, writable)};
  WimFile& wim = *base.wim;
  base.image = name.empty() ? wim.image_by_index(index) : wim.image_by_name(name);
  // The identity: the GUID, the image, then every entry in wimlib's order.
  Sha256 identity;
  identity.add(wim.info().guid).add(std::to_string(base.image));
  wim.for_each_entry(
      base.image,
      [&](const WimEntry& e) {
        identity.add(e.path)
            .add(std::to_string(e.attributes))
            .add(std::to_string(e.size))
            .add(e.sha1);
        base.listing.add(e);
      },
      WimFile::EntryDetail::kListing);
  base.identity = identity.hex();
  return base;
}

void BaseImage::close_wim() {
  wim.reset();
  release_free_memory();
}

BaseStatus recheck_base(MountRecord& record, const std::filesystem::path& record_file) {
  if (!std::filesystem::exists(record.wim_path)) return BaseStatus::kGone;
  FileFingerprint now = FileFingerprint::of(record.wim_path);
  if (now == record.wim_fingerprint) return BaseStatus::kSame;
  BaseImage base = BaseImage::open(record.wim_path, record.image_index, "");
  if (base.identity != record.base_identity) return BaseStatus::kChanged;
  record.wim_fingerprint = now;
  record.image_modification_time = base.wim->image_modification_time(base.image);
  record.save(record_file);
  return BaseStatus::kSame;
}

}  // namespace dismake
