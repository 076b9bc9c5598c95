#include "dismake/diff/file_diff.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "dismake/base/case_fold.h"
#include "dismake/store/file_identity.h"

namespace dismake {

namespace {

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

std::string digest_text(const std::string& digest) {
  return digest.empty() ? "none" : "sha256 " + digest.substr(0, 16);
}

std::vector<MetadataChange> compare_metadata(const WimEntry& a, const WimEntry& b,
                                             const std::set<std::string>* links_a,
                                             const std::set<std::string>* links_b) {
  std::vector<MetadataChange> changes;
  auto note = [&](const char* field, const std::string& before, const std::string& after) {
    if (before != after) changes.push_back({field, before, after});
  };
  note("attributes", attribute_text(a.attributes), attribute_text(b.attributes));
  note("security descriptor", digest_text(a.security_digest), digest_text(b.security_digest));
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

// What an added file came with: its attributes and security descriptor
// always (a step may have set them: `set-attributes +H`, `set-security`),
// the rest when it has any. "before" is "": there was no file.
std::vector<MetadataChange> metadata_of_added(const WimEntry& entry,
                                              const std::set<std::string>* links) {
  std::vector<MetadataChange> metadata{
      {"attributes", "", attribute_text(entry.attributes)},
      {"security descriptor", "", digest_text(entry.security_digest)}};
  if (!entry.named_streams.empty())
    metadata.push_back({"named streams", "", streams_text(entry.named_streams)});
  if (!entry.short_name.empty()) metadata.push_back({"short name", "", entry.short_name});
  if (entry.is_reparse_point) {
    char tag[16];
    std::snprintf(tag, sizeof tag, "0x%08x", entry.reparse_tag);
    metadata.push_back({"reparse tag", "", tag});
  }
  if (links != nullptr && !links->empty())
    metadata.push_back({"hard links", "", links_text(links)});
  return metadata;
}

FileChange one_side(FileChangeKind kind, const WimEntry& entry,
                    const std::set<std::string>* links = nullptr) {
  FileChange change;
  change.kind = kind;
  change.path = entry.path;
  change.path_before = entry.path;
  if (kind == FileChangeKind::kAdded) {
    change.type_after = type_of(entry);
    change.size_after = entry.size;
    change.metadata = metadata_of_added(entry, links);
  } else {
    change.type_before = type_of(entry);
    change.size_before = entry.size;
  }
  return change;
}

// A change from `a` to `b`: their paths, types and sizes; the caller says
// what kind it is.
FileChange change_between(const WimEntry& a, const WimEntry& b) {
  FileChange change;
  change.path = b.path;
  change.path_before = a.path;
  change.type_before = type_of(a);
  change.type_after = type_of(b);
  change.size_before = a.size;
  change.size_after = b.size;
  return change;
}

std::optional<FileChange> compare_entry(const WimEntry& a, const WimEntry& b, const Listing& la,
                                        const Listing& lb, const std::string& key) {
  FileChange change = change_between(a, b);
  if (change.type_before != change.type_after) {
    change.kind = FileChangeKind::kRetyped;
    return change;
  }
  bool content = !a.is_directory && (a.sha1 != b.sha1 || a.size != b.size);
  change.metadata = compare_metadata(a, b, links_of(la, key), links_of(lb, key));
  if (!content && change.metadata.empty()) return std::nullopt;
  change.kind = content ? FileChangeKind::kChanged : FileChangeKind::kMetadata;
  change.content_changed = content;
  return change;
}

// The names right below `directory` (a folded order key): what a renamed
// directory carries along.
std::string names_below(const Listing& listing, const std::string& directory) {
  std::string prefix = directory.empty() ? "" : directory + '\x01';
  std::string names;
  for (auto it = listing.by_path.lower_bound(prefix);
       it != listing.by_path.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it)
    if (it->first.find('\x01', prefix.size()) == std::string::npos)
      names += it->first.substr(prefix.size()) + '\x01';
  return names.empty() ? "(empty)" : names;
}

// In an image the creation time stands for the file itself; times repeat
// there (a fixed SOURCE_DATE_EPOCH), so what it holds is compared too.
FileIdentity identity_of(const WimEntry& entry, const Listing& listing) {
  FileIdentity::Kind kind = entry.is_reparse_point ? FileIdentity::Kind::kLink
                            : entry.is_directory   ? FileIdentity::Kind::kDirectory
                                                   : FileIdentity::Kind::kFile;
  std::string content = kind == FileIdentity::Kind::kDirectory
                            ? names_below(listing, order_key(entry.path))
                            : std::to_string(entry.size) + ":" + entry.sha1;
  return {kind, static_cast<std::uint64_t>(entry.creation_time_ns), entry.last_write_time_ns,
          entry.size, content};
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? "" : path.substr(0, slash);
}

std::string name_of(const std::string& path) { return path.substr(path.rfind('/') + 1); }

// A removed path and an added one that are the same file moved (the
// commit's rule, file_identity.h) become one rename, at the new path: the
// file compared with itself under its old name. A rename that only follows
// its directory's (the same name in the renamed directory) and changed in
// nothing else is the directory's rename, not listed again.
void pair_renames(std::vector<FileChange>& changes, const Listing& la, const Listing& lb) {
  // The additions by identity, each with all of it (computed once).
  std::multimap<std::uint64_t, std::pair<size_t, FileIdentity>> added_by_identity;
  for (size_t i = 0; i < changes.size(); ++i)
    if (changes[i].kind == FileChangeKind::kAdded) {
      FileIdentity added = identity_of(*lb.by_path.at(order_key(changes[i].path)), lb);
      added_by_identity.emplace(added.identity, std::make_pair(i, std::move(added)));
    }
  std::map<size_t, size_t> renamed_to;  // index of the removal -> index of the addition
  std::map<std::string, std::string> renamed_folded;  // folded old path -> folded new path
  for (size_t i = 0; i < changes.size() && !added_by_identity.empty(); ++i) {
    if (changes[i].kind != FileChangeKind::kRemoved) continue;
    FileIdentity gone = identity_of(*la.by_path.at(order_key(changes[i].path)), la);
    auto [first, last] = added_by_identity.equal_range(gone.identity);
    for (auto it = first; it != last; ++it) {
      if (!is_same_file_moved(gone, it->second.second)) continue;
      renamed_to[i] = it->second.first;
      renamed_folded[fold_case(changes[i].path)] = fold_case(changes[it->second.first].path);
      added_by_identity.erase(it);
      break;
    }
  }
  std::set<size_t> dropped;
  for (const auto& [removed, added] : renamed_to) {
    const WimEntry& a = *la.by_path.at(order_key(changes[removed].path));
    const WimEntry& b = *lb.by_path.at(order_key(changes[added].path));
    FileChange change = change_between(a, b);
    change.kind = FileChangeKind::kRenamed;
    change.content_changed = !a.is_directory && a.sha1 != b.sha1;
    change.metadata =
        compare_metadata(a, b, links_of(la, order_key(a.path)), links_of(lb, order_key(b.path)));
    auto parent = renamed_folded.find(fold_case(parent_of(a.path)));
    bool follows_parent = parent != renamed_folded.end() &&
                          parent->second == fold_case(parent_of(b.path)) &&
                          fold_case(name_of(a.path)) == fold_case(name_of(b.path));
    dropped.insert(removed);
    if (follows_parent && !change.content_changed && change.metadata.empty())
      dropped.insert(added);
    else
      changes[added] = std::move(change);
  }
  std::vector<FileChange> kept;
  for (size_t i = 0; i < changes.size(); ++i)
    if (dropped.count(i) == 0) kept.push_back(std::move(changes[i]));
  changes = std::move(kept);
}

}  // namespace

std::vector<FileChange> diff_file_listings(const std::vector<WimEntry>& before,
                                           const std::vector<WimEntry>& after) {
  Listing la = index_entries(before);
  Listing lb = index_entries(after);
  std::vector<FileChange> changes;
  auto ia = la.by_path.begin();
  auto ib = lb.by_path.begin();
  while (ia != la.by_path.end() || ib != lb.by_path.end()) {
    if (ib == lb.by_path.end() || (ia != la.by_path.end() && ia->first < ib->first)) {
      changes.push_back(one_side(FileChangeKind::kRemoved, *ia->second));
      ++ia;
    } else if (ia == la.by_path.end() || ib->first < ia->first) {
      changes.push_back(one_side(FileChangeKind::kAdded, *ib->second, links_of(lb, ib->first)));
      ++ib;
    } else {
      if (auto change = compare_entry(*ia->second, *ib->second, la, lb, ia->first))
        changes.push_back(std::move(*change));
      ++ia;
      ++ib;
    }
  }
  pair_renames(changes, la, lb);
  return changes;
}

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
    case FileChangeKind::kRenamed:
      return "renamed";
  }
  return "changed";
}

}  // namespace dismake
