#include "dismake/diff/image_diff.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <memory>
#include <optional>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/temporary_directory.h"
#include "dismake/diff/security_descriptor.h"
#include "dismake/registry/registry_path.h"
#include "dismake/store/base_image.h"
#include "dismake/store/commit_plan.h"
#include "dismake/store/image_path.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace {

// One side, opened: a WIM image, or the image a mount would commit (the base
// with the mount's update applied in memory; the mount stays locked while
// its files are read).
struct OpenedImage {
  std::optional<ServicedMount> mount;
  // The mount's changed files, staged as a commit stages them (wimlib reads
  // them when it hashes): declared before `wim`, so it goes after it.
  std::unique_ptr<TemporaryDirectory> staging;
  std::optional<WimFile> wim;
  int image = 0;
  std::vector<WimEntry> entries;
};

void check_mount_base(MountRecord record, const MountPaths& paths) {
  switch (recheck_base(record, paths.record_file())) {
    case BaseStatus::kSame:
      return;
    case BaseStatus::kGone:
      throw Error(hr::kFileNotFound,
                  "the source WIM '" + record.wim_path.string() + "' of the mount '" +
                      paths.mount_dir.string() + "' is gone",
                  "restore it, or compare against a WIM file instead of the mount");
    case BaseStatus::kChanged:
      throw Error(hr::kNeedsRemount,
                  "the source WIM '" + record.wim_path.string() + "' changed since '" +
                      paths.mount_dir.string() + "' was mounted",
                  "unmount it with --discard and mount it again");
  }
}

// `fallback`: the image the other side chose, taken when this side names
// none and its WIM has several (a build's output holds the image it serviced
// at the index the source had it).
int select_image(const WimFile& wim, const ImageSide& side, int fallback) {
  if (!side.name.empty()) return wim.image_by_name(side.name);
  if (side.index != 0) return wim.image_by_index(side.index);
  auto count = static_cast<int>(wim.info().image_count);
  if (count == 1) return 1;
  if (fallback > 0 && fallback <= count) return fallback;
  throw Error(hr::kInvalidImageIndex,
              "'" + side.wim.string() + "' has " + std::to_string(count) + " images",
              "name one: '" + side.wim.string() + ":<index>' (see `dismake info`)");
}

bool selects_image(const ImageSide& side) {
  return !side.mount_dir.empty() || !side.name.empty() || side.index != 0;
}

// The base path a path of the mount's image was renamed from (itself when
// no rename of the plan moved it).
std::string base_path_of(const CommitPlan& plan, const std::string& path) {
  const std::pair<std::string, std::string>* into = nullptr;
  for (const auto& rename : plan.renames)
    if (image_path_within(path, rename.second) &&
        (into == nullptr || rename.second.size() > into->second.size()))
      into = &rename;
  return into == nullptr ? path : into->first + path.substr(into->second.size());
}

// What a mount's changed files hold, as far as wimlib cannot say: it adds
// them from staging volumes and hashes their streams only when it writes,
// so until then they read as unhashed (no SHA-1), which would show an
// unchanged stream as changed. The commit knows them: a staged file's
// content is its blob (StagedFile::sha1), and a replaced file keeps the
// named streams of its base version (commit_plan.h), read from the base
// image before the plan is applied.
class StagedHashes {
 public:
  StagedHashes(const WimFile& base, int image, const CommitPlan& plan) {
    std::map<std::string, std::string> wanted;  // base path -> path in the mount's image
    for (const auto* files : {&plan.replaced, &plan.created})
      for (const StagedFile& f : *files) content_[f.path] = f.sha1;
    for (const StagedFile& f : plan.replaced) wanted[base_path_of(plan, f.path)] = f.path;
    if (wanted.empty()) return;
    base.for_each_entry(image, [&](const WimEntry& entry) {
      auto it = wanted.find(entry.path);
      if (it != wanted.end()) streams_[it->second] = entry.named_streams;
    });
  }

  void fill_in(WimEntry& entry) const {
    auto content = content_.find(entry.path);
    if (content == content_.end()) return;
    if (entry.sha1.empty() && entry.size != 0) entry.sha1 = content->second;
    auto streams = streams_.find(entry.path);
    if (streams == streams_.end()) return;
    for (WimStream& stream : entry.named_streams) {
      if (!stream.sha1.empty() || stream.size == 0) continue;
      for (const WimStream& kept : streams->second)
        if (kept.name == stream.name && kept.size == stream.size) stream.sha1 = kept.sha1;
    }
  }

 private:
  std::map<std::string, std::string> content_;             // path -> SHA-1 of its blob
  std::map<std::string, std::vector<WimStream>> streams_;  // path -> its base's named streams
};

