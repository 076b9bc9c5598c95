#include <map>

#include "dismake/base/error.h"
#include "dismake/ops/servicing_ops.h"

namespace dismake {

namespace {

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

class SetAttributesOp : public Op {
 public:
  SetAttributesOp(std::string path, std::vector<std::string> changes)
      : path_(std::move(path)), changes_(std::move(changes)), change_(parse_changes(changes_)) {}

  std::string name() const override { return "set-attributes"; }
  nlohmann::json spec() const override {
    return {{"path", path_}, {"set", change_.attributes_set}, {"clear", change_.attributes_clear}};
  }

  void check(const ServicedMount& mount) const override {
    std::string path = mount.resolve(path_);
    ImagePathKind kind = path.empty() ? ImagePathKind::kAbsent : mount.kind_of(path);
    if (kind == ImagePathKind::kAbsent)
      throw Error(hr::kPathNotFound, "'" + path_ + "' is not in the image",
                  "check the path whose attributes to set");
    if (kind != ImagePathKind::kFile)
      throw Error(hr::kNotSupported, "'" + path_ + "' is not a file",
                  "set-attributes changes files; directories and links keep theirs");
  }

  StepChanges apply(ServicedMount& mount) override {
    std::string path = mount.resolve(path_);
    mount.materialize(path);  // the step records the file as it is
    return StepChanges{{path}, {}, {}, {{path, change_}}};
  }

 private:
  std::string path_;
  std::vector<std::string> changes_;
  MetadataStep change_;
};

}  // namespace

std::unique_ptr<Op> make_set_attributes_op(std::string path, std::vector<std::string> changes) {
  return std::make_unique<SetAttributesOp>(std::move(path), std::move(changes));
}

}  // namespace dismake
