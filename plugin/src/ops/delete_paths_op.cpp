#include "dismake/base/error.h"
#include "dismake/ops/servicing_ops.h"

namespace dismake {

namespace {

class DeletePathsOp : public Op {
 public:
  DeletePathsOp(std::vector<std::string> paths, bool if_exists)
      : paths_(std::move(paths)), if_exists_(if_exists) {}

  std::string name() const override { return "delete"; }
  nlohmann::json spec() const override { return {{"paths", paths_}, {"if_exists", if_exists_}}; }

  void check(const ServicedMount& mount) const override {
    if (paths_.empty())
      throw Error(hr::kInvalidArg, "delete needs at least one image path", "name what to delete");
    for (const std::string& path : paths_) {
      std::string resolved = mount.state().resolve(path);
      if (resolved.empty())
        throw Error(hr::kInvalidArg, "cannot delete the image root ('" + path + "')",
                    "name the files or directories to delete");
      if (!if_exists_ && mount.state().kind_of(resolved) == FileKind::kAbsent)
        throw Error(hr::kPathNotFound, "'" + path + "' is not in the image",
                    "check the path, or pass --if-exists (IF_EXISTS) to ignore missing paths");
    }
  }

  StepChanges apply(ServicedMount& mount) override {
    StepChanges changes;
    for (const std::string& path : paths_) {
      std::string resolved = mount.state().resolve(path);
      if (mount.state().kind_of(resolved) == FileKind::kAbsent) continue;
      fs::remove_all(mount.state().disk_path(resolved));
      changes.paths.push_back(resolved);
    }
    return changes;
  }

 private:
  std::vector<std::string> paths_;
  bool if_exists_;
};

}  // namespace

std::unique_ptr<Op> make_delete_paths_op(std::vector<std::string> paths, bool if_exists) {
  return std::make_unique<DeletePathsOp>(std::move(paths), if_exists);
}

}  // namespace dismake
