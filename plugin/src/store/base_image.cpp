#include "dismake/store/base_image.h"

#include "dismake/base/digest.h"

namespace dismake {

namespace {
std::string identity_of(const WimInfo& info, int image, const std::vector<WimEntry>& entries) {
  Sha256 digest;
  digest.add(info.guid).add(std::to_string(image));
  for (const WimEntry& e : entries) {
    digest.add(e.path).add(std::to_string(e.attributes)).add(std::to_string(e.size)).add(e.sha1);
  }
  return digest.hex();
}
}  // namespace

BaseImage BaseImage::open(const std::filesystem::path& wim_path, int index, const std::string& name,
                          bool writable) {
  BaseImage base{WimFile::open(wim_path, writable)};
  base.image = name.empty() ? base.wim.image_by_index(index) : base.wim.image_by_name(name);
  base.wim.for_each_entry(
      base.image, [&](const WimEntry& e) { base.entries.push_back(e); },
      WimFile::EntryDetail::kListing);
  base.identity = identity_of(base.wim.info(), base.image, base.entries);
  return base;
}

BaseStatus recheck_base(MountRecord& record, const std::filesystem::path& record_file) {
  if (!std::filesystem::exists(record.wim_path)) return BaseStatus::kGone;
  FileFingerprint now = FileFingerprint::of(record.wim_path);
  if (now == record.wim_fingerprint) return BaseStatus::kSame;
  if (BaseImage::open(record.wim_path, record.image_index, "").identity != record.base_identity)
    return BaseStatus::kChanged;
  record.wim_fingerprint = now;
  record.save(record_file);
  return BaseStatus::kSame;
}

}  // namespace dismake
