#include "outcome.h"

namespace dismake::cli {

namespace {
std::string& reported() {
  static std::string text;
  return text;
}
}  // namespace

void report_outcome(const std::string& text) { reported() = text; }

const std::string& reported_outcome() { return reported(); }

}  // namespace dismake::cli
