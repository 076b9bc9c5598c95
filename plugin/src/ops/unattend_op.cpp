// apply-unattend. DISM applies an answer file's offlineServicing pass with
// Windows' servicing stack, which does not exist here; dismake places the
// file where Windows Setup reads it and says plainly that the
// offlineServicing settings were not applied now.
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdio>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/ops/servicing_ops.h"

namespace dismake {

namespace {

struct XmlDoc {
  xmlDocPtr doc;
  ~XmlDoc() { xmlFreeDoc(doc); }
};

bool has_offline_servicing_pass(xmlNodePtr root) {
  for (xmlNodePtr node = root->children; node != nullptr; node = node->next) {
    if (node->type != XML_ELEMENT_NODE || xmlStrcmp(node->name, BAD_CAST "settings") != 0) continue;
    xmlChar* pass = xmlGetProp(node, BAD_CAST "pass");
    bool offline = pass != nullptr && xmlStrcmp(pass, BAD_CAST "offlineServicing") == 0;
    xmlFree(pass);
    if (offline) return true;
  }
  return false;
}

class ApplyUnattendOp : public Op {
 public:
  explicit ApplyUnattendOp(fs::path file) : file_(absolute_path(file)) {}

  std::string name() const override { return "apply-unattend"; }
  nlohmann::json spec() const override { return {{"file", file_.string()}}; }
  void collect_inputs(InputSet& inputs) const override { inputs.add_file(file_); }
  void check(const ServicedMount&) const override { validate(); }

  StepChanges apply(ServicedMount& mount) override {
    if (validate())
      std::fprintf(stderr,
                   "dismake: warning: '%s' has an offlineServicing pass; its settings are NOT "
                   "applied now (that needs Windows' servicing stack, which DISM uses). The file "
                   "is placed at Windows/Panther/unattend.xml for Windows Setup; apply the pass "
                   "with DISM on Windows if you need it at servicing time.\n",
                   file_.c_str());
    std::string target = mount.state().resolve("Windows/Panther/unattend.xml");
    mount.state().refuse_links(target, /*including_self=*/true);
    fs::path disk = mount.state().disk_path(target);
    fs::create_directories(disk.parent_path());
    fs::copy_file(file_, disk, fs::copy_options::overwrite_existing);
    return StepChanges{{target}, {}};
  }

 private:
  // Throws unless the file is well-formed XML with an `unattend` root;
  // returns whether it has an offlineServicing pass.
  bool validate() const {
    std::string text = read_file(file_);
    XmlDoc xml{xmlReadMemory(text.data(), static_cast<int>(text.size()), file_.c_str(), nullptr,
                             XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)};
    if (xml.doc == nullptr) {
      const xmlError* error = xmlGetLastError();
      std::string where = error != nullptr
                              ? " (line " + std::to_string(error->line) + ": " +
                                    std::string(error->message ? error->message : "") + ")"
                              : "";
      while (!where.empty() && (where.back() == '\n' || where.back() == ')')) where.pop_back();
      throw Error(
          hr::kInvalidData,
          "'" + file_.string() + "' is not well-formed XML" + where + (where.empty() ? "" : ")"),
          "fix the answer file (Windows System Image Manager validates it)");
    }
    xmlNodePtr root = xmlDocGetRootElement(xml.doc);
    if (root == nullptr || xmlStrcmp(root->name, BAD_CAST "unattend") != 0)
      throw Error(
          hr::kInvalidData,
          "'" + file_.string() + "' is not an answer file: its root element is not <unattend>",
          "give an unattend.xml made by Windows System Image Manager");
    return has_offline_servicing_pass(root);
  }

  fs::path file_;
};

}  // namespace

std::unique_ptr<Op> make_apply_unattend_op(fs::path unattend) {
  return std::make_unique<ApplyUnattendOp>(std::move(unattend));
}

}  // namespace dismake
