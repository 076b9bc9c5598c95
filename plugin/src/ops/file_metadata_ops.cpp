// The steps that give a file Windows metadata a Linux tree cannot hold
// (set-attributes, set-security): both check that the path is a file, then
// record it, with every other name of the file (its hard links), as it is
// with a MetadataStep, which the commit applies (commit_plan.h).
#include <map>

#include "dismake/base/error.h"
#include "dismake/ops/servicing_ops.h"

namespace dismake {

namespace {

class FileMetadataOp : public Op {
 public:
  FileMetadataOp(std::string name, std::string path, std::string what)
      : name_(std::move(name)), path_(std::move(path)), what_(std::move(what)) {}

  std::string name() const override { return name_; }

  void check(const ServicedMount& mount) const override {
    std::string path = mount.state().resolve(path_);
    FileKind kind = path.empty() ? FileKind::kAbsent : mount.state().kind_of(path);
    if (kind == FileKind::kAbsent)
      throw Error(hr::kPathNotFound, "'" + path_ + "' is not in the image",
                  "check the path whose " + what_ + " to set");
    if (kind != FileKind::kFile)
      throw Error(hr::kNotSupported, "'" + path_ + "' is not a file",
                  name_ + " changes files; directories and links keep theirs");
  }

  // Windows sets metadata on the file, so on every name it has: each is
  // recorded as it is, with the change.
  StepChanges apply(ServicedMount& mount) override {
    StepChanges changes;
    MetadataStep what = change(mount);
    for (const std::string& name : mount.state().names_of_file(mount.state().resolve(path_))) {
      mount.tree().materialize(name);
      changes.paths.push_back(name);
      changes.metadata.emplace(name, what);
    }
    return changes;
  }

 protected:
  virtual MetadataStep change(const ServicedMount& mount) const = 0;
  const std::string& path() const { return path_; }

 private:
  std::string name_;
  std::string path_;
  std::string what_;  // in messages: "attributes", "security descriptor"
};

// `attrib`'s letters and the Windows attribute bits they stand for.
const std::map<char, std::uint32_t>& attribute_letters() {
  static const std::map<char, std::uint32_t> letters = {
      {'R', 0x1}, {'H', 0x2}, {'S', 0x4}, {'A', 0x20}, {'I', 0x2000}};
  return letters;
}

MetadataStep parse_changes(const std::vector<std::string>& changes) {
  MetadataStep change;
  for (const std::string& text : changes) {
    auto bit = text.size() == 2 ? attribute_letters().find(static_cast<char>(std::toupper(text[1])))
                                : attribute_letters().end();
    if ((text[0] != '+' && text[0] != '-') || bit == attribute_letters().end())
      throw Error(hr::kInvalidArg, "'" + text + "' is not an attribute change",
                  "write +X or -X as attrib does, X one of R, H, S, A, I (e.g. +H -R)");
    (text[0] == '+' ? change.attributes_set : change.attributes_clear) |= bit->second;
    (text[0] == '+' ? change.attributes_clear : change.attributes_set) &= ~bit->second;
  }
  if (changes.empty())
    throw Error(hr::kInvalidArg, "no attribute change given", "add e.g. +H +S or -R");
  return change;
}

class SetAttributesOp : public FileMetadataOp {
 public:
  SetAttributesOp(std::string path, const std::vector<std::string>& changes)
      : FileMetadataOp("set-attributes", std::move(path), "attributes"),
        change_(parse_changes(changes)) {}

  nlohmann::json spec() const override {
    return {{"path", path()}, {"set", change_.attributes_set}, {"clear", change_.attributes_clear}};
  }

 private:
  MetadataStep change(const ServicedMount&) const override { return change_; }
  MetadataStep change_;
};

// The descriptor comes from the base image, where it is known exactly; a
// file a step created has none of its own (it inherits when applied).
class SetSecurityOp : public FileMetadataOp {
 public:
  SetSecurityOp(std::string path, std::string like)
      : FileMetadataOp("set-security", std::move(path), "security descriptor"),
        like_(std::move(like)) {}

  nlohmann::json spec() const override { return {{"path", path()}, {"like", like_}}; }

  void check(const ServicedMount& mount) const override {
    FileMetadataOp::check(mount);
    if (!mount.state().base().find_folded(like_))
      throw Error(hr::kPathNotFound, "--like '" + like_ + "' is not a path of the base image",
                  "name a file or directory the base image has, e.g. Windows/System32/cmd.exe");
  }

 private:
  MetadataStep change(const ServicedMount& mount) const override {
    MetadataStep change;
    change.security_from = *mount.state().base().find_folded(like_);
    return change;
  }
  std::string like_;
};

}  // namespace

std::unique_ptr<Op> make_set_attributes_op(std::string path, std::vector<std::string> changes) {
  return std::make_unique<SetAttributesOp>(std::move(path), changes);
}

std::unique_ptr<Op> make_set_security_op(std::string path, std::string like) {
  return std::make_unique<SetSecurityOp>(std::move(path), std::move(like));
}

}  // namespace dismake
