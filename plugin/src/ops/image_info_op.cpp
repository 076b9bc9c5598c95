#include "dismake/base/error.h"
#include "dismake/ops/servicing_ops.h"

namespace dismake {

namespace {

class SetImageInfoOp : public Op {
 public:
  explicit SetImageInfoOp(ImageInfoChange change) : change_(std::move(change)) {}

  std::string name() const override { return "set-image-info"; }
  nlohmann::json spec() const override {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [property, value] : properties()) j[property] = value;
    return j;
  }
  void check(const ServicedMount&) const override {
    if (properties().empty())
      throw Error(hr::kInvalidArg, "set-image-info needs something to set",
                  "give --name, --description, --display-name, --display-description or --flags");
  }
  StepChanges apply(ServicedMount&) override { return StepChanges{{}, properties()}; }

 private:
  // The WIM XML element names, as wimlib_set_image_property takes them.
  std::map<std::string, std::string> properties() const {
    std::map<std::string, std::string> out;
    if (change_.name) out["NAME"] = *change_.name;
    if (change_.description) out["DESCRIPTION"] = *change_.description;
    if (change_.display_name) out["DISPLAYNAME"] = *change_.display_name;
    if (change_.display_description) out["DISPLAYDESCRIPTION"] = *change_.display_description;
    if (change_.flags) out["FLAGS"] = *change_.flags;
    return out;
  }
  ImageInfoChange change_;
};

}  // namespace

std::unique_ptr<Op> make_set_image_info_op(ImageInfoChange change) {
  return std::make_unique<SetImageInfoOp>(std::move(change));
}

}  // namespace dismake