OpenedImage open_side(const ImageSide& side, int fallback_image) {
  OpenedImage opened;
  std::optional<StagedHashes> staged;
  if (!side.mount_dir.empty()) {
    opened.mount.emplace(ServicedMount::open(side.mount_dir));
    const MountRecord& record = opened.mount->state().record();
    check_mount_base(record, opened.mount->state().paths());
    opened.wim.emplace(WimFile::open(record.wim_path));
    opened.image = opened.wim->image_by_index(record.image_index);
    CommitPlan plan = opened.mount->planner().commit_plan_with_untracked();
    staged.emplace(*opened.wim, opened.image, plan);
    opened.staging = std::make_unique<TemporaryDirectory>("diff-staging");
    BaseVersionCache no_cache;  // a diff only reads the mount
    BaseVersionVolumes base_versions = stage_base_version_volumes(
        record.wim_path, opened.image, plan, opened.staging->path(), no_cache);
    apply_commit_plan(*opened.wim, opened.image, plan, opened.staging->path(),
                      opened.wim->image_modification_time(opened.image), base_versions);
    for (const auto& [name, value] : opened.mount->state().delta().properties())
      opened.wim->set_property(opened.image, name, value);
  } else {
    opened.wim.emplace(WimFile::open(side.wim));
    opened.image = select_image(*opened.wim, side, fallback_image);
  }
  opened.wim->for_each_entry(opened.image, [&](const WimEntry& entry) {
    opened.entries.push_back(entry);
    if (staged) staged->fill_in(opened.entries.back());
  });
  return opened;
}

// --- image properties ----------------------------------------------------------

const char* const kProperties[] = {
    "NAME",
    "DESCRIPTION",
    "DISPLAYNAME",
    "DISPLAYDESCRIPTION",
    "FLAGS",
    "WINDOWS/ARCH",
    "WINDOWS/PRODUCTNAME",
    "WINDOWS/EDITIONID",
    "WINDOWS/INSTALLATIONTYPE",
    "WINDOWS/PRODUCTTYPE",
    "WINDOWS/PRODUCTSUITE",
    "WINDOWS/HAL",
    "WINDOWS/SYSTEMROOT",
    "WINDOWS/VERSION/MAJOR",
    "WINDOWS/VERSION/MINOR",
    "WINDOWS/VERSION/BUILD",
    "WINDOWS/VERSION/SPBUILD",
    "WINDOWS/VERSION/SPLEVEL",
    "WINDOWS/LANGUAGES/DEFAULT",
};

// The image's languages, one property per element.
std::vector<std::string> language_properties(const OpenedImage& a, const OpenedImage& b) {
  std::vector<std::string> names;
  for (int i = 1;; ++i) {
    std::string name = "WINDOWS/LANGUAGES/LANGUAGE[" + std::to_string(i) + "]";
    if (a.wim->property(a.image, name).empty() && b.wim->property(b.image, name).empty()) break;
    names.push_back(name);
  }
  return names;
}

// Not the counts and sizes of the XML: wimlib computes them when it writes,
// so a mount's would be stale; the file list says the same, exactly.
std::vector<PropertyChange> compare_properties(const OpenedImage& a, const OpenedImage& b) {
  std::vector<std::string> names(std::begin(kProperties), std::end(kProperties));
  for (std::string& name : language_properties(a, b)) names.push_back(std::move(name));
  std::vector<PropertyChange> changes;
  for (const std::string& name : names) {
    std::string before = a.wim->property(a.image, name);
    std::string after = b.wim->property(b.image, name);
    if (before != after) changes.push_back({name, before, after});
  }
  return changes;
}

// --- registry hives ------------------------------------------------------------

// A hive file is whole 4 KiB pages (base block, then hbins); only such files
// are extracted to look for the "regf" magic.
bool may_be_hive(std::uint64_t size) { return size >= 4096 && size % 4096 == 0; }

bool starts_with_regf(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  return in.read(magic, 4) && std::string(magic, 4) == "regf";
}

std::string root_for(const std::string& hive_file) {
  std::string root = registry_root_of_hive_file(hive_file);
  if (!root.empty()) return root;
  // Where `reg load` would put it: HKU\<profile> for a user's NTUSER.DAT,
  // else HKLM\<file name>.
  std::string folded = fold_case(hive_file);
  size_t slash = hive_file.find('/');
  if (folded.rfind("USERS/", 0) == 0 && slash != std::string::npos &&
      hive_file.find('/', slash + 1) != std::string::npos)
    return "HKEY_USERS\\" + hive_file.substr(slash + 1, hive_file.find('/', slash + 1) - slash - 1);
  return "HKEY_LOCAL_MACHINE\\" + std::filesystem::path(hive_file).filename().string();
}

