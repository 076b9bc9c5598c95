#include "outcome.h"

#include "dismake/base/files.h"

namespace dismake::cli {

namespace {
std::string& reported() {
  static std::string text;
  return text;
}
}  // namespace

void report_outcome(const std::string& text) { reported() = text; }

void write_outcome(const std::filesystem::path& file) {
  if (!reported().empty()) write_file_atomic(file, reported() + "\n");
}

}  // namespace dismake::cli
