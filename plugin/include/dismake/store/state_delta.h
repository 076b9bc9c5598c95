// StateDelta: what a state of a mount differs from its base image in, path by
// path: deleted, or a file (a blob in the blob store), a directory or a
// symlink; plus the image's XML properties a step set. A state is the base
// plus its delta (DESIGN.md, "The state model"); committing writes the base
// with the delta applied, so the output depends only on the final delta.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json_fwd.hpp>
#include <string>

#include "dismake/store/file_kind.h"

namespace dismake {

struct DeltaEntry {
  // kAbsent: the state deleted the path.
  FileKind kind = FileKind::kAbsent;
  std::string blob;  // kFile: SHA-256 of the content (the blob's name)
  std::string sha1;  // kFile: SHA-1 of the content, as a WIM records it
  std::uint64_t size = 0;
  std::string symlink_target;  // kSymlink
  // kDirectory: the base's directory at this path (if any) was deleted
  // first, so none of its base contents are part of this state.
  bool replaces_base = false;

  // Windows metadata (DESIGN.md, "Commit"): what a Linux tree cannot hold,
  // so the delta says where the commit takes it from.
  // kFile/kDirectory: the base path whose security descriptor, attributes,
  // named streams and hard links this entry carries because a rename moved
  // it here; "" for none (the base's own file at this path, if any).
  std::string origin;
  // kFile: attribute bits a step set and cleared (`attrib +H -R`), applied
  // over the attributes the file has otherwise.
  std::uint32_t attributes_set = 0;
  std::uint32_t attributes_clear = 0;
  // kFile: the base path whose security descriptor a step gave this file;
  // "" for none.
  std::string security_from;
  // kFile: a hard link made in the tree (`ln a b`): the path of the state
  // whose file this is another name of, as an NTFS capture takes it; "" for
  // none. Holds while both have one content (the commit checks).
  std::string link_of;

  // The metadata fields above, carried from `other` (a later step that
  // writes new content keeps what earlier steps gave the file).
  void keep_metadata_of(const DeltaEntry& other);

  bool operator==(const DeltaEntry& other) const;
};

class StateDelta {
 public:
  const std::map<std::string, DeltaEntry>& entries() const { return entries_; }
  const std::map<std::string, std::string>& properties() const { return properties_; }

  const DeltaEntry* find(const std::string& path) const;
  // Sets `path`; a deletion or a file also drops every entry below it.
  void set(const std::string& path, DeltaEntry entry);
  // Forgets `path` (it is as in the base again), and everything below it.
  void reset(const std::string& path);
  void set_property(const std::string& name, const std::string& value);

  nlohmann::json to_json() const;
  static StateDelta from_json(const nlohmann::json& j);

 private:
  void erase_below(const std::string& path);
  std::map<std::string, DeltaEntry> entries_;
  std::map<std::string, std::string> properties_;
};

}  // namespace dismake
