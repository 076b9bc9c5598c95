#include "state_view.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/store/image_path.h"

namespace dismake {

// True when an ancestor's delta entry hides the base below it.
bool base_hidden_by_ancestor(const StateDelta& delta, const std::string& path) {
  for (std::string a = parent_image_path(path); !a.empty(); a = parent_image_path(a)) {
    const DeltaEntry* e = delta.find(a);
    if (e == nullptr) continue;
    if (e->kind != FileKind::kDirectory || e->replaces_base) return true;
  }
  return false;
}

PathInState path_in_state(const StateDelta& delta, const BaseListing& base,
                          const std::string& path) {
  if (const DeltaEntry* e = delta.find(path)) {
    if (e->kind == FileKind::kAbsent) return {};
    return {PathInState::Source::kDelta, nullptr, e};
  }
  if (base_hidden_by_ancestor(delta, path)) return {};
  if (const BaseEntry* b = base.find(path)) return {PathInState::Source::kBase, b, nullptr};
  return {};
}

std::vector<std::string> ancestors_top_down(const std::string& path) {
  std::vector<std::string> out;
  for (std::string a = parent_image_path(path); !a.empty(); a = parent_image_path(a))
    out.push_back(a);
  std::reverse(out.begin(), out.end());
  return out;
}

void remove_recursively(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  if (ec == std::errc::permission_denied) {
    // A read-only mount's tree (or a directory a `run` step made 000).
    make_tree_writable(path);
    ec.clear();
    std::filesystem::remove_all(path, ec);
  }
  if (ec) throw_errno("remove", path.string(), ec.value());
}

void remove_directory_contents(const std::filesystem::path& dir) {
  if (::access(dir.c_str(), W_OK | X_OK) != 0 && errno == EACCES)
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add);
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    remove_recursively(it->path());
}

}  // namespace dismake