std::vector<HiveChange> compare_hives(OpenedImage& a, OpenedImage& b,
                                      const std::vector<FileChange>& files) {
  std::vector<std::pair<std::string, std::string>> candidates;  // before, after spelling
  for (const FileChange& change : files)
    if (change.kind == FileChangeKind::kChanged && change.type_after == "file" &&
        may_be_hive(change.size_before) && may_be_hive(change.size_after))
      candidates.emplace_back(change.path_before, change.path);
  if (candidates.empty()) return {};

  TemporaryDirectory scratch("diff");
  std::vector<std::string> before_paths, after_paths;
  for (const auto& [before, after] : candidates) {
    before_paths.push_back(before);
    after_paths.push_back(after);
  }
  std::filesystem::create_directories(scratch.path() / "before");
  std::filesystem::create_directories(scratch.path() / "after");
  a.wim->extract_paths(a.image, scratch.path() / "before", before_paths);
  b.wim->extract_paths(b.image, scratch.path() / "after", after_paths);
  std::vector<HiveChange> hives;
  for (const auto& [before, after] : candidates) {
    std::filesystem::path old_file = scratch.path() / "before" / before;
    std::filesystem::path new_file = scratch.path() / "after" / after;
    if (!starts_with_regf(old_file) || !starts_with_regf(new_file)) continue;
    HiveChange hive{after, root_for(after), {}, ""};
    try {
      Hive old_hive(old_file);
      Hive new_hive(new_file);
      hive.registry = diff_hives(old_hive, new_hive);
    } catch (const Error& e) {
      // Not e.problem(): it names the scratch copy, which is gone.
      hive.problem = "it starts with 'regf' but cannot be read as a registry hive (" +
                     format_hresult(e.code()) + ")";
    }
    hives.push_back(std::move(hive));
  }
  return hives;
}

// The listing knows only that a descriptor changed, or what an added file
// has (a digest); a reviewer needs to see the access, so the descriptors
// are read again and written in SDDL. ("none" stays: there is none to read.)
void describe_security_changes(const OpenedImage& a, const OpenedImage& b,
                               std::vector<FileChange>& files) {
  for (FileChange& change : files)
    for (MetadataChange& m : change.metadata) {
      if (m.field != "security descriptor") continue;
      if (!m.before.empty() && m.before != "none")
        m.before =
            security_descriptor_to_sddl(a.wim->security_descriptor(a.image, change.path_before));
      if (m.after != "none")
        m.after = security_descriptor_to_sddl(b.wim->security_descriptor(b.image, change.path));
    }
}

// The side as given, with the image it resolved to: "out.wim:2".
std::string label_of(const ImageSide& side, const OpenedImage& opened) {
  if (!side.mount_dir.empty() || selects_image(side)) return side.label();
  return side.wim.string() + ":" + std::to_string(opened.image);
}

bool all_digits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

}  // namespace

ImageSide ImageSide::parse(const std::string& text) {
  ImageSide side;
  std::error_code ec;
  size_t colon = text.rfind(':');
  if (std::filesystem::exists(text, ec) || colon == std::string::npos) {
    (std::filesystem::is_directory(text, ec) ? side.mount_dir : side.wim) = text;
    return side;
  }
  std::string selector = text.substr(colon + 1);
  side.wim = text.substr(0, colon);
  if (selector.empty())
    throw Error(hr::kInvalidArg, "'" + text + "' names no image after the ':'",
                "write '<wim>:<index>' or '<wim>:<image name>', or leave out the ':'");
  if (all_digits(selector)) {
    side.index = std::stoi(selector);
    if (side.index == 0)
      throw Error(hr::kInvalidImageIndex, "image index 0 in '" + text + "' is not an image",
                  "image indexes start at 1 (see `dismake info`)");
  } else {
    side.name = selector;
  }
  return side;
}

std::string ImageSide::label() const {
  if (!mount_dir.empty()) return mount_dir.string();
  if (!name.empty()) return wim.string() + ":" + name;
  return index != 0 ? wim.string() + ":" + std::to_string(index) : wim.string();
}

ImageDiff diff_images(const ImageSide& before, const ImageSide& after) {
  if (!before.mount_dir.empty() && !after.mount_dir.empty() &&
      std::filesystem::equivalent(before.mount_dir, after.mount_dir))
    throw Error(hr::kInvalidArg, "both sides are the mount '" + before.mount_dir.string() + "'",
                "compare the mount with a WIM image, e.g. its source");
  bool after_first = !selects_image(before) && selects_image(after);
  OpenedImage first = open_side(after_first ? after : before, 0);
  OpenedImage second = open_side(after_first ? before : after, first.image);
  OpenedImage& a = after_first ? second : first;
  OpenedImage& b = after_first ? first : second;
  ImageDiff diff;
  diff.before = label_of(before, a);
  diff.after = label_of(after, b);
  diff.properties = compare_properties(a, b);
  diff.files = diff_file_listings(a.entries, b.entries);
  describe_security_changes(a, b, diff.files);
  diff.hives = compare_hives(a, b, diff.files);
  return diff;
}

}  // namespace dismake
