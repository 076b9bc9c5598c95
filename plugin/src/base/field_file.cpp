#include "dismake/base/field_file.h"

namespace dismake {

void append_field(std::string& out, std::string_view field) {
  out.append(field);
  out.push_back('\0');
}

bool FieldReader::next(std::string_view& field) {
  if (pos_ >= data_.size()) return false;
  size_t end = data_.find('\0', pos_);
  if (end == std::string_view::npos) return false;
  field = data_.substr(pos_, end - pos_);
  pos_ = end + 1;
  return true;
}

}  // namespace dismake
