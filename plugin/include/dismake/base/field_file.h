// A compact file format for the big per-mount tables (the base listing, the
// tree index): every field ends with a NUL byte, a record is a fixed number
// of fields. A path can hold any character but NUL, so nothing needs
// escaping, and reading is a scan for NUL bytes: an order of magnitude
// faster than parsing JSON, which every step would otherwise pay.
#pragma once

#include <string>
#include <string_view>

namespace dismake {

// Appends `field` and its terminating NUL.
void append_field(std::string& out, std::string_view field);

// Reads the fields of a buffer in order.
class FieldReader {
 public:
  explicit FieldReader(std::string_view data) : data_(data) {}
  // The next field; false at the end or for an unterminated field.
  bool next(std::string_view& field);
  bool at_end() const { return pos_ >= data_.size(); }
  // Where the next field begins.
  size_t position() const { return pos_; }

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

}  // namespace dismake
