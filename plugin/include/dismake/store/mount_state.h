// MountState: reading a serviced mount's current state (DESIGN.md, "The
// state model"): its records, the base listing, the current delta, and what
// an image path is in the state (its kind, its spelling, its other names).
// Nothing here changes the state or the tree; ops read through it before
// they write, and refuse paths that go through links.
#pragma once

#include <string>
#include <vector>

#include "dismake/store/base_listing.h"
#include "dismake/store/file_kind.h"
#include "dismake/store/mount_record.h"
#include "dismake/store/state_catalog.h"
#include "dismake/store/state_delta.h"

namespace dismake {

struct ServicedMountImpl;

class MountState {
 public:
  explicit MountState(ServicedMountImpl& mount) : m_(&mount) {}

  const MountPaths& paths() const;
  const MountRecord& record() const;
  const MountHead& head() const;
  const StateDelta& delta() const;
  const BaseListing& base() const;
  const StateCatalog& catalog() const;
  fs::path disk_path(const std::string& image_path) const;

  // `user_path` made canonical, matched case-insensitively, component by
  // component, against what exists in the current state: `windows/x` is
  // `Windows/x` when the image has `Windows/`. Throws
  // ERROR_REPARSE_POINT_ENCOUNTERED, naming the link, when the path goes
  // through a symbolic link or junction (refuse_links).
  std::string resolve(const std::string& user_path) const;
  // Throws ERROR_REPARSE_POINT_ENCOUNTERED, naming the link and its target,
  // when a directory above `image_path` (or, with `including_self`, the path
  // itself) is a symbolic link or junction, in the current state or on
  // disk. A step never writes through a link: on disk it could point
  // anywhere on the host. Links themselves are kept as they are.
  void refuse_links(const std::string& image_path, bool including_self) const;
  FileKind kind_of(const std::string& image_path) const;
  // Every name of the file at `image_path` in the current state, itself
  // first: the base's hard links of it that are still one file with it (as
  // the commit writes them, commit_plan.h). Metadata set on one name is set
  // on the file, so on all of them, as on Windows.
  std::vector<std::string> names_of_file(const std::string& image_path) const;

 private:
  ServicedMountImpl* m_;
};

}  // namespace dismake
