#include "dismake/base/error.h"
#include "dismake/ops/servicing_ops.h"

namespace dismake {

namespace {

// The descriptor comes from the base image, where it is known exactly; a
// file a step created has none of its own (it inherits when applied).
class SetSecurityOp : public Op {
 public:
  SetSecurityOp(std::string path, std::string like)
      : path_(std::move(path)), like_(std::move(like)) {}

  std::string name() const override { return "set-security"; }
  nlohmann::json spec() const override { return {{"path", path_}, {"like", like_}}; }

  void check(const ServicedMount& mount) const override {
    std::string path = mount.resolve(path_);
    ImagePathKind kind = path.empty() ? ImagePathKind::kAbsent : mount.kind_of(path);
    if (kind == ImagePathKind::kAbsent)
      throw Error(hr::kPathNotFound, "'" + path_ + "' is not in the image",
                  "check the path whose security descriptor to set");
    if (kind != ImagePathKind::kFile)
      throw Error(hr::kNotSupported, "'" + path_ + "' is not a file",
                  "set-security changes files; directories and links keep theirs");
    if (!mount.base().find_folded(like_))
      throw Error(hr::kPathNotFound, "--like '" + like_ + "' is not a path of the base image",
                  "name a file or directory the base image has, e.g. Windows/System32/cmd.exe");
  }

  StepChanges apply(ServicedMount& mount) override {
    std::string path = mount.resolve(path_);
    mount.materialize(path);
    MetadataStep change;
    change.security_from = *mount.base().find_folded(like_);
    return StepChanges{{path}, {}, {}, {{path, change}}};
  }

 private:
  std::string path_;
  std::string like_;
};

}  // namespace

std::unique_ptr<Op> make_set_security_op(std::string path, std::string like) {
  return std::make_unique<SetSecurityOp>(std::move(path), std::move(like));
}

}  // namespace dismake
