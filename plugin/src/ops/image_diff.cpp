#include "dismake/ops/image_diff.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/base/error.h"
#include "dismake/base/temporary_directory.h"
#include "dismake/ops/registry_path.h"
#include "dismake/store/base_image.h"
#include "dismake/store/serviced_mount.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

namespace {

// One side, opened: a WIM image, or the image a mount would commit (the base
// with the mount's update applied in memory; the mount stays locked while
// its files are read).
struct OpenedImage {
  std::optional<ServicedMount> mount;
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

OpenedImage open_side(const ImageSide& side, int fallback_image) {
  OpenedImage opened;
  if (!side.mount_dir.empty()) {
    opened.mount.emplace(ServicedMount::open(side.mount_dir));
    const MountRecord& record = opened.mount->record();
    check_mount_base(record, opened.mount->paths());
    opened.wim.emplace(WimFile::open(record.wim_path));
    opened.image = opened.wim->image_by_index(record.image_index);
    std::vector<UpdateCommand> commands = opened.mount->commit_commands(/*include_untracked=*/true);
    if (!commands.empty()) opened.wim->update_image(opened.image, commands);
    for (const auto& [name, value] : opened.mount->delta().properties())
      opened.wim->set_property(opened.image, name, value);
  } else {
    opened.wim.emplace(WimFile::open(side.wim));
    opened.image = select_image(*opened.wim, side, fallback_image);
  }
  opened.wim->for_each_entry(opened.image,
                             [&](const WimEntry& entry) { opened.entries.push_back(entry); });
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

// --- files ---------------------------------------------------------------------

// By folded path with '/' as the lowest character: a directory sorts right
// before its contents.
std::string order_key(const std::string& path) {
  std::string folded = fold_case(path);
  for (char& c : folded)
    if (c == '/') c = '\x01';
  return folded;
}

struct Listing {
  std::map<std::string, const WimEntry*> by_path;
  std::map<std::string, std::set<std::string>> links;  // order key → its other names
};

Listing index_entries(const std::vector<WimEntry>& entries) {
  Listing listing;
  std::map<std::uint64_t, std::vector<const WimEntry*>> groups;
  for (const WimEntry& entry : entries) {
    listing.by_path[order_key(entry.path)] = &entry;
    if (entry.link_count > 1 && !entry.is_directory)
      groups[entry.hard_link_group].push_back(&entry);
  }
  for (const auto& [group, members] : groups)
    for (const WimEntry* member : members)
      for (const WimEntry* other : members)
        if (other != member) listing.links[order_key(member->path)].insert(other->path);
  return listing;
}

const char* type_of(const WimEntry& entry) {
  if (entry.is_reparse_point) return "reparse point";
  return entry.is_directory ? "directory" : "file";
}

std::string attribute_text(std::uint32_t attributes) {
  static const std::pair<std::uint32_t, const char*> kNames[] = {
      {0x1, "READONLY"},
      {0x2, "HIDDEN"},
      {0x4, "SYSTEM"},
      {0x10, "DIRECTORY"},
      {0x20, "ARCHIVE"},
      {0x40, "DEVICE"},
      {0x80, "NORMAL"},
      {0x100, "TEMPORARY"},
      {0x200, "SPARSE_FILE"},
      {0x400, "REPARSE_POINT"},
      {0x800, "COMPRESSED"},
      {0x1000, "OFFLINE"},
      {0x2000, "NOT_CONTENT_INDEXED"},
      {0x4000, "ENCRYPTED"},
      {0x8000, "INTEGRITY_STREAM"},
      {0x20000, "NO_SCRUB_DATA"},
  };
  char number[16];
  std::snprintf(number, sizeof number, "0x%08x", attributes);
  std::string names;
  for (const auto& [bit, name] : kNames)
    if (attributes & bit) names += (names.empty() ? "" : "|") + std::string(name);
  return std::string(number) + (names.empty() ? "" : " (" + names + ")");
}

std::string streams_text(std::vector<WimStream> streams) {
  if (streams.empty()) return "none";
  std::sort(streams.begin(), streams.end(),
            [](const WimStream& x, const WimStream& y) { return x.name < y.name; });
  std::string text;
  for (const WimStream& s : streams)
    text += (text.empty() ? "" : ", ") + s.name + " (" + std::to_string(s.size) + " bytes" +
            (s.sha1.empty() ? "" : ", sha1 " + s.sha1.substr(0, 12)) + ")";
  return text;
}

std::string links_text(const std::set<std::string>* others) {
  if (others == nullptr || others->empty()) return "none";
  std::string text;
  for (const std::string& other : *others) text += (text.empty() ? "" : ", ") + other;
  return text;
}

std::set<std::string> folded_set(const std::set<std::string>* paths) {
  std::set<std::string> folded;
  if (paths != nullptr)
    for (const std::string& path : *paths) folded.insert(fold_case(path));
  return folded;
}

const std::set<std::string>* links_of(const Listing& listing, const std::string& key) {
  auto it = listing.links.find(key);
  return it == listing.links.end() ? nullptr : &it->second;
}

std::vector<MetadataChange> compare_metadata(const WimEntry& a, const WimEntry& b,
                                             const std::set<std::string>* links_a,
                                             const std::set<std::string>* links_b) {
  std::vector<MetadataChange> changes;
  auto note = [&](const char* field, const std::string& before, const std::string& after) {
    if (before != after) changes.push_back({field, before, after});
  };
  note("attributes", attribute_text(a.attributes), attribute_text(b.attributes));
  auto digest = [](const std::string& d) {
    return d.empty() ? "none" : "sha256 " + d.substr(0, 16);
  };
  note("security descriptor", digest(a.security_digest), digest(b.security_digest));
  note("named streams", streams_text(a.named_streams), streams_text(b.named_streams));
  auto short_name = [](const std::string& n) { return n.empty() ? std::string("none") : n; };
  note("short name", short_name(a.short_name), short_name(b.short_name));
  char tag_a[16], tag_b[16];
  std::snprintf(tag_a, sizeof tag_a, "0x%08x", a.reparse_tag);
  std::snprintf(tag_b, sizeof tag_b, "0x%08x", b.reparse_tag);
  if (a.is_reparse_point || b.is_reparse_point) note("reparse tag", tag_a, tag_b);
  if (folded_set(links_a) != folded_set(links_b))
    changes.push_back({"hard links", links_text(links_a), links_text(links_b)});
  return changes;
}

FileChange one_side(FileChangeKind kind, const WimEntry& entry) {
  FileChange change;
  change.kind = kind;
  change.path = entry.path;
  if (kind == FileChangeKind::kAdded) {
    change.type_after = type_of(entry);
    change.size_after = entry.size;
  } else {
    change.type_before = type_of(entry);
    change.size_before = entry.size;
  }
  return change;
}

std::optional<FileChange> compare_entry(const WimEntry& a, const WimEntry& b, const Listing& la,
                                        const Listing& lb, const std::string& key) {
  FileChange change;
  change.path = b.path;
  change.type_before = type_of(a);
  change.type_after = type_of(b);
  change.size_before = a.size;
  change.size_after = b.size;
  if (change.type_before != change.type_after) {
    change.kind = FileChangeKind::kRetyped;
    return change;
  }
  bool content = !a.is_directory && (a.sha1 != b.sha1 || a.size != b.size);
  change.metadata = compare_metadata(a, b, links_of(la, key), links_of(lb, key));
  if (!content && change.metadata.empty()) return std::nullopt;
  change.kind = content ? FileChangeKind::kChanged : FileChangeKind::kMetadata;
  return change;
}

std::vector<FileChange> compare_files(const OpenedImage& a, const OpenedImage& b) {
  Listing la = index_entries(a.entries);
  Listing lb = index_entries(b.entries);
  std::vector<FileChange> changes;
  auto ia = la.by_path.begin();
  auto ib = lb.by_path.begin();
  while (ia != la.by_path.end() || ib != lb.by_path.end()) {
    if (ib == lb.by_path.end() || (ia != la.by_path.end() && ia->first < ib->first)) {
      changes.push_back(one_side(FileChangeKind::kRemoved, *ia->second));
      ++ia;
    } else if (ia == la.by_path.end() || ib->first < ia->first) {
      changes.push_back(one_side(FileChangeKind::kAdded, *ib->second));
      ++ib;
    } else {
      if (auto change = compare_entry(*ia->second, *ib->second, la, lb, ia->first))
        changes.push_back(std::move(*change));
      ++ia;
      ++ib;
    }
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
  Listing la = index_entries(a.entries);
  std::vector<std::pair<std::string, std::string>> candidates;  // before, after spelling
  for (const FileChange& change : files)
    if (change.kind == FileChangeKind::kChanged && change.type_after == "file" &&
        may_be_hive(change.size_before) && may_be_hive(change.size_after))
      candidates.emplace_back(la.by_path.at(order_key(change.path))->path, change.path);
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

const char* file_change_name(FileChangeKind kind) {
  switch (kind) {
    case FileChangeKind::kAdded:
      return "added";
    case FileChangeKind::kRemoved:
      return "removed";
    case FileChangeKind::kChanged:
      return "changed";
    case FileChangeKind::kRetyped:
      return "retyped";
    case FileChangeKind::kMetadata:
      return "metadata";
  }
  return "changed";
}

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
  diff.files = compare_files(a, b);
  diff.hives = compare_hives(a, b, diff.files);
  return diff;
}

}  // namespace dismake
