#include "dismake/base/error.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/store/windows_name.h"

namespace dismake {

namespace {

class RenamePathOp : public Op {
 public:
  RenamePathOp(std::string from, std::string to) : from_(std::move(from)), to_(std::move(to)) {}

  std::string name() const override { return "rename"; }
  nlohmann::json spec() const override { return {{"from", from_}, {"to", to_}}; }

  void check(const ServicedMount& mount) const override {
    std::string from = mount.state().resolve(from_);
    std::string to = mount.state().resolve(to_);
    check_windows_path(to, to_);
    if (from.empty() || mount.state().kind_of(from) == FileKind::kAbsent)
      throw Error(hr::kPathNotFound, "'" + from_ + "' is not in the image",
                  "check the path to rename");
    if (mount.state().kind_of(to) != FileKind::kAbsent)
      throw Error(hr::kAlreadyExists, "'" + to_ + "' already exists in the image",
                  "delete it in an earlier step, or rename to another name");
    size_t slash = to.rfind('/');
    std::string parent = slash == std::string::npos ? "" : to.substr(0, slash);
    if (mount.state().kind_of(parent) != FileKind::kDirectory)
      throw Error(hr::kPathNotFound, "the directory of '" + to_ + "' is not in the image",
                  "create it first (add an empty directory)");
  }

  StepChanges apply(ServicedMount& mount) override {
    std::string from = mount.state().resolve(from_);
    std::string to = mount.state().resolve(to_);
    mount.tree().materialize(from);
    // Only the parent directories of `to` are needed on disk, not what they
    // hold: a lazy mount extracts only what the step touches.
    fs::create_directories(mount.state().disk_path(to).parent_path());
    fs::rename(mount.state().disk_path(from), mount.state().disk_path(to));
    // A move, not a delete and an add: `to` keeps what Windows keeps across
    // a rename (security descriptor, attributes, streams, hard links).
    return StepChanges{{from, to}, {}, {{from, to}}, {}};
  }

 private:
  std::string from_;
  std::string to_;
};

}  // namespace

std::unique_ptr<Op> make_rename_path_op(std::string from, std::string to) {
  return std::make_unique<RenamePathOp>(std::move(from), std::move(to));
}

}  // namespace dismake
